"""Contention: a second ingest or build while another process holds the warehouse gets one clear line.

DuckDB lets one process write a database file. A holder subprocess keeps a read-write connection on
DATA_DIR/warehouse.duckdb (as a running `dbt build` or ingest does); `python -m ingestion` and
`make build` must then exit 1 naming the file, the holder's PID and command line and what to do, with
no traceback, and work again once the holder has gone.
"""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from ingestion.__main__ import INGEST_LOCK
from ingestion.common.lock import LockHolder, parse_lock_error, probe
from ingestion.common.settings import Paths
from ingestion.runner import quiet_known_warnings, run

REPO = Path(__file__).resolve().parents[2]
MARKER = "contention-holder"  # on the holder's command line, so the message must show it
HOLD = "import sys, duckdb; con = duckdb.connect(sys.argv[1]); print('ready', flush=True); sys.stdin.read()"
HOLD_RUN = (
    "import sys; from pathlib import Path; from ingestion.common.lock import RunLock; "
    "lock = RunLock(Path(sys.argv[1])); assert lock.acquire() is None; print('ready', flush=True); sys.stdin.read()"
)


class Holder:
    """A subprocess holding a read-write DuckDB connection until `release()`."""

    def __init__(self, path: Path, script: str = HOLD) -> None:
        self.path = path
        program = path.parent.parent / f"{MARKER}.py"  # the holder's command line names it
        program.write_text(script)
        self.process = subprocess.Popen(
            [sys.executable, str(program), str(path)],
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        assert self.process.stdout.readline().strip() == "ready"

    @property
    def pid(self) -> int:
        return self.process.pid

    def release(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            self.process.wait(timeout=30)


@pytest.fixture
def warehouse(data_dir: Path) -> Path:
    """An existing (empty) warehouse file in a fresh DATA_DIR."""
    path = data_dir / "warehouse.duckdb"
    duckdb.connect(str(path)).close()
    return path


@pytest.fixture
def holder(warehouse: Path) -> Iterator[Holder]:
    held = Holder(warehouse)
    try:
        yield held
    finally:
        held.release()


def _env(data_dir: Path) -> dict[str, str]:
    clean = {name: value for name, value in os.environ.items() if not name.startswith(("SOURCES__", "DESTINATION__"))}
    return {**clean, "DATA_DIR": str(data_dir), "VENV": sys.prefix}


def _assert_clear_line(stderr: str, holder: Holder, prefix: str = "ERROR: ") -> None:
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.startswith(prefix)]
    assert len(lines) == 1, stderr
    line = lines[0]
    assert f"{prefix}the warehouse {holder.path} is locked by another process: PID {holder.pid} (" in line
    assert MARKER in line  # the holder's command line, from /proc/<pid>/cmdline
    assert "wait for it to finish" in line and f"kill {holder.pid}" in line


def test_probe_names_the_holder_and_leaves_a_free_or_missing_file_alone(tmp_path: Path, warehouse: Path) -> None:
    assert probe(warehouse) is None
    missing = tmp_path / "missing.duckdb"
    assert probe(missing) is None and not missing.exists()
    held = Holder(warehouse)
    try:
        found = probe(warehouse)
        assert found is not None and found.pid == held.pid and found.path == str(warehouse)
        assert MARKER in found.command
    finally:
        held.release()
    assert probe(warehouse) is None


def test_a_holder_without_proc_entry_falls_back_to_duckdbs_executable() -> None:
    message = (
        'IO Error: Could not set lock on file "/x/warehouse.duckdb": Conflicting lock is held in '
        "/usr/bin/duckdb (PID 999999999). See also https://duckdb.org/docs/current/connect/concurrency"
    )
    holder = parse_lock_error(message)
    assert holder == LockHolder(path="/x/warehouse.duckdb", pid=999999999, executable="/usr/bin/duckdb")
    assert "PID 999999999 (/usr/bin/duckdb)" in holder.message()
    assert parse_lock_error("IO Error: No such file or directory") is None


def _generate_tiny_demo(data_dir: Path) -> None:
    generate = [sys.executable, "-m", "demo", "generate", "--scale", "0.01", "--days", "2"]
    subprocess.run(generate, cwd=REPO, env=_env(data_dir), check=True, capture_output=True, timeout=120)


def test_ingest_exits_1_with_one_clear_line_and_works_once_the_holder_is_gone(data_dir: Path, holder: Holder) -> None:
    _generate_tiny_demo(data_dir)
    ingest = [sys.executable, "-m", "ingestion"]
    done = subprocess.run(ingest, cwd=REPO, env=_env(data_dir), capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stdout + done.stderr
    _assert_clear_line(done.stderr, holder)
    assert "loading" not in done.stdout  # no pipeline started
    holder.release()
    done = subprocess.run(
        ["make", "--no-print-directory", "-o", "setup", "ingest"],
        cwd=REPO,
        env=_env(data_dir),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    try:
        assert con.execute("select count(*) from events.events").fetchall()[0][0] > 0
    finally:
        con.close()


def test_a_lock_taken_mid_run_gives_a_clear_error_line_per_source(data_dir: Path, holder: Holder) -> None:
    """The CLI's probe passed, then another process took the lock: each source fails with the same line."""
    _generate_tiny_demo(data_dir)
    out, err = io.StringIO(), io.StringIO()
    results = run(["documents", "weblogs"], Paths(data_dir), out=out, err=err)
    assert [result.ok for result in results] == [False, False]
    stderr = err.getvalue()
    for name in ("documents", "weblogs"):
        _assert_clear_line(stderr, holder, prefix=f"ERROR {name}: ")
    assert "failed: documents, weblogs" in out.getvalue()


def test_make_build_stops_before_dbt_with_the_clear_line(data_dir: Path, holder: Holder, tmp_path: Path) -> None:
    env = {**_env(data_dir), "DBT_TARGET_PATH": str(tmp_path / "target")}
    build = ["make", "--no-print-directory", "-o", "setup", "build"]
    done = subprocess.run(build, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode != 0
    _assert_clear_line(done.stderr, holder)
    assert "Running with dbt" not in done.stdout  # dbt never started
    holder.release()
    check = [sys.executable, "-m", "tools.warehouse_lock", "check"]
    assert subprocess.run(check, cwd=REPO, env=env, capture_output=True, timeout=60).returncode == 0


def test_a_second_ingest_on_the_same_data_dir_gets_one_clear_line(data_dir: Path) -> None:
    """The warehouse is opened per source, so a running ingest is known by its run lock, not DuckDB's."""
    running = Holder(data_dir / INGEST_LOCK, script=HOLD_RUN)
    try:
        ingest = [sys.executable, "-m", "ingestion"]
        done = subprocess.run(ingest, cwd=REPO, env=_env(data_dir), capture_output=True, text=True, timeout=120)
    finally:
        running.release()
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "loading" not in done.stdout
    expected = f"ERROR: another ingest is running on this DATA_DIR: PID {running.pid} ("
    assert done.stderr.startswith(expected), done.stderr
    assert MARKER in done.stderr and f"kill {running.pid}" in done.stderr


def test_dlts_retry_log_of_a_locked_job_is_one_line(caplog: pytest.LogCaptureFixture) -> None:
    quiet_known_warnings()
    conflict = (
        'IO Error: Could not set lock on file "/x/warehouse.duckdb": Conflicting lock is held in '
        "/usr/bin/duckdb (PID 999999999). See also https://duckdb.org/docs/current/connect/concurrency"
    )
    logger = logging.getLogger("dlt")
    with caplog.at_level(logging.WARNING, logger="dlt"):
        try:
            raise RuntimeError(f"Connection with `client_type=DuckDbSqlClient` failed: {conflict}")
        except RuntimeError:
            logger.exception("Transient exception in job j.insert_values.gz in file f")
        logger.warning("Job j retried in load 1 with message Traceback (most recent call last):\n  x\n%s", conflict)
    assert [record.getMessage() for record in caplog.records] == [
        "Transient exception in job j.insert_values.gz in file f: the warehouse /x/warehouse.duckdb is locked by "
        "another process, PID 999999999 (/usr/bin/duckdb); dlt retries the job",
        "Job j retried in load 1: the warehouse /x/warehouse.duckdb is locked by another process, "
        "PID 999999999 (/usr/bin/duckdb); dlt retries the job",
    ]
    assert all(record.exc_info is None for record in caplog.records)
