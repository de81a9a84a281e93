"""The cases that run alone: a faulty ad platform API (bad token, 429, 500, timeout, HTML), a broken shop database."""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb

from .observe import (
    _no_traceback,
    error_observed,
)
from .scratch import (
    DAYS,
    MARK,
    SCALE,
    Observed,
    Run,
    _env,
    _run,
    ingest,
)

# ---- cases that run alone


class _FaultServer(http.server.ThreadingHTTPServer):
    daemon_threads = True


def _fault_handler(mode: str) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            if mode == "hang":
                time.sleep(4)  # longer than the client's timeout
            body = b"<html><body>Service temporarily unavailable</body></html>"
            with contextlib.suppress(OSError):
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence
            pass

    return Handler


@contextlib.contextmanager
def fault_server(mode: str) -> Iterator[str]:
    """A local HTTP server that hangs or answers 200 with a body that is not JSON; yields its URL."""
    server = _FaultServer(("127.0.0.1", 0), _fault_handler(mode))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _with_demo_api(data_dir: Path, *api_args: str, **env: str) -> Run:
    """``python -m demo api with [faults] -- python -m ingestion --source adplatform``."""
    command = [sys.executable, "-m", "demo", "api", "with", "--data-dir", str(data_dir), "--port", str(_free_port())]
    command += [*api_args, "--", sys.executable, "-m", "ingestion", "--source", "adplatform"]
    return _run(command, _env(data_dir, **env))


def api_bad_token(data_dir: Path) -> Observed:
    return error_observed(
        _with_demo_api(data_dir, SOURCES__ADPLATFORM__API_TOKEN="not-the-token"), "adplatform", "rejected the token"
    )


def api_rate_limited(data_dir: Path) -> Observed:
    run = _with_demo_api(data_dir, "--fail-429-rate", "0.3", "--seed", "3", RUNTIME__REQUEST_MAX_ATTEMPTS="8")
    problems = _no_traceback(run)
    if run.returncode != 0:
        line = run.error_line("adplatform") or run.stderr.strip()[-300:]
        return Observed("error", line, False, problems + ["expected the retries to succeed"])
    loaded = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    try:
        rows = loaded.execute("select count(*) from adplatform.daily_metrics").fetchone()[0]
    finally:
        loaded.close()
    expected = json.loads((data_dir / "manifest.json").read_text())["ad_platform"]["final"]["rows"]
    if rows != expected:
        problems.append(f"{rows} daily metrics loaded, the API has {expected}")
    message = f"429 answers retried (Retry-After honoured); {rows} of {expected} campaign-days loaded"
    return Observed("accepted", message, not problems, problems)


def api_server_error(data_dir: Path) -> Observed:
    return error_observed(_with_demo_api(data_dir, "--fail-5xx-rate", "1.0"), "adplatform", "after retries")


def api_timeout(data_dir: Path) -> Observed:
    with fault_server("hang") as url:
        run = ingest(
            data_dir,
            "adplatform",
            SOURCES__ADPLATFORM__BASE_URL=url,
            SOURCES__ADPLATFORM__API_TOKEN="token",
            RUNTIME__REQUEST_TIMEOUT="1",
            RUNTIME__REQUEST_MAX_ATTEMPTS="2",
        )
    return error_observed(run, "adplatform", "did not answer")


def api_invalid_json(data_dir: Path) -> Observed:
    with fault_server("html") as url:
        run = ingest(data_dir, "adplatform", SOURCES__ADPLATFORM__BASE_URL=url, SOURCES__ADPLATFORM__API_TOKEN="token")
    return error_observed(run, "adplatform", "not JSON")


def oltp_unreachable(data_dir: Path) -> Observed:
    url = f"postgresql://postgres@127.0.0.1:{_free_port()}/shop"
    return error_observed(ingest(data_dir, "oltp", SOURCES__OLTP__CREDENTIALS=url), "oltp", "cannot read the database")


def oltp_database_dropped(data_dir: Path) -> Observed:
    url = f"postgresql://postgres@127.0.0.1:5432/{MARK}_dropped_{uuid.uuid4().hex[:8]}"
    return error_observed(ingest(data_dir, "oltp", SOURCES__OLTP__CREDENTIALS=url), "oltp", "cannot read the database")


