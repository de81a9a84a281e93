"""`make serve-model`: the champion behind MLflow's own scoring server on 127.0.0.1.

    python -m ml serve [--port 5001]

Resolves the registry alias `champion` in DATA_DIR/mlflow, then runs ``mlflow models serve`` on that
version with the project's environment (``--env-manager local``: no virtualenv is built). The model is
logged with ``pyfunc_predict_fn="predict_proba"``, so ``POST /invocations`` with
``{"dataframe_records": [{<feature>: <value>, ...}]}`` answers ``{"predictions": [[p_stay, p_churn]]}``
for each record: the probability `make score` writes to the warehouse, column 1. ``GET /ping`` is the
health check. The feature columns are those of mrt_customer_snapshots_weekly (ml/dataset.py).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from . import registry

DEFAULT_PORT = 5001


def serve_command(data_dir: Path, port: int) -> tuple[list[str], dict[str, str]]:
    """The command line and environment that serve the champion; a clear error without one."""
    client = registry.connect(data_dir)
    version = registry.champion_version(client)
    if version is None:
        raise ValueError(f"no champion in the registry ({Path(data_dir) / 'mlflow'}): run make train first")
    import mlflow

    # MLflow starts the server as `uvicorn ...` through a shell: the environment's bin directory comes first
    bin_dir = str(Path(sys.executable).parent)
    env = {
        **os.environ,
        "PATH": os.pathsep.join([bin_dir, os.environ.get("PATH", "")]),
        "MLFLOW_TRACKING_URI": mlflow.get_tracking_uri(),
        "MLFLOW_REGISTRY_URI": mlflow.get_registry_uri(),
    }
    command = [
        sys.executable,
        "-m",
        "mlflow",
        "models",
        "serve",
        "--model-uri",
        f"models:/{registry.MODEL_NAME}/{version}",
        "--env-manager",
        "local",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
    ]
    return command, env


def serve(data_dir: Path, port: int = DEFAULT_PORT) -> int:
    command, env = serve_command(data_dir, port)
    version = command[command.index("--model-uri") + 1].rsplit("/", 1)[1]
    print(
        f"serving {registry.MODEL_NAME} version {version} (champion) on http://127.0.0.1:{port}/invocations "
        '(POST {"dataframe_records": [...]}; Ctrl-C stops)',
        flush=True,
    )
    os.execvpe(command[0], command, env)
    return 0  # not reached
