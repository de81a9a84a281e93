"""The README's commands, run as a user would: `make` help and `make run` on a tiny demo shop."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
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


def _dbt_build_line(*args: str) -> str:
    """The `dbt build` command line that `make -n <args>` would run."""
    out = make("-n", "-o", "setup", *args)
    assert out.returncode == 0, out.stderr
    return next(line for line in out.stdout.splitlines() if "/dbt build" in line)


def test_the_daily_build_leaves_the_unit_tests_to_make_test_and_slim_ci() -> None:
    assert "--exclude-resource-type unit_test" in _dbt_build_line("build")
    assert "--exclude-resource-type" not in _dbt_build_line("build", "UNIT_TESTS=1")
    assert "--exclude-resource-type" not in _dbt_build_line("run")  # the first, whole run: every test
    assert "--exclude-resource-type" not in _dbt_build_line("slim-ci", "PROD_STATE=.")
    unit = make("-n", "-o", "setup", "unit-test")
    assert unit.returncode == 0 and 'test --select "test_type:unit"' in unit.stdout, unit.stdout + unit.stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _count(data_dir: Path, sql: str) -> int:
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    try:
        return int(con.execute(sql).fetchall()[0][0])
    finally:
        con.close()


def _assert_docs_site_is_served_while_the_warehouse_is_locked(data_dir: Path, env: dict[str, str]) -> None:
    """`make docs-serve` serves static files: a writer holding the warehouse (a build) does not block it."""
    port = _free_port()
    writer = duckdb.connect(str(data_dir / "warehouse.duckdb"))  # holds DuckDB's exclusive file lock
    server = subprocess.Popen(
        ["make", "--no-print-directory", "-o", "setup", "docs-serve", f"PORT={port}"],
        cwd=REPO,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/manifest.json", timeout=5) as response:
                    served = json.loads(response.read())
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, "make docs-serve did not answer within 90 s"
                time.sleep(0.3)
        assert "model.shopwarehouse.fct_orders" in served["nodes"]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
            assert b"dbt" in response.read()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)
        writer.close()


ANSI_OR_SPINNER = re.compile(r"\x1b\[|\r")


@pytest.mark.slow
def test_make_run_does_what_exists_on_a_tiny_shop(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    # another checkout's demo API (or anything else) holds the port the API would use: the run goes on
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    env = {
        "DEMO_ADPLATFORM_PORT": str(taken.getsockname()[1]),
        "DATA_DIR": str(data_dir),
        "DBT_TARGET_PATH": str(tmp_path / "target"),
        "DBT_LOG_PATH": str(tmp_path / "logs"),
    }
    try:
        out = make("run", "SCALE=0.01", "DAYS=5", env=env)
    finally:
        taken.close()
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    # output read by a log or CI (not a terminal): plain text, and no warnings about the project's own files
    assert not ANSI_OR_SPINNER.search(out.stdout + out.stderr), "colour codes or spinner frames in the output"
    assert not ANSI_OR_SPINNER.search((tmp_path / "logs" / "dbt.log").read_text()), "colour codes in dbt.log"
    assert "deprecat" not in (out.stdout + out.stderr).lower()
    manifest = json.loads((data_dir / "manifest.json").read_text())
    assert manifest["generator"]["days"] == 5 and manifest["orders"]["orders"] > 0
    # make ingest loaded every source, the ad API included (started for the run and stopped after)
    assert _count(data_dir, "select count(*) from events.events") == manifest["events"]["lines"]
    assert _count(data_dir, "select count(*) from oltp.orders") == manifest["oltp"]["row_counts"]["orders"]
    served = manifest["ad_platform"]["served"]["rows"]
    assert _count(data_dir, "select count(*) from adplatform.daily_metrics") == served
    assert not (data_dir / "sources" / "adplatform" / "server.pid").exists()
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    try:
        rows = con.execute("select count(*) from reference.channel_mapping").fetchall()
    finally:
        con.close()
    assert rows[0][0] >= 7
    assert _count(data_dir, "select count(*) from marts.fct_orders") == manifest["orders"]["orders"]
    # make build saved the production manifest (for make slim-ci) and published the read-only snapshot
    assert (
        "model.shopwarehouse.fct_orders"
        in json.loads((data_dir / "prod-artifacts" / "manifest.json").read_text())["nodes"]
    )
    published = duckdb.connect(str(data_dir / "published" / "warehouse.duckdb"), read_only=True)
    try:
        assert (
            published.execute("select count(*) from marts.fct_orders").fetchall()[0][0] == manifest["orders"]["orders"]
        )
    finally:
        published.close()
    for name in ("index.html", "manifest.json", "catalog.json"):
        assert (data_dir / "docs" / name).exists(), name
    _assert_docs_site_is_served_while_the_warehouse_is_locked(data_dir, env)
    # advance on top of it, through make as well
    out = make("advance", env=env)
    assert out.returncode == 0, out.stderr
    manifest = json.loads((data_dir / "manifest.json").read_text())
    assert manifest["generator"]["days"] == 6
    out = make("ingest", env=env)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert _count(data_dir, "select count(*) from weblogs.access_log") == manifest["web_logs"]["lines"]
    assert (
        _count(data_dir, "select count(*) from adplatform.daily_metrics") == manifest["ad_platform"]["served"]["rows"]
    )
