"""Helpers of the ingestion tests (importable as ``ingest_helpers``; see pythonpath in pyproject.toml)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb

REPO_ROOT = Path(__file__).resolve().parents[3]
TEST_SCALE = "0.01"


def demo(data_dir: Path, *args: str, env: dict[str, str] | None = None) -> None:
    """Run ``python -m demo --data-dir DATA_DIR ARGS`` and fail the test with its output on error."""
    command = [sys.executable, "-m", "demo", "--data-dir", str(data_dir), *args]
    done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"


def manifest(data_dir: Path) -> dict[str, Any]:
    """The generator's ground truth for ``data_dir``."""
    return json.loads((data_dir / "manifest.json").read_text())


def query(data_dir: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """Run one query on the warehouse and close it again (DuckDB allows one writer process)."""
    connection = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    try:
        return connection.execute(sql, list(params)).fetchall()
    finally:
        connection.close()


def scalar(data_dir: Path, sql: str, *params: Any) -> Any:
    """First column of the first row of ``sql``."""
    return query(data_dir, sql, *params)[0][0]
