"""The bad-input catalogue: each kind of bad input, what the pipeline does with it, checked on a real run.

Every case names the input, the source it enters through, how it is produced (a function that writes
the damaged file into a scratch ``DATA_DIR`` made from small demo data, or that sets up the API or
database fault), the outcome it must get and a check on the real result:

- ``quarantine``: the row lands raw and dbt staging flags it; a ``qrt_*`` model holds it with the reason;
- ``rejected``: the ingestion could not store it as data; ``rejected_records`` holds it with the reason;
- ``error``: the source fails with one ``ERROR <source>: ...`` line naming the problem and the fix;
- ``accepted``: valid by design (the case says where the unusual part is kept).

Every case also checks that the output has no Python traceback and, for file inputs, that no row is
silently lost: the file's input rows = valid + quarantined + rejected.

File and OLTP cases share the work: one scratch DATA_DIR, a first ingest of the clean demo data, all
damages injected at once, a second ingest, one ``dbt run`` of staging and quarantine; each case then
checks its own rows (file names are unique per case). API and database-down cases run one source alone.

``python -m tools.reliability.bad_inputs [--json out.json]`` prints the table; exit 1 on any FAIL.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gzip
import http.server
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

REPO_ROOT = Path(__file__).resolve().parents[2]
SCALE = "0.01"
DAYS = "3"
MARK = "badinput"
"""Every file a case writes has this in its name, so its rows are easy to find."""
TRACEBACK = "Traceback (most recent call last)"
FIX_WORDS = ("set ", "check", "start", "try again", "fix", "generate", "reload", "restore", "drop")
"""An error line must say what to do: one of these words."""

OUTCOMES = ("quarantine", "rejected", "error", "accepted")


# --------------------------------------------------------------------------- the scratch context


@dataclass
class Run:
    """One ``python -m ingestion`` (or other command) run: exit code and output."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def output(self) -> str:
        return self.stdout + "\n" + self.stderr

    def error_line(self, source: str) -> str | None:
        """The ``ERROR <source>: ...`` line, if any."""
        return next((line for line in self.stderr.splitlines() if line.startswith(f"ERROR {source}:")), None)


@dataclass
class Scratch:
    """The shared scratch DATA_DIR and what the shared runs gave."""

    workdir: Path
    data_dir: Path
    ingest: Run | None = None
    dbt: Run | None = None
    inputs: dict[str, int | None] = field(default_factory=dict)  # case id -> input rows written (None: unknown)

    @property
    def sources(self) -> Path:
        return self.data_dir / "sources"

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """Run one read-only query on the warehouse."""
        connection = duckdb.connect(str(self.data_dir / "warehouse.duckdb"), read_only=True)
        try:
            return connection.execute(sql, list(params)).fetchall()
        finally:
            connection.close()


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a child run: this DATA_DIR, no inherited source settings, fast retries."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("SOURCES__", "DESTINATION__", "INGESTION__", "RUNTIME__")) and name != "DATA_DIR"
    }
    env.update(
        DATA_DIR=str(data_dir),
        RUNTIME__REQUEST_BACKOFF_FACTOR="0.1",
        RUNTIME__REQUEST_MAX_ATTEMPTS="3",
        RUNTIME__REQUEST_MAX_RETRY_DELAY="1",
    )
    env.update(extra)
    return env


def _run(command: list[str], env: dict[str, str], timeout: float = 300) -> Run:
    """Run a command from the repo root and capture everything."""
    started = time.monotonic()
    done = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    return Run(done.returncode, done.stdout, done.stderr, time.monotonic() - started)


def ingest(data_dir: Path, sources: str, **env: str) -> Run:
    """``python -m ingestion --source SOURCES`` on ``data_dir``."""
    return _run([sys.executable, "-m", "ingestion", "--source", sources], _env(data_dir, **env))


def generate(data_dir: Path) -> None:
    """Small clean demo data (the catalogue's damages are its only bad records)."""
    done = _run(
        [sys.executable, "-m", "demo", "--data-dir", str(data_dir), "generate", "--scale", SCALE, "--days", DAYS]
        + ["--no-dirty", "--quiet"],
        _env(data_dir),
    )
    if done.returncode:
        raise RuntimeError(f"demo generate failed: {done.stderr.strip()}")


# --------------------------------------------------------------------------- input builders


def _event(**overrides: Any) -> dict[str, Any]:
    """A valid clickstream event with a fresh event_id."""
    event: dict[str, Any] = {
        "event_id": str(uuid.uuid4()),
        "event_type": "page_view",
        "event_ts": "2025-01-02T10:00:00.000Z",
        "sent_at": "2025-01-02T10:00:00.200Z",
        "received_at": "2025-01-02T10:00:00.300Z",
        "anonymous_id": str(uuid.uuid4()),
        "user_id": None,
        "platform": "web",
        "page": {"path": "/", "url": "https://shop.example.com/", "title": "Home", "referrer": None},
        "context": {"ip": "10.0.0.1", "user_agent": "Mozilla/5.0", "locale": "en-GB", "device": {"type": "desktop"}},
        "properties": {},
    }
    event.update(overrides)
    return event


