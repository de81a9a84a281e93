"""`make train`: train a candidate and the baseline on the point-in-time training set, evaluate both on the
held-out weeks, track everything in MLflow, register the candidate and promote it if the gate allows.

Writes DATA_DIR/ml/last_train.json (the run's summary: versions, metrics, the gate's reasons, the oracle).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
from threadpoolctl import threadpool_limits

from . import registry
from .dataset import CATEGORICAL, NUMERIC, horizon_days, mature_rows, oracle_probabilities, time_split
from .gate import GateConfig, GateInput, decide
from .model import GBM_PARAMS, ChurnModel, calibration, feature_importance, metrics

SUMMARY = Path("ml") / "last_train.json"
THREADS = 1


@dataclass(frozen=True)
class TrainOptions:
    seed: int = 0
    # experiments and the gate's tests: leave features out, or train on shuffled labels
    exclude_features: tuple[str, ...] = ()
    shuffle_labels: bool = False
    gate: GateConfig = field(default_factory=GateConfig)


def _headline(m: dict[str, float]) -> dict[str, float]:
    return {k: m[k] for k in ("roc_auc", "pr_auc", "brier")}


def train(data_dir: Path, options: TrainOptions = TrainOptions()) -> dict[str, Any]:
    """One training run; returns (and writes) the summary."""
    # one thread: OpenMP's worker threads spin while they wait, which on a shared two-core machine makes
    # the trees many times slower than one thread (and one thread gives the same trees every time)
    with threadpool_limits(limits=THREADS):
        return _train(Path(data_dir), options)


def _train(data_dir: Path, options: TrainOptions) -> dict[str, Any]:
    unknown = set(options.exclude_features) - set(NUMERIC) - set(CATEGORICAL)
    if unknown:
        raise ValueError(f"unknown features {sorted(unknown)}: choose from {[*NUMERIC, *CATEGORICAL]}")
    horizon = horizon_days()
    split = time_split(mature_rows(data_dir / "warehouse.duckdb"), horizon)
    y_train = split.train.label.astype(np.int64)
    if options.shuffle_labels:
        y_train = np.random.default_rng(options.seed).permutation(y_train)
    y_test = split.test.label.astype(np.int64)
    numeric = tuple(n for n in NUMERIC if n not in options.exclude_features)
    categorical = tuple(c for c in CATEGORICAL if c not in options.exclude_features)

    candidate = ChurnModel("gbm", numeric, categorical, options.seed).fit(split.train, y_train)
    baseline = ChurnModel("logistic", numeric, categorical, options.seed).fit(split.train, y_train)
    p_candidate = candidate.churn_probability(split.test)
    p_baseline = baseline.churn_probability(split.test)
    candidate_metrics, baseline_metrics = metrics(y_test, p_candidate), metrics(y_test, p_baseline)
    oracle = oracle_probabilities(data_dir, split.test)
    oracle_auc = metrics(y_test, oracle)["roc_auc"] if oracle is not None else None

    client = registry.connect(data_dir)
    import mlflow
    import mlflow.sklearn

    champion_before = registry.champion_version(client)
    p_champion = registry.load_version(champion_before).churn_probability(split.test) if champion_before else None
    decision = decide(GateInput(split.test, p_candidate, p_baseline, p_champion, champion_before), options.gate)
    importance = feature_importance(candidate, split.test, y_test, options.seed)
    fingerprint = split.train.fingerprint()

    with mlflow.start_run(run_name=f"train {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M:%S}") as run:
        mlflow.log_params(
            {
                "model": "HistGradientBoostingClassifier",
                **{f"gbm_{k}": v for k, v in GBM_PARAMS.items()},
                "baseline": "LogisticRegression (median imputation, standard scaling)",
                "seed": options.seed,
                "features": ",".join(candidate.features),
                "excluded_features": ",".join(options.exclude_features) or "none",
                "shuffled_labels": options.shuffle_labels,
                "label": f"no order in the {horizon} days after the as-of date",
                "train_as_of_dates": ",".join(split.train_dates),
                "held_out_as_of_dates": ",".join(split.test_dates),
                "train_rows": len(split.train),
                "held_out_rows": len(split.test),
            }
        )
        mlflow.set_tags(
            {"training_set_fingerprint": fingerprint, "gate": "promoted" if decision.promoted else "refused"}
        )
        mlflow.log_metrics(
            {
                **candidate_metrics,
                **{f"baseline_{k}": v for k, v in baseline_metrics.items()},
                **({"oracle_roc_auc": oracle_auc} if oracle_auc is not None else {}),
                **{k: v for k, v in decision.checks.items() if v is not None},
            }
        )
        mlflow.log_dict(
            {
                "candidate": calibration(y_test, p_candidate),
                "baseline": calibration(y_test, p_baseline),
            },
            "calibration.json",
        )
        mlflow.log_dict(importance, "feature_importance.json")
        mlflow.log_dict(asdict(decision), "gate.json")
        info = mlflow.sklearn.log_model(
            candidate,
            name="model",
            serialization_format="cloudpickle",
            # the pyfunc flavour (make serve-model) answers probabilities, as make score writes them
            pyfunc_predict_fn="predict_proba",
            pip_requirements=[f"scikit-learn=={sklearn.__version__}"],
        )
        run_id = run.info.run_id
    version = mlflow.register_model(info.model_uri, registry.MODEL_NAME)
    client.set_model_version_tag(
        registry.MODEL_NAME, version.version, "gate", "promoted" if decision.promoted else "refused"
    )
    client.set_model_version_tag(registry.MODEL_NAME, version.version, "training_set_fingerprint", fingerprint)
    if decision.promoted:
        client.set_registered_model_alias(registry.MODEL_NAME, registry.CHAMPION, version.version)

    summary = {
        "candidate_version": str(version.version),
        "metrics": _headline(candidate_metrics),
        "baseline_metrics": _headline(baseline_metrics),
        "champion_version_before": champion_before,
        "promoted": decision.promoted,
        "reasons": decision.reasons,
        "oracle_auc": oracle_auc,
        "champion_version_after": registry.champion_version(client),
        "calibration_ece": candidate_metrics["calibration_ece"],
        "baseline_calibration_ece": baseline_metrics["calibration_ece"],
        "recent_window": decision.recent_window,
        "gate_checks": decision.checks,
        "train_as_of_dates": split.train_dates,
        "held_out_as_of_dates": split.test_dates,
        "train_rows": len(split.train),
        "held_out_rows": len(split.test),
        "training_set_fingerprint": fingerprint,
        "feature_importance": importance,
        "excluded_features": list(options.exclude_features),
        "shuffled_labels": options.shuffle_labels,
        "mlflow_run_id": run_id,
    }
    out = data_dir / SUMMARY
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps(summary, indent=2) + "\n")
    os.replace(tmp, out)
    return summary


def format_summary(summary: dict[str, Any]) -> str:
    m, b = summary["metrics"], summary["baseline_metrics"]
    lines = [
        f"trained on {summary['train_rows']:,} rows (as-of {', '.join(summary['train_as_of_dates'])}); "
        f"held out {summary['held_out_rows']:,} rows (as-of {', '.join(summary['held_out_as_of_dates'])})",
        f"  candidate (version {summary['candidate_version']}): ROC AUC {m['roc_auc']:.4f}  PR AUC {m['pr_auc']:.4f}  "
        f"Brier {m['brier']:.4f}  ECE {summary['calibration_ece']:.4f}",
        f"  baseline:              ROC AUC {b['roc_auc']:.4f}  PR AUC {b['pr_auc']:.4f}  "
        f"Brier {b['brier']:.4f}  ECE {summary['baseline_calibration_ece']:.4f}",
    ]
    if summary["oracle_auc"] is not None:
        lines.append(f"  oracle (the demo's true churn probability): ROC AUC {summary['oracle_auc']:.4f}")
    lines.append(f"  champion before: {summary['champion_version_before'] or 'none'}")
    lines += [f"  {reason}" for reason in summary["reasons"]]
    verdict = "promoted to champion" if summary["promoted"] else "refused (the champion stays)"
    lines.append(
        f"version {summary['candidate_version']} {verdict}; champion now: {summary['champion_version_after'] or 'none'}"
    )
    return "\n".join(lines)