def oltp_sqlite_locked(data_dir: Path) -> Observed:
    """Another process holds an exclusive lock on the SQLite file while the extract runs."""
    holder = sqlite3.connect(data_dir / "sources" / "shop.sqlite", isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        run = ingest(data_dir, "oltp")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    return error_observed(run, "oltp", "locked")


def oltp_sqlite_missing(data_dir: Path) -> Observed:
    (data_dir / "sources" / "shop.sqlite").unlink()
    return error_observed(ingest(data_dir, "oltp"), "oltp", "does not exist")


POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
"""The PostgreSQL server the database case creates its scratch database on (dropped afterwards)."""
BIG_TABLE_ROWS = 1_000_000
"""Rows of the table whose extract is cut: enough for the read to last long enough to be interrupted."""


def oltp_connection_lost_mid_extract(data_dir: Path) -> Observed:
    """PostgreSQL kills the extract's connection while ConnectorX reads a table; then the database is back.

    The run must fail with one clear line, load nothing (the extract is all or nothing), and the next
    run must load every row.
    """
    import psycopg2  # the SQLAlchemy driver of the PostgreSQL URLs; imported here: only this case needs it
    from sqlalchemy.engine import make_url

    admin_url = make_url(POSTGRES_ADMIN_URL)
    name = f"{MARK}_midextract_{uuid.uuid4().hex[:8]}"
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    admin = psycopg2.connect(admin_url.render_as_string(hide_password=False))
    admin.autocommit = True
    admin.cursor().execute(f'create database "{name}"')
    try:
        pg_data = data_dir / "postgres"
        driver_url = url.replace("postgresql://", "postgresql+psycopg2://", 1)
        generate = [sys.executable, "-m", "demo", "generate", "--scale", SCALE, "--days", DAYS, "--quiet"]
        created = _run([*generate, "--oltp-url", driver_url], _env(pg_data))
        if created.returncode != 0:
            return Observed("error", created.stderr.strip()[-300:], False, ["demo generate on PostgreSQL failed"])
        database = psycopg2.connect(url)
        database.autocommit = True
        cursor = database.cursor()
        cursor.execute(
            "create table page_views as select g as page_view_id, md5(g::text) as page_url, "
            f"timestamp '2025-01-01' as updated_at from generate_series(1, {BIG_TABLE_ROWS}) as g; "
            "alter table page_views add primary key (page_view_id)"
        )
        env = _env(pg_data, SOURCES__OLTP__CREDENTIALS=url)
        command = [sys.executable, "-m", "ingestion", "--source", "oltp"]
        started = time.monotonic()
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        cut = None
        while process.poll() is None and cut is None:
            cursor.execute(
                "select pid from pg_stat_activity where datname = %s and state = 'active' "
                "and pid <> pg_backend_pid() and query ilike '%%from page_views%%' and query not ilike '%%count(%%'",
                (name,),
            )
            reading = cursor.fetchall()
            if reading:
                cursor.execute("select pg_terminate_backend(%s)", (reading[0][0],))
                cut = time.monotonic() - started
            time.sleep(0.01)
        stdout, stderr = process.communicate(timeout=300)
        run = Run(process.returncode, stdout, stderr, time.monotonic() - started)
        if cut is None:
            return Observed("accepted", "the extract ended before it could be cut", False, ["not interrupted"])
        observed = error_observed(run, "oltp", "broke during the extract")
        warehouse = pg_data / "warehouse.duckdb"
        landed = _oltp_rows(warehouse)
        if landed:
            observed.problems.append(f"rows landed from the failed run: {landed}")
        rerun = ingest(pg_data, "oltp", SOURCES__OLTP__CREDENTIALS=url)
        if rerun.returncode != 0:
            observed.problems.append(f"the re-run failed: {rerun.error_line('oltp') or rerun.stderr[-200:]}")
        else:
            cursor.execute(
                "select table_name from information_schema.tables where table_schema = 'public' "
                "and table_type = 'BASE TABLE'"
            )
            in_source = {}
            for (table,) in cursor.fetchall():
                cursor.execute(f'select count(*) from "{table}"')
                in_source[table] = cursor.fetchone()[0]
            loaded = _oltp_rows(warehouse)
            if loaded != in_source:
                observed.problems.append(f"the re-run loaded {loaded}, the database has {in_source}")
        database.close()
        observed.message += f" (connection cut {cut:.1f} s into the run; the re-run loaded every row)"
        observed.ok = not observed.problems
        return observed
    finally:
        admin.cursor().execute(f'drop database if exists "{name}" with (force)')
        admin.close()


def _oltp_rows(warehouse: Path) -> dict[str, int]:
    """Rows per data table of the raw ``oltp`` dataset (empty when it does not exist yet)."""
    if not warehouse.exists():
        return {}
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'oltp'"
            ).fetchall()
            if not name.startswith("_")
        ]
        return {name: con.execute(f'select count(*) from oltp."{name}"').fetchone()[0] for name in tables}
    finally:
        con.close()
