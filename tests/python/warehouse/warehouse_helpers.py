"""A demo warehouse in a temporary DATA_DIR: generate, ingest, `dbt build`, and query it read-only."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

REPO = Path(__file__).resolve().parents[3]
PYTHON = sys.executable
DBT = str(Path(PYTHON).with_name("dbt"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run(command: list[str], env: dict[str, str], timeout: int = 900) -> subprocess.CompletedProcess[str]:
    """Run a command from the repo root; fail the test with its output's tail if it fails."""
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, check=False, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(command)}:\n{done.stdout[-6000:]}\n{done.stderr[-4000:]}"
    return done


@dataclass
class Warehouse:
    """A DATA_DIR with demo sources and a warehouse.duckdb, plus the dbt target/log folders of its builds."""

    root: Path

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def env(self) -> dict[str, str]:
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("SOURCES__", "DESTINATION__", "INGESTION__"))}
        return {**clean, "DATA_DIR": str(self.data_dir)}

    def demo(self, *args: str) -> None:
        run([PYTHON, "-m", "demo", *args], self.env)

    def ingest(self) -> None:
        api = [PYTHON, "-m", "demo", "api", "with", "--port", str(free_port()), "--"]
        run([*api, PYTHON, "-m", "ingestion"], self.env)

    def dbt(self, *args: str) -> subprocess.CompletedProcess[str]:
        paths = ["--target-path", str(self.root / "target"), "--log-path", str(self.root / "logs")]
        # the demo's warehouse: the checks of the demo's own data run too (tests/dbt/demo/), unless a test sets vars
        demo_checks = [] if "--vars" in args else ["--vars", "{demo_checks: true}"]
        return run([DBT, *args, "--project-dir", ".", "--profiles-dir", ".", *paths, *demo_checks], self.env)

    def copy(self, root: Path) -> Warehouse:
        """An independent copy (sources, dlt state, warehouse) to change without touching this one."""
        shutil.copytree(self.data_dir, root / "data")
        return Warehouse(root)

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        con = duckdb.connect(str(self.data_dir / "warehouse.duckdb"), read_only=True)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    def one(self, sql: str) -> Any:
        return self.rows(sql)[0][0]
