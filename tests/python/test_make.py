"""The README's commands, run as a user would: `make` help and `make run` on a tiny demo shop."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[2]
PLANNED = ("setup", "demo-data", "advance", "ingest", "build", "docs", "lint", "test", "bench", "clean")


def make(*args: str, env: dict[str, str] | None = None, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "VENV": sys.prefix, **(env or {})}
    return subprocess.run(
        ["make", "--no-print-directory", *args], cwd=REPO, env=full_env, text=True, capture_output=True, timeout=timeout
    )


def test_make_alone_prints_help_with_every_planned_target() -> None:
    out = make()
    assert out.returncode == 0, out.stderr
    listed = set(re.findall(r"^\s+(?:\x1b\[\d+m)?([a-z-]+)", out.stdout, flags=re.M))
    assert set(PLANNED) <= listed
    assert "Usage: make" in out.stdout


@pytest.mark.slow
def test_make_run_does_what_exists_on_a_tiny_shop(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    env = {
        "DATA_DIR": str(data_dir),
        "DBT_TARGET_PATH": str(tmp_path / "target"),
        "DBT_LOG_PATH": str(tmp_path / "logs"),
    }
    out = make("run", "SCALE=0.01", "DAYS=5", env=env)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert "not there yet" in out.stdout  # says what is missing instead of failing
    manifest = json.loads((data_dir / "manifest.json").read_text())
    assert manifest["generator"]["days"] == 5 and manifest["orders"]["orders"] > 0
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    try:
        rows = con.execute("select count(*) from reference.channel_mapping").fetchall()
    finally:
        con.close()
    assert rows[0][0] >= 7
    assert (tmp_path / "target" / "index.html").exists()
    assert (tmp_path / "target" / "catalog.json").exists()
    # advance on top of it, through make as well
    out = make("advance", env=env)
    assert out.returncode == 0, out.stderr
    assert json.loads((data_dir / "manifest.json").read_text())["generator"]["days"] == 6
