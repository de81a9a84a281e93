"""The churn models: gradient-boosted trees (the candidate) and logistic regression (the baseline)."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from .dataset import CATEGORICAL, NUMERIC

# small trees with large leaves: a few thousand training rows (the tests, SCALE=0.03) must not overfit,
# and the default demo's 20k rows gain nothing from more capacity (tried: 15 leaves of 40 rows, 200 rounds)
GBM_PARAMS: dict[str, Any] = {
    "max_iter": 100,
    "learning_rate": 0.05,
    "max_leaf_nodes": 7,
    "min_samples_leaf": 100,
    "l2_regularization": 1.0,
    "early_stopping": False,
}
CALIBRATION_BINS = 10


class ChurnModel(BaseEstimator, ClassifierMixin):
    """A classifier on snapshot columns (a dict of arrays or a DataFrame): numeric features as they are,
    categorical ones one-hot encoded with the categories seen in training. kind: `gbm` or `logistic`."""

    def __init__(
        self,
        kind: str = "gbm",
        numeric: tuple[str, ...] = NUMERIC,
        categorical: tuple[str, ...] = CATEGORICAL,
        seed: int = 0,
    ) -> None:
        self.kind = kind
        self.numeric = numeric
        self.categorical = categorical
        self.seed = seed

    @property
    def features(self) -> list[str]:
        return [*self.numeric, *self.categorical]

    def _matrix(self, rows: Any) -> np.ndarray:
        parts = [np.asarray(rows[name], dtype=np.float64).reshape(-1, 1) for name in self.numeric]
        for name in self.categorical:
            values = np.asarray(rows[name], dtype=object)
            parts.append(np.column_stack([values == v for v in self.categories_[name]]).astype(np.float64))
        return np.hstack(parts)

    def fit(self, rows: Any, y: np.ndarray) -> ChurnModel:
        self.categories_ = {
            name: sorted(set(np.asarray(rows[name], dtype=object).tolist())) for name in self.categorical
        }
        if self.kind == "gbm":
            self.estimator_ = HistGradientBoostingClassifier(**GBM_PARAMS, random_state=self.seed)
        elif self.kind == "logistic":
            self.estimator_ = make_pipeline(
                SimpleImputer(strategy="median", add_indicator=True),
                StandardScaler(),
                LogisticRegression(max_iter=2000),
            )
        else:
            raise ValueError(f"unknown model kind {self.kind!r}")
        self.estimator_.fit(self._matrix(rows), np.asarray(y, dtype=np.int64))
        self.classes_ = self.estimator_.classes_
        return self

    def predict_proba(self, rows: Any) -> np.ndarray:
        return self.estimator_.predict_proba(self._matrix(rows))

    def predict(self, rows: Any) -> np.ndarray:
        return self.estimator_.predict(self._matrix(rows))

    def churn_probability(self, rows: Any) -> np.ndarray:
        return self.predict_proba(rows)[:, list(self.classes_).index(1)]


def calibration(y: np.ndarray, p: np.ndarray, bins: int = CALIBRATION_BINS) -> dict[str, Any]:
    """Expected calibration error over equal-count bins of the predictions, and the bins themselves."""
    order = np.argsort(p, kind="stable")
    table, ece = [], 0.0
    for chunk in np.array_split(order, bins):
        if not len(chunk):
            continue
        predicted, observed = float(p[chunk].mean()), float(y[chunk].mean())
        ece += len(chunk) / len(p) * abs(predicted - observed)
        table.append({"rows": len(chunk), "mean_predicted": round(predicted, 4), "observed_rate": round(observed, 4)})
    return {"ece": ece, "bins": table}


def auc_or_none(y: np.ndarray, p: np.ndarray) -> float | None:
    return float(roc_auc_score(y, p)) if 0 < y.sum() < len(y) else None


def metrics(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    """ROC AUC, PR AUC (churn is the positive class), Brier score and expected calibration error."""
    y = np.asarray(y, dtype=np.int64)
    return {
        "roc_auc": round(float(roc_auc_score(y, p)), 6),
        "pr_auc": round(float(average_precision_score(y, p)), 6),
        "brier": round(float(brier_score_loss(y, p)), 6),
        "calibration_ece": round(calibration(y, p)["ece"], 6),
    }


def feature_importance(model: ChurnModel, rows: Any, y: np.ndarray, seed: int = 0) -> dict[str, float]:
    """Drop in held-out ROC AUC when one feature's values are shuffled among the rows (permutation importance)."""
    y = np.asarray(y, dtype=np.int64)
    base = roc_auc_score(y, model.churn_probability(rows))
    rng = np.random.default_rng(seed)
    out = {}
    for name in model.features:
        shuffled = dict(rows.columns) if hasattr(rows, "columns") and isinstance(rows.columns, dict) else dict(rows)
        shuffled[name] = np.asarray(rows[name])[rng.permutation(len(y))]
        out[name] = round(float(base - roc_auc_score(y, model.churn_probability(shuffled))), 6)
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))
