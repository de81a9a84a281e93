"""A demo warehouse in a temporary DATA_DIR: generate, ingest, `dbt build`, and query it read-only.

dbt's parse of the project (about 15 s of CPU) is reused across warehouses: `Warehouse.dbt` runs in the
warehouse's root with the relative `DATA_DIR=data`, so the profile (whose `path` dbt hashes into its
partial-parse state) is the same for every warehouse, and a warehouse without a parse of its own starts
from the first one written with the default vars (`partial_parse.msgpack`; dbt still checks every file's
checksum and reparses what changed). A user's `make build` parses as before.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

REPO = Path(__file__).resolve().parents[3]
PYTHON = sys.executable
DBT = str(Path(PYTHON).with_name("dbt"))
PARSE_STATE = "partial_parse.msgpack"
_shared_parse: list[Path] = []
"""A copy of the first dbt parse state written with the default vars (one path at most), for the next warehouses."""
_shared_parse_lock = threading.Lock()  # the background builders and the tests run dbt in several threads


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run(
    command: list[str], env: dict[str, str], timeout: int = 900, cwd: Path = REPO
) -> subprocess.CompletedProcess[str]:
    """Run a command (from the repo root by default); fail the test with its output's tail if it fails."""
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=timeout)
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
        target = self.root / "target"
        paths = ["--target-path", str(target), "--log-path", str(self.root / "logs")]
        # the demo's warehouse: the checks of the demo's own data run too (tests/dbt/demo/), unless a test sets vars
        default_vars = "--vars" not in args
        demo_checks = ["--vars", "{demo_checks: true}"] if default_vars else []
        if default_vars:
            with _shared_parse_lock:
                if _shared_parse and not (target / PARSE_STATE).exists():
                    target.mkdir(parents=True, exist_ok=True)
                    shutil.copy(_shared_parse[0], target / PARSE_STATE)
        project = ["--project-dir", str(REPO), "--profiles-dir", str(REPO)]
        env = {**self.env, "DATA_DIR": "data"}  # relative to cwd, the root: the same profile for every warehouse
        done = run([DBT, *args, *project, *paths, *demo_checks], env, cwd=self.root)
        if default_vars and (target / PARSE_STATE).exists():
            with _shared_parse_lock:
                if not _shared_parse:  # the project's files do not change during a run: one copy serves all
                    cached = self.root / f"{PARSE_STATE}.shared"
                    shutil.copy(target / PARSE_STATE, cached)
                    _shared_parse.append(cached)
        return done

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
