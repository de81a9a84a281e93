"""The damaged inputs of the shared cases: builders of bad events, reviews, log lines, CSV and parquet files."""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import json
import sqlite3
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from .observe import (
    error_observed,
)
from .scratch import (
    MARK,
    Observed,
    Scratch,
    ingest,
)

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