def _review(**overrides: Any) -> dict[str, Any]:
    """A valid review document (relaxed Extended JSON, schema v2) with a fresh _id."""
    doc: dict[str, Any] = {
        "_id": {"$oid": uuid.uuid4().hex[:24]},
        "productId": 1,
        "customerId": 1,
        "orderId": 1,
        "rating": 4,
        "text": "Does the job.",
        "helpfulVotes": 0,
        "pricePaid": {"$numberDecimal": "19.99"},
        "currency": "EUR",
        "source": "web",
        "verifiedPurchase": True,
        "createdAt": {"$date": "2025-01-02T10:00:00.000Z"},
        "updatedAt": {"$date": "2025-01-02T10:00:00.000Z"},
    }
    doc.update(overrides)
    return doc


def _log_line(stamp: str = "02/Jan/2025:11:00:00 +0100", path: str = "/") -> str:
    """One nginx combined log line."""
    return f'10.0.0.1 - - [{stamp}] "GET {path} HTTP/1.1" 200 512 "-" "Mozilla/5.0"'


def _jsonl(rows: list[dict[str, Any]]) -> list[bytes]:
    return [json.dumps(row, separators=(",", ":")).encode() for row in rows]


def _write_lines(path: Path, lines: list[bytes], *, gz: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = b"".join(line + b"\n" for line in lines)
    path.write_bytes(gzip.compress(data) if gz else data)


def _events_file(ctx: Scratch, case: str, lines: list[bytes]) -> None:
    _write_lines(ctx.sources / "lake" / "events" / "dt=2025-01-02" / f"{MARK}-{case}.jsonl.gz", lines, gz=True)
    ctx.inputs[case] = len(lines)


def _reviews_file(ctx: Scratch, case: str, lines: list[bytes]) -> None:
    _write_lines(ctx.sources / "documents" / "reviews" / f"{MARK}-{case}.json", lines, gz=False)
    ctx.inputs[case] = len(lines)


def _weblog_file(ctx: Scratch, case: str, lines: list[str]) -> None:
    path = ctx.sources / "logs" / "nginx" / f"access.log-20250102-{MARK}-{case}.gz"
    _write_lines(path, [line.encode() for line in lines], gz=True)
    ctx.inputs[case] = len(lines)


def _fx_file(ctx: Scratch, case: str, content: bytes, rows: int) -> None:
    path = ctx.sources / "lake" / "fx_rates" / "dt=2025-01-02" / f"{MARK}-{case}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    ctx.inputs[case] = rows


def _inventory_file(ctx: Scratch, case: str, table: pa.Table) -> None:
    path = ctx.sources / "lake" / "inventory_snapshots" / "dt=2025-01-02" / f"{MARK}-{case}.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)
    ctx.inputs[case] = table.num_rows


def _inventory_rows(count: int = 2, **columns: list[Any]) -> pa.Table:
    """Inventory snapshot rows like the demo's (dt=2025-01-02 partition, products 1..count)."""
    base: dict[str, Any] = {
        "snapshot_date": pa.array([dt.date(2025, 1, 2)] * count, pa.date32()),
        "product_id": pa.array(list(range(1, count + 1)), pa.int32()),
        "sku": pa.array([f"SKU-{n:06d}" for n in range(1, count + 1)], pa.string()),
        "warehouse_code": pa.array(["DC1"] * count, pa.string()),
        "on_hand": pa.array([10] * count, pa.int32()),
        "reserved": pa.array([1] * count, pa.int32()),
        "list_price_usd": pa.array([Decimal("9.99")] * count, pa.decimal128(12, 2)),
    }
    base.update(columns)
    return pa.table(base)


# --------------------------------------------------------------------------- producers of the shared cases


def make_events_malformed_json(ctx: Scratch) -> None:
    good = _jsonl([_event(), _event()])
    cut = json.dumps(_event()).encode()[:60]  # a document cut off mid-way
    _events_file(ctx, "events_malformed_json", good + [cut])


def make_reviews_malformed_json(ctx: Scratch) -> None:
    lines = _jsonl([_review()]) + [b'{"_id": {"$oid": "65a0000000000000000000aa"}, "productId": 1, "rating": 5,']
    _reviews_file(ctx, "reviews_malformed_json", lines)


def make_events_truncated_gzip(ctx: Scratch) -> None:
    # incompressible enough (random ids) that the cut falls inside the data, not in the trailer only
    lines = _jsonl([_event() for _ in range(400)])
    data = gzip.compress(b"".join(line + b"\n" for line in lines))
    path = ctx.sources / "lake" / "events" / "dt=2025-01-02" / f"{MARK}-events_truncated_gzip.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    ctx.inputs["events_truncated_gzip"] = None  # the lines after the cut are unknowable


def make_events_empty_file(ctx: Scratch) -> None:
    path = ctx.sources / "lake" / "events" / "dt=2025-01-02" / f"{MARK}-events_empty_file.jsonl.gz"
    path.write_bytes(b"")
    ctx.inputs["events_empty_file"] = 0


def make_fx_header_only(ctx: Scratch) -> None:
    _fx_file(ctx, "fx_header_only", b"rate_date,currency,usd_per_unit\n", 0)


def make_events_latin1(ctx: Scratch) -> None:
    good = _jsonl([_event()])
    bad = json.dumps(_event(page={"path": "/caf\u00e9", "title": "Caf\u00e9"}), ensure_ascii=False).encode("latin-1")
    _events_file(ctx, "events_latin1", good + [bad])


def make_reviews_utf16(ctx: Scratch) -> None:
    text = "\n".join(json.dumps(doc) for doc in (_review(), _review())) + "\n"
    path = ctx.sources / "documents" / "reviews" / f"{MARK}-reviews_utf16.json"
    path.write_bytes(text.encode("utf-16"))  # with a byte-order mark, as Windows tools write it
    ctx.inputs["reviews_utf16"] = 2


def make_fx_utf16(ctx: Scratch) -> None:
    text = "rate_date,currency,usd_per_unit\n2025-01-02,CHF,1.101000\n"
    _fx_file(ctx, "fx_utf16", text.encode("utf-16"), 1)


def make_fx_latin1_row(ctx: Scratch) -> None:
    content = "rate_date,currency,usd_per_unit\n2025-01-02,SEK,0.091000\n2025-01-02,\u00c9UR,1.1\n".encode("latin-1")
    _fx_file(ctx, "fx_latin1_row", content, 2)


def make_events_huge_field(ctx: Scratch) -> None:
    blob = "x" * (5 * 1024 * 1024)
    _events_file(ctx, "events_huge_field", _jsonl([_event(properties={"query": blob}), _event()]))


def make_events_new_field(ctx: Scratch) -> None:
    _events_file(ctx, "events_new_field", _jsonl([_event(experiment_variant="B"), _event()]))


def make_fx_new_column(ctx: Scratch) -> None:
    content = b"rate_date,currency,usd_per_unit,provider\n2025-01-02,NOK,0.088000,ecb\n"
    _fx_file(ctx, "fx_new_column", content, 1)


def make_inventory_new_column(ctx: Scratch) -> None:
    table = _inventory_rows(2, bin_location=pa.array(["A-01", "A-02"], pa.string()))
    _inventory_file(ctx, "inventory_new_column", table)


def make_inventory_type_change(ctx: Scratch) -> None:
    table = _inventory_rows(2, on_hand=pa.array(["12", "about 40"], pa.string()))
    _inventory_file(ctx, "inventory_type_change", table)


def make_events_duplicate_ids(ctx: Scratch) -> None:
    first = _event()
    retry = {**first, "received_at": "2025-01-02T10:00:05.000Z"}  # the SDK sent it again
    _events_file(ctx, "events_duplicate_ids", _jsonl([first, retry]))


def make_reviews_duplicate_ids(ctx: Scratch) -> None:
    first = _review()
    again = {**first, "rating": 5}
    _reviews_file(ctx, "reviews_duplicate_ids", _jsonl([first, again]))


def make_fx_duplicate_keys(ctx: Scratch) -> None:
    content = b"rate_date,currency,usd_per_unit\n2025-01-02,DKK,0.140000\n2025-01-02,DKK,0.141000\n"
    _fx_file(ctx, "fx_duplicate_keys", content, 2)


def make_inventory_duplicate_keys(ctx: Scratch) -> None:
    table = _inventory_rows(2, product_id=pa.array([7, 7], pa.int32()), on_hand=pa.array([10, 11], pa.int32()))
    _inventory_file(ctx, "inventory_duplicate_keys", table)


def make_events_timestamp_without_zone(ctx: Scratch) -> None:
    zoneless = _event(event_ts="2025-01-02T10:00:00", sent_at="2025-01-02T10:00:00", received_at="2025-01-02T10:00:01")
    _events_file(ctx, "events_timestamp_without_zone", _jsonl([zoneless, _event()]))


def make_events_future_timestamp(ctx: Scratch) -> None:
    _events_file(ctx, "events_future_timestamp", _jsonl([_event(event_ts="2099-01-02T10:00:00.000Z"), _event()]))


def make_weblogs_timestamp_without_zone(ctx: Scratch) -> None:
    _weblog_file(ctx, "weblogs_timestamp_without_zone", [_log_line("02/Jan/2025:11:00:00"), _log_line()])


def make_weblogs_future_timestamp(ctx: Scratch) -> None:
    _weblog_file(ctx, "weblogs_future_timestamp", [_log_line("02/Jan/2099:11:00:00 +0100"), _log_line()])


def _sqlite(ctx: Scratch) -> sqlite3.Connection:
    return sqlite3.connect(ctx.sources / "shop.sqlite")


def make_oltp_new_column(ctx: Scratch) -> None:
    with contextlib.closing(_sqlite(ctx)) as db, db:
        db.execute("ALTER TABLE categories ADD COLUMN badinput_banner VARCHAR(40)")
        db.execute("UPDATE categories SET badinput_banner = 'winter sale'")
        ctx.inputs["oltp_new_column"] = db.execute("SELECT count(*) FROM categories").fetchone()[0]


def oltp_type_change(data_dir: Path) -> Observed:
    """products.weight_grams INTEGER -> VARCHAR after a first load, one product updated with a text weight."""
    first = ingest(data_dir, "oltp")
    if first.returncode:
        return Observed("error", first.error_line("oltp") or "first load failed", False, ["the clean load failed"])
    with contextlib.closing(sqlite3.connect(data_dir / "sources" / "shop.sqlite")) as db:
        db.execute("PRAGMA foreign_keys = off")
        db.execute("PRAGMA legacy_alter_table = on")  # keep other tables' foreign keys pointing at `products`
        (create,) = db.execute("SELECT sql FROM sqlite_master WHERE name = 'products'").fetchone()
        renamed = create.replace("CREATE TABLE products", "CREATE TABLE products_new", 1)
        db.execute(renamed.replace("weight_grams INTEGER", "weight_grams VARCHAR(20)"))
        db.execute("INSERT INTO products_new SELECT * FROM products")
        db.execute("DROP TABLE products")
        db.execute("ALTER TABLE products_new RENAME TO products")
        db.execute("UPDATE products SET weight_grams = 'about 2 kg', updated_at = datetime('now') WHERE product_id = 3")
        db.commit()
    return error_observed(ingest(data_dir, "oltp"), "oltp", "weight_grams")


def make_oltp_future_timestamp(ctx: Scratch) -> None:
    """An order whose ``updated_at`` is far in the future (a clock or data-entry error)."""
    with contextlib.closing(_sqlite(ctx)) as db, db:
        db.execute("UPDATE orders SET updated_at = '2099-01-01 00:00:00.000000' WHERE order_id = 1")
    ctx.inputs["oltp_future_timestamp"] = 1


# --------------------------------------------------------------------------- observing a file's rows


@dataclass(frozen=True)
class Table:
    """Where a file table's rows go: raw table, rejects, base model (every row flagged), quarantine model."""

    dataset: str
    raw: str
    base: str | None
    quarantine: str | None


TABLES = {
    "events": Table("events", "events", "staging.base_events__events", "quarantine.qrt_events__events"),
    "reviews": Table("documents", "reviews", "staging.base_documents__reviews", "quarantine.qrt_documents__reviews"),
    "access_log": Table("weblogs", "access_log", "staging.base_weblogs__requests", "quarantine.qrt_weblogs__requests"),
    "fx_rates": Table("lake", "fx_rates", "staging.base_lake__fx_rates", "quarantine.qrt_lake__fx_rates"),
    "inventory_snapshots": Table(
        "lake",
        "inventory_snapshots",
        "staging.stg_lake__inventory_snapshots",
        "quarantine.qrt_lake__inventory_snapshots",
    ),
}


@dataclass
class Observed:
    """What happened to one case's input."""

    outcome: str
    message: str
    ok: bool
    problems: list[str] = field(default_factory=list)


def _has_table(ctx: Scratch, qualified: str) -> bool:
    schema, name = qualified.split(".")
    return bool(
        ctx.query("select 1 from information_schema.tables where table_schema = ? and table_name = ?", schema, name)
    )


def _file_rows(ctx: Scratch, table_key: str, case: str) -> dict[str, Any]:
    """Counts and reasons of the rows of the case's file in every layer."""
    table = TABLES[table_key]
    like = f"%{MARK}-{case}.%"
    rows: dict[str, Any] = {"raw": 0, "valid": 0, "quarantined": [], "rejected_lines": [], "rejected_file": []}
    raw = f"{table.dataset}.{table.raw}"
    if _has_table(ctx, raw):
        rows["raw"] = ctx.query(f"select count(*) from {raw} where _file_name like ?", like)[0][0]
    rejects = f"{table.dataset}.rejected_records"
    if _has_table(ctx, rejects):
        for line, reason in ctx.query(
            f"select line_number, reason from {rejects} where file_name like ? and source_table = ? order by 1",
            like,
            table.raw,
        ):
            rows["rejected_lines" if line is not None else "rejected_file"].append(reason)
    if table.base and _has_table(ctx, table.base):
        columns = {
            name
            for (name,) in ctx.query(
                "select column_name from information_schema.columns where table_schema || '.' || table_name = ?",
                table.base,
            )
        }
        valid = "is_valid" if "is_valid" in columns else "true"
        rows["valid"] = ctx.query(f"select count(*) from {table.base} where _file_name like ? and {valid}", like)[0][0]
    if table.quarantine and _has_table(ctx, table.quarantine):
        reason_col = "invalid_reason"
        rows["quarantined"] = [
            reason
            for (reason,) in ctx.query(
                f"select {reason_col} from {table.quarantine} where _file_name like ? "
                f"and {reason_col} <> 'rejected_at_load' order by _line_number",
                like,
            )
        ]
    return rows


def _no_traceback(run: Run | None) -> list[str]:
    if run is not None and TRACEBACK in run.output:
        return ["a Python traceback in the output"]
    return []


def file_check(
    table_key: str, expected: str, reason: str | None = None, *, raw_contains: str | None = None
) -> Callable[[Scratch, Case], Observed]:
    """Check of a file case: the outcome, the reason, no traceback, input = valid + quarantined + rejected."""

    def check(ctx: Scratch, case: Case) -> Observed:
        problems = _no_traceback(ctx.ingest) + _no_traceback(ctx.dbt)
        source = TABLES[table_key].dataset
        error = ctx.ingest.error_line(source) if ctx.ingest else None
        if error:
            return Observed("error", error, False, problems + ["the source failed in the shared ingest"])
        rows = _file_rows(ctx, table_key, case.id)
        rejected = rows["rejected_lines"] + rows["rejected_file"]
        if rejected:
            outcome, message = "rejected", "; ".join(dict.fromkeys(rejected))
        elif rows["quarantined"]:
            outcome, message = "quarantine", ", ".join(dict.fromkeys(rows["quarantined"]))
        else:
            outcome, message = "accepted", case.expectation
        if outcome != expected:
            problems.append(f"expected {expected}, got {outcome}")
        if reason and reason not in message:
            problems.append(f"expected the reason to mention {reason!r}")
        total = ctx.inputs.get(case.id)
        accounted = rows["valid"] + len(rows["quarantined"]) + len(rows["rejected_lines"])
        if total is not None and accounted != total and not rows["rejected_file"]:
            problems.append(
                f"rows lost: {total} in the file, {rows['valid']} valid + {len(rows['quarantined'])} quarantined"
                f" + {len(rows['rejected_lines'])} rejected"
            )
        if total is None and not rows["rejected_file"]:
            problems.append("a damaged file must leave a file-level reject")
        if raw_contains:
            table = TABLES[table_key]
            hits = ctx.query(
                f"select count(*) from {table.dataset}.{table.raw} where _file_name like ? and {raw_contains}",
                f"%{MARK}-{case.id}.%",
            )[0][0]
            if not hits:
                problems.append(f"not kept raw: no row with {raw_contains}")
        detail = f" (rows: {rows['valid']} valid, {len(rows['quarantined'])} quarantined, {len(rejected)} rejected)"
        return Observed(outcome, message + detail, not problems, problems)

    return check


def oltp_new_column_check(ctx: Scratch, case: Case) -> Observed:
    problems = _no_traceback(ctx.ingest) + _no_traceback(ctx.dbt)
    error = ctx.ingest.error_line("oltp") if ctx.ingest else None
    if error:
        return Observed("error", error, False, problems + ["expected accepted"])
    kept = ctx.query("select count(*) from oltp.categories where badinput_banner = 'winter sale'")[0][0]
    if kept != ctx.inputs[case.id]:
        problems.append(f"raw oltp.categories.badinput_banner holds {kept} of {ctx.inputs[case.id]} values")
    if not _has_table(ctx, "staging.stg_oltp__categories"):
        problems.append("stg_oltp__categories did not build")
    message = f"new column kept in raw oltp.categories.badinput_banner ({kept} rows); staging unchanged"
    return Observed("accepted" if not problems else "error", message, not problems, problems)


def oltp_future_check(ctx: Scratch, case: Case) -> Observed:
    problems = _no_traceback(ctx.ingest)
    error = ctx.ingest.error_line("oltp") if ctx.ingest else None
    if error and "future" in error:
        return Observed("error", error, True, problems)
    note = (
        next((line.strip() for line in ctx.ingest.stdout.splitlines() if "future" in line), None)
        if ctx.ingest
        else None
    )
    if note:
        return Observed("accepted", note, not problems, problems)
    return Observed("accepted", "loaded without any message", False, problems + ["silent: no note or error"])


def error_observed(run: Run | None, source: str, needle: str) -> Observed:
    """Check an ``error`` outcome: exit code 1, one ERROR line naming the source, a fix, no traceback."""
    if run is None:
        return Observed("accepted", "not run", False, ["not run"])
    problems = _no_traceback(run)
    line = run.error_line(source)
    if line is None:
        tail = (run.stderr.strip().splitlines() or run.stdout.strip().splitlines() or ["no output"])[-1]
        return Observed("accepted" if run.returncode == 0 else "error", tail[:300], False, problems + ["no ERROR line"])
    if run.returncode != 1:
        problems.append(f"exit code {run.returncode}, expected 1")
    if needle.lower() not in line.lower():
        problems.append(f"expected the message to mention {needle!r}")
    if not any(word in line.lower() for word in FIX_WORDS):
        problems.append("the message does not say what to do")
    return Observed("error", line, not problems, problems)


# --------------------------------------------------------------------------- the cases


@dataclass(frozen=True)
class Case:
    """One bad input."""

    id: str
    input: str  # what the input is
    kind: str  # file, api, database
    source: str  # the ingestion source it enters through
    expected: str  # one of OUTCOMES
    expectation: str  # the reason / message / where an accepted oddity is kept
    produce: Callable[[Scratch], None] | None = None  # shared cases: damages the shared DATA_DIR
    check: Callable[[Scratch, Case], Observed] | None = None  # shared cases: verifies the shared run
    run_alone: Callable[[Path], Observed] | None = None  # cases with their own run (API, database down)
    slow: bool = False

    @property
    def shared(self) -> bool:
        return self.run_alone is None


@dataclass
class CaseResult:
    """The verdict of one case."""

    id: str
    input: str
    source: str
    expected: str
    outcome: str
    message: str
    passed: bool
    problems: list[str]
    seconds: float = 0.0

    @property
    def verdict(self) -> str:
        return "PASS" if self.passed else "FAIL"


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


CASES: list[Case] = [
    # malformed JSON
    Case(
        "events_malformed_json",
        "events: a JSON line cut off mid-document",
        "file",
        "events",
        "quarantine",
        "qrt_events__events, reason malformed_json",
        make_events_malformed_json,
        file_check("events", "quarantine", "malformed_json"),
    ),
    Case(
        "reviews_malformed_json",
        "documents: a review document cut off",
        "file",
        "documents",
        "quarantine",
        "qrt_documents__reviews, reason malformed_json",
        make_reviews_malformed_json,
        file_check("reviews", "quarantine", "malformed_json"),
    ),
    # damaged and empty files
    Case(
        "events_truncated_gzip",
        "events: a .jsonl.gz file cut in half",
        "file",
        "events",
        "rejected",
        "lines before the damage load; rejected_records names the file and the last good line",
        make_events_truncated_gzip,
        file_check("events", "rejected", "file damaged after line"),
    ),
    Case(
        "events_empty_file",
        "events: a 0-byte .jsonl.gz file",
        "file",
        "events",
        "accepted",
        "nothing to load; the file is recorded as loaded",
        make_events_empty_file,
        file_check("events", "accepted"),
    ),
    Case(
        "fx_header_only",
        "lake: a CSV file with only its header",
        "file",
        "lake",
        "accepted",
        "nothing to load; the file is recorded as loaded",
        make_fx_header_only,
        file_check("fx_rates", "accepted"),
    ),
    # encodings
    Case(
        "events_latin1",
        "events: a line with latin-1 bytes in a UTF-8 file",
        "file",
        "events",
        "rejected",
        "rejected_records (and qrt_events__events, rejected_at_load): not valid UTF-8",
        make_events_latin1,
        file_check("events", "rejected", "not valid UTF-8"),
    ),
    Case(
        "reviews_utf16",
        "documents: an export file in UTF-16",
        "file",
        "documents",
        "rejected",
        "rejected_records: the file is UTF-16, not UTF-8",
        make_reviews_utf16,
        file_check("reviews", "rejected", "UTF-16"),
    ),
    Case(
        "fx_utf16",
        "lake: a CSV file in UTF-16",
        "file",
        "lake",
        "rejected",
        "rejected_records: the file is UTF-16, not UTF-8",
        make_fx_utf16,
        file_check("fx_rates", "rejected", "UTF-16"),
    ),
    Case(
        "fx_latin1_row",
        "lake: a CSV row with latin-1 bytes",
        "file",
        "lake",
        "rejected",
        "rejected_records: not valid UTF-8",
        make_fx_latin1_row,
        file_check("fx_rates", "rejected", "UTF8"),
    ),
    # size
    Case(
        "events_huge_field",
        "events: a 5 MB JSON line",
        "file",
        "events",
        "accepted",
        "loads whole (lines are split in 16 MB chunks) and parses",
        make_events_huge_field,
        file_check("events", "accepted", raw_contains="length(event) > 5000000"),
    ),
    # schema drift: new columns
    Case(
        "events_new_field",
        "events: a JSON field staging does not know",
        "file",
        "events",
        "accepted",
        "kept in the raw JSON text events.events.event; staging ignores it",
        make_events_new_field,
        file_check("events", "accepted", raw_contains="event like '%experiment_variant%'"),
    ),
    Case(
        "fx_new_column",
        "lake: a new CSV column",
        "file",
        "lake",
        "accepted",
        "a new text column in raw lake.fx_rates; staging ignores it",
        make_fx_new_column,
        file_check("fx_rates", "accepted", raw_contains="provider = 'ecb'"),
    ),
    Case(
        "inventory_new_column",
        "lake: a new parquet column",
        "file",
        "lake",
        "accepted",
        "a new column in raw lake.inventory_snapshots; staging ignores it",
        make_inventory_new_column,
        file_check("inventory_snapshots", "accepted", raw_contains="bin_location is not null"),
    ),
    Case(
        "oltp_new_column",
        "oltp: a new column in a source table",
        "database",
        "oltp",
        "accepted",
        "a new column in the raw oltp table; staging selects its own columns",
        make_oltp_new_column,
        oltp_new_column_check,
    ),
    # schema drift: type changes
    Case(
        "inventory_type_change",
        "lake: a parquet column int -> string",
        "file",
        "lake",
        "rejected",
        "rejected_records: the column's type differs from the loaded files'",
        make_inventory_type_change,
        file_check("inventory_snapshots", "rejected", "type"),
    ),
    Case(
        "oltp_type_change",
        "oltp: a column INTEGER -> VARCHAR",
        "database",
        "oltp",
        "error",
        "ERROR oltp: names table.column and how to reload",
        run_alone=oltp_type_change,
    ),
    # duplicate keys
    Case(
        "events_duplicate_ids",
        "events: an event_id delivered twice",
        "file",
        "events",
        "quarantine",
        "the first delivery is the event; the copy in qrt_events__events, reason duplicate",
        make_events_duplicate_ids,
        file_check("events", "quarantine", "duplicate"),
    ),
    Case(
        "reviews_duplicate_ids",
        "documents: a review _id exported twice",
        "file",
        "documents",
        "quarantine",
        "the newest version is kept; the other in qrt_documents__reviews, reason duplicate",
        make_reviews_duplicate_ids,
        file_check("reviews", "quarantine", "duplicate"),
    ),
    Case(
        "fx_duplicate_keys",
        "lake: an FX rate for the same day and currency twice",
        "file",
        "lake",
        "quarantine",
        "the last row is kept; the other in qrt_lake__fx_rates, reason duplicate",
        make_fx_duplicate_keys,
        file_check("fx_rates", "quarantine", "duplicate"),
    ),
    Case(
        "inventory_duplicate_keys",
        "lake: an inventory row for the same day and product twice",
        "file",
        "lake",
        "quarantine",
        "the last row is kept; the other in qrt_lake__inventory_snapshots, reason duplicate",
        make_inventory_duplicate_keys,
        file_check("inventory_snapshots", "quarantine", "duplicate"),
    ),
    # timestamps
    Case(
        "events_timestamp_without_zone",
        "events: timestamps without a zone",
        "file",
        "events",
        "quarantine",
        "qrt_events__events, reason timestamp_without_zone (the instant is ambiguous)",
        make_events_timestamp_without_zone,
        file_check("events", "quarantine", "timestamp_without_zone"),
    ),
    Case(
        "events_future_timestamp",
        "events: an event in 2099",
        "file",
        "events",
        "quarantine",
        "qrt_events__events, reason future_timestamp",
        make_events_future_timestamp,
        file_check("events", "quarantine", "future_timestamp"),
    ),
    Case(
        "weblogs_timestamp_without_zone",
        "weblogs: a log line without a UTC offset",
        "file",
        "weblogs",
        "quarantine",
        "qrt_weblogs__requests, reason unparseable_line",
        make_weblogs_timestamp_without_zone,
        file_check("access_log", "quarantine", "unparseable_line"),
    ),
    Case(
        "weblogs_future_timestamp",
        "weblogs: a request in 2099",
        "file",
        "weblogs",
        "quarantine",
        "qrt_weblogs__requests, reason future_timestamp",
        make_weblogs_future_timestamp,
        file_check("access_log", "quarantine", "future_timestamp"),
    ),
    Case(
        "oltp_future_timestamp",
        "oltp: an order updated_at in 2099",
        "database",
        "oltp",
        "accepted",
        "loaded, with a note that the incremental cursor is in the future",
        make_oltp_future_timestamp,
        oltp_future_check,
    ),
    # the ad platform API
    Case(
        "api_401",
        "adplatform: a wrong API token (401)",
        "api",
        "adplatform",
        "error",
        "ERROR adplatform: the API rejected the token; set SOURCES__ADPLATFORM__API_TOKEN",
        run_alone=api_bad_token,
    ),
    Case(
        "api_429",
        "adplatform: 30% of requests answered 429",
        "api",
        "adplatform",
        "accepted",
        "retried with backoff, every campaign-day loaded",
        run_alone=api_rate_limited,
        slow=True,
    ),
    Case(
        "api_500",
        "adplatform: every request answered 500/503",
        "api",
        "adplatform",
        "error",
        "ERROR adplatform: the API answered 5xx after retries; try again later",
        run_alone=api_server_error,
    ),
    Case(
        "api_timeout",
        "adplatform: the API accepts but never answers",
        "api",
        "adplatform",
        "error",
        "ERROR adplatform: the API did not answer within the timeout",
        run_alone=api_timeout,
        slow=True,
    ),
    Case(
        "api_invalid_json",
        "adplatform: a 200 answer whose body is HTML, not JSON",
        "api",
        "adplatform",
        "error",
        "ERROR adplatform: the API's answer is not JSON",
        run_alone=api_invalid_json,
    ),
    # the OLTP database down
    Case(
        "oltp_unreachable",
        "oltp: PostgreSQL URL with nothing listening",
        "database",
        "oltp",
        "error",
        "ERROR oltp: cannot read the database at <url>; check that it is running",
        run_alone=oltp_unreachable,
    ),
    Case(
        "oltp_database_dropped",
        "oltp: the PostgreSQL database does not exist (dropped)",
        "database",
        "oltp",
        "error",
        "ERROR oltp: cannot read the database ... does not exist",
        run_alone=oltp_database_dropped,
    ),
    Case(
        "oltp_connection_lost_mid_extract",
        "oltp: PostgreSQL terminates the connection while a table is being read",
        "database",
        "oltp",
        "error",
        "ERROR oltp: the connection to the database broke during the extract; nothing loaded; the re-run loads all",
        run_alone=oltp_connection_lost_mid_extract,
    ),
    Case(
        "oltp_sqlite_locked",
        "oltp: the SQLite file locked by another process",
        "database",
        "oltp",
        "error",
        "ERROR oltp: the database is locked",
        run_alone=oltp_sqlite_locked,
        slow=True,
    ),
    Case(
        "oltp_sqlite_missing",
        "oltp: the SQLite file removed",
        "database",
        "oltp",
        "error",
        "ERROR oltp: ... does not exist; generate the demo data",
        run_alone=oltp_sqlite_missing,
    ),
]
"""The catalogue, in the order of the README's table."""

SHARED_SOURCES = "oltp,documents,events,weblogs,lake"
DBT_SELECT = [
    "staging.documents",
    "staging.events",
    "staging.weblogs",
    "staging.lake",
    "quarantine",
    "stg_oltp__categories",
]


# --------------------------------------------------------------------------- running


def dbt_run(data_dir: Path, workdir: Path) -> Run:
    """``dbt run`` of the shared sources' staging and quarantine models (no tests: the checks are ours)."""
    dbt = Path(sys.executable).with_name("dbt")
    command = [str(dbt), "run", "--project-dir", ".", "--profiles-dir", ".", "--select", *DBT_SELECT]
    command += ["--target-path", str(workdir / "target"), "--log-path", str(workdir / "logs"), "--quiet"]
    return _run(command, _env(data_dir))


def prepare_shared(workdir: Path, cases: list[Case]) -> Scratch:
    """Demo data, a first clean ingest, every damage at once, the second ingest, one dbt run."""
    ctx = Scratch(workdir, workdir / "shared")
    generate(ctx.data_dir)
    first = ingest(ctx.data_dir, SHARED_SOURCES)
    if first.returncode:
        raise RuntimeError(f"the clean first ingest failed:\n{first.stderr[-2000:]}")
    for case in cases:
        assert case.produce is not None
        case.produce(ctx)
    ctx.ingest = ingest(ctx.data_dir, SHARED_SOURCES)
    ctx.dbt = dbt_run(ctx.data_dir, workdir)
    return ctx


def check_shared(ctx: Scratch, case: Case) -> CaseResult:
    """The verdict of a shared case on the prepared scratch DATA_DIR."""
    assert case.check is not None
    observed = case.check(ctx, case)
    if ctx.dbt is not None and ctx.dbt.returncode and observed.ok:
        observed = Observed(observed.outcome, observed.message, False, [f"dbt run failed: {ctx.dbt.stdout[-500:]}"])
    return _result(case, observed, 0.0)


def base_data(workdir: Path) -> Path:
    """Clean demo data that alone-cases copy (generated once per workdir)."""
    base = workdir / "base"
    if not (base / "manifest.json").exists():
        generate(base)
    return base


def run_alone(workdir: Path, case: Case) -> CaseResult:
    """Run one alone-case on its own copy of the demo data."""
    assert case.run_alone is not None
    data_dir = workdir / case.id
    shutil.rmtree(data_dir, ignore_errors=True)
    shutil.copytree(base_data(workdir), data_dir)
    started = time.monotonic()
    observed = case.run_alone(data_dir)
    return _result(case, observed, time.monotonic() - started)


def _result(case: Case, observed: Observed, seconds: float) -> CaseResult:
    passed = observed.ok and observed.outcome == case.expected
    problems = list(observed.problems)
    if observed.outcome != case.expected and not any("expected" in p for p in problems):
        problems.append(f"expected {case.expected}, got {observed.outcome}")
    return CaseResult(
        case.id, case.input, case.source, case.expected, observed.outcome, observed.message, passed, problems, seconds
    )


def run_catalogue(workdir: Path, cases: list[Case] | None = None) -> list[CaseResult]:
    """Run every case (or ``cases``) in scratch folders under ``workdir``; return the verdicts in order."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    chosen = list(CASES if cases is None else cases)
    shared = [case for case in chosen if case.shared]
    by_id: dict[str, CaseResult] = {}
    if shared:
        started = time.monotonic()
        ctx = prepare_shared(workdir, shared)
        for case in shared:
            by_id[case.id] = check_shared(ctx, case)
        seconds = (time.monotonic() - started) / len(shared)
        for result in by_id.values():
            result.seconds = seconds
    for case in chosen:
        if not case.shared:
            by_id[case.id] = run_alone(workdir, case)
    results = [by_id[case.id] for case in chosen]
    for result in results:  # scratch paths change every run; the table should not
        result.message = result.message.replace(str(workdir.resolve()), "$WORKDIR").replace(str(workdir), "$WORKDIR")
    return results


def format_markdown(results: list[CaseResult]) -> str:
    """The catalogue as a Markdown table: input, source, outcome, what the user sees, verdict."""
    lines = [
        "| Input | Source | Outcome | What the user sees | Verdict |",
        "|---|---|---|---|---|",
    ]
    for result in results:
        seen = result.message.replace("|", "\\|").replace("\n", " ")
        if len(seen) > 300:
            seen = seen[:297] + "..."
        verdict = result.verdict if result.passed else f"FAIL ({'; '.join(result.problems)})"
        lines.append(f"| {result.input} | {result.source} | {result.outcome} | {seen} | {verdict} |")
    passed = sum(result.passed for result in results)
    lines.append("")
    lines.append(f"{passed} of {len(results)} cases pass.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.reliability.bad_inputs",
        description="Run the bad-input catalogue on scratch demo data and print what each input gets.",
    )
    parser.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    parser.add_argument("--workdir", type=Path, help="scratch folder to keep (default: a temporary one)")
    parser.add_argument("--case", action="append", help="run only this case id (repeatable)")
    args = parser.parse_args(argv)
    cases = [case for case in CASES if not args.case or case.id in args.case]
    unknown = set(args.case or []) - {case.id for case in CASES}
    if unknown:
        parser.error(f"unknown case(s): {', '.join(sorted(unknown))}")
    with contextlib.ExitStack() as stack:
        workdir = args.workdir or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bad-inputs-")))
        results = run_catalogue(workdir, cases)
    print(format_markdown(results))
    if args.json:
        args.json.write_text(json.dumps([asdict(result) for result in results], indent=2) + "\n")
    return 0 if all(result.passed for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["CASES", "Case", "CaseResult", "format_markdown", "run_catalogue"]
