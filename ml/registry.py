"""MLflow with a local backend: a SQLite tracking and registry store and artifacts under DATA_DIR/mlflow."""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path
from typing import Any

MODEL_NAME = "customer_churn"
CHAMPION = "champion"
EXPERIMENT = "customer_churn"


def _quiet() -> None:
    # MLflow's own progress output and warnings (alembic migrations, pip requirement inference) are noise
    # in `make train`'s output; errors still raise
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    os.environ.setdefault("MLFLOW_LOGGING_LEVEL", "ERROR")
    os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")
    for name in ("mlflow", "alembic"):
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module="mlflow")


def connect(data_dir: Path) -> Any:
    """Point MLflow at DATA_DIR/mlflow (created on first use); return a client."""
    _quiet()
    import mlflow

    root = (data_dir / "mlflow").resolve()
    root.mkdir(parents=True, exist_ok=True)
    uri = f"sqlite:///{root / 'mlflow.db'}"
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    if mlflow.get_experiment_by_name(EXPERIMENT) is None:
        mlflow.create_experiment(EXPERIMENT, artifact_location=(root / "artifacts").as_uri())
    mlflow.set_experiment(EXPERIMENT)
    return mlflow.MlflowClient()


def champion_version(client: Any) -> str | None:
    from mlflow.exceptions import MlflowException

    try:
        return str(client.get_model_version_by_alias(MODEL_NAME, CHAMPION).version)
    except MlflowException:
        return None


def load_version(version: str) -> Any:
    import mlflow.sklearn

    return mlflow.sklearn.load_model(f"models:/{MODEL_NAME}/{version}")
