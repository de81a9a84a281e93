"""The demo shop generator: determinism, cross-system integrity, manifest truth, `advance`, dirty data.

The checks re-derive every figure from the written files and the OLTP database, so a manifest that
drifts from what was written fails here.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import json
import re
import sqlite3
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from demo.adplatform.metrics import load_daily_metrics, served_metrics, served_totals
from demo.generator import advance, generate
from demo.paths import SourcePaths

SCALE = 0.01
DAYS = 60
SEED = 1234
NGINX = re.compile(
    r'^(?P<ip>\S+) \S+ \S+ \[(?P<time>[^\]]+)\] "(?P<request>[^"]*)" (?P<status>\d{3}) (?P<size>\d+) '
    r'"(?P<referrer>[^"]*)" "(?P<ua>[^"]*)"$'
)
BOT_UA = re.compile(r"bot|crawler|spider|python-requests|curl|Go-http-client|zgrab", re.I)


# ------------------------------------------------------------------------------------------- helpers
def file_hashes(data_dir: Path) -> dict[str, str]:
    """sha256 of every source file except the SQLite database (compared by content instead)."""
    root = SourcePaths(data_dir).sources
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != "shop.sqlite" and not p.name.startswith((".api_token", "server."))
    }


def db_dump(data_dir: Path) -> dict[str, list[tuple[Any, ...]]]:
    con = sqlite3.connect(SourcePaths(data_dir).oltp_sqlite)
    try:
        tables = [r[0] for r in con.execute("select name from sqlite_master where type = 'table' order by 1")]
        return {t: con.execute(f"select * from {t} order by 1").fetchall() for t in tables}
    finally:
        con.close()


def query(data_dir: Path, sql: str) -> list[tuple[Any, ...]]:
    con = sqlite3.connect(SourcePaths(data_dir).oltp_sqlite)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def event_lines(data_dir: Path) -> dict[str, list[str]]:
    """Lines per partition date."""
    out: dict[str, list[str]] = defaultdict(list)
    for path in sorted(SourcePaths(data_dir).events.glob("dt=*/*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            out[path.parent.name[3:]].extend(handle.read().splitlines())
    return out


def classify_events(lines: list[str]) -> tuple[list[dict[str, Any]], Counter[str]]:
    """Valid, distinct events and the count of each kind of bad line, as a staging model would."""
    bad: Counter[str] = Counter()
    valid: list[dict[str, Any]] = []
    seen: set[str] = set()
    for line in lines:
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            bad["malformed_json"] += 1
            continue
        if event["event_type"] is None or event["anonymous_id"] is None:
            bad["null_required"] += 1
        elif event["event_ts"] > "2030":
            bad["future_timestamp"] += 1
        elif event["event_id"] in seen:
            bad["duplicate"] += 1
        else:
            seen.add(event["event_id"])
            valid.append(event)
    return valid, bad


def sessionize(events: list[dict[str, Any]], gap_minutes: int = 30) -> int:
    by_visitor: dict[str, list[str]] = defaultdict(list)
    for e in events:
        by_visitor[e["anonymous_id"]].append(e["event_ts"])
    sessions = 0
    for stamps in by_visitor.values():
        times = sorted(dt.datetime.fromisoformat(s.replace("Z", "+00:00")) for s in stamps)
        sessions += 1 + sum(
            1 for a, b in zip(times, times[1:], strict=False) if (b - a) > dt.timedelta(minutes=gap_minutes)
        )
    return sessions


def money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


# ------------------------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    data_dir = tmp_path_factory.mktemp("shop")
    result = generate(data_dir, days=DAYS, scale=SCALE, seed=SEED, quiet=True)
    return data_dir, result.manifest


# ------------------------------------------------------------------------------------------- determinism
def test_same_seed_gives_byte_identical_output(shop: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    data_dir, manifest = shop
    again = generate(tmp_path, days=DAYS, scale=SCALE, seed=SEED, quiet=True)
    assert file_hashes(tmp_path) == file_hashes(data_dir)
    assert db_dump(tmp_path) == db_dump(data_dir)
    assert again.manifest == manifest
    assert (tmp_path / "manifest.json").read_bytes() == (data_dir / "manifest.json").read_bytes()


def test_worker_process_and_single_process_write_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import demo.generator as generator

    outputs = []
    for parallel in (True, False):
        monkeypatch.setattr(generator, "PARALLEL", parallel)
        out = tmp_path / str(parallel)
        generate(out, days=6, scale=0.03, seed=SEED, quiet=True)
        advance(out, days=1, quiet=True)
        outputs.append((file_hashes(out), db_dump(out), (out / "manifest.json").read_text()))
    assert outputs[0] == outputs[1]


def test_another_seed_gives_another_shop(shop: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    data_dir, _ = shop
    generate(tmp_path, days=5, scale=SCALE, seed=SEED + 1, quiet=True)
    ours = file_hashes(data_dir)
    theirs = file_hashes(tmp_path)
    common = set(ours) & set(theirs) - {"lake/fx_rates/dt=2025-01-01/fx_rates.csv"}
    assert common and all(ours[k] != theirs[k] for k in common if k.startswith(("lake/events", "logs")))


def test_generate_then_advance_equals_generating_more_days(tmp_path: Path) -> None:
    stepped, direct = tmp_path / "stepped", tmp_path / "direct"
    generate(stepped, days=8, scale=SCALE, seed=SEED, quiet=True)
    advance(stepped, days=2, quiet=True)
    advance(stepped, days=1, quiet=True)
    generate(direct, days=11, scale=SCALE, seed=SEED, quiet=True)
    assert file_hashes(stepped) == file_hashes(direct)
    assert db_dump(stepped) == db_dump(direct)
    assert json.loads((stepped / "manifest.json").read_text()) == json.loads((direct / "manifest.json").read_text())


def test_scalar_and_vectorized_hashes_agree() -> None:
    """world.mix (numpy) and world.mix_int (scalars) must stay one function: both feed the same ids."""
    import numpy as np

    from demo.generator.world import mix, mix_int, uniform, uniform_int

    ids = np.array([0, 1, 2, 41, 10**6, 2**40 + 7], dtype=np.int64)
    for seed, salt in ((42, 11), (7, 141), (1234, 41)):
        assert [int(x) for x in mix(seed, salt, ids)] == [mix_int(seed, salt, int(i)) for i in ids]
        assert list(uniform(seed, salt, ids)) == [uniform_int(seed, salt, int(i)) for i in ids]


# ------------------------------------------------------------------------------------------- OLTP
def test_oltp_row_counts_and_money_match_the_manifest(shop: tuple[Path, dict[str, Any]]) -> None:
    data_dir, manifest = shop
    dump = db_dump(data_dir)
    assert {t: len(rows) for t, rows in dump.items()} == manifest["oltp"]["row_counts"]
    gross = {
        cur: money(total)
        for cur, total in query(
            data_dir, "select currency, sum(round(total_amount * 100)) / 100.0 from orders group by 1"
        )
    }
    assert gross == {cur: Decimal(v) for cur, v in manifest["orders"]["gross_total"].items()}
    captured = dict(
        query(
            data_dir,
            "select currency, cast(sum(round(amount * 100)) as integer) from payments "
            "where status = 'captured' group by 1",
        )
    )
    assert {c: Decimal(v) / 100 for c, v in captured.items()} == {
        c: Decimal(v) for c, v in manifest["orders"]["payments"]["captured_amount"].items()
    }
    refunded = dict(
        query(data_dir, "select currency, cast(sum(round(amount * 100)) as integer) from refunds group by 1")
    )
    assert {c: Decimal(v) / 100 for c, v in refunded.items()} == {
        c: Decimal(v) for c, v in manifest["orders"]["refunds"]["amount"].items()
    }
    per_day = {
        (d, cur): Decimal(v)
        for day in manifest["orders"]["by_day"]
        for d in [day["date"]]
        for cur, v in day["gross_total"].items()
    }
    db_per_day = {
        (d, cur): money(v)
        for d, cur, v in query(
            data_dir,
            "select substr(placed_at, 1, 10), currency, sum(round(total_amount * 100)) / 100.0 "
            "from orders group by 1, 2",
        )
    }
    assert db_per_day == per_day


def test_orders_add_up(shop: tuple[Path, dict[str, Any]]) -> None:
    data_dir, _ = shop
    mismatched = query(
        data_dir,
        """
        select o.order_id from orders as o
        join (select order_id, sum(round(line_total * 100)) as items_cents,
                     sum(case when round(line_total * 100) <> round(unit_price * 100) * quantity then 1 else 0 end)
                         as bad_lines
              from order_items group by 1) as i using (order_id)
        where round(o.subtotal_amount * 100) <> i.items_cents or i.bad_lines > 0
           or round(o.total_amount * 100) <> round(o.subtotal_amount * 100) - round(o.discount_amount * 100)
                                             + round(o.shipping_amount * 100)
    """,
    )
    assert mismatched == []
    # Every refund belongs to a captured payment of the same order, and never exceeds it.
    bad_refunds = query(
        data_dir,
        """
        select r.refund_id from refunds as r join payments as p on p.payment_id = r.payment_id
        where p.order_id <> r.order_id or p.status <> 'captured' or r.amount > p.amount + 0.001
    """,
    )
    assert bad_refunds == []
    assert query(data_dir, "select count(*) from orders where order_id not in (select order_id from order_items)") == [
        (0,)
    ]


def test_order_status_history_is_consistent(shop: tuple[Path, dict[str, Any]]) -> None:
    data_dir, manifest = shop
    latest = query(
        data_dir,
        """
        select o.order_id from orders as o
        join (select order_id, status, row_number() over (partition by order_id
                     order by changed_at desc, order_status_history_id desc) as rn
              from order_status_history) as h on h.order_id = o.order_id and h.rn = 1
        where h.status <> o.status
    """,
    )
    assert latest == []
    statuses = dict(query(data_dir, "select status, count(*) from orders group by 1"))
    assert set(statuses) <= {"placed", "paid", "shipped", "delivered", "cancelled", "returned"}
    assert statuses.get("delivered", 0) > statuses.get("shipped", 0) > 0
    assert statuses.get("cancelled", 0) > 0 and statuses.get("returned", 0) > 0
    assert (
        manifest["oltp"]["soft_deleted"]["customers"]
        == query(data_dir, "select count(*) from customers where deleted_at is not null")[0][0]
    )
    assert manifest["oltp"]["hard_deleted"]["addresses"] > 0


# ------------------------------------------------------------------------------------------- events
def test_events_match_the_manifest_and_sessionize(shop: tuple[Path, dict[str, Any]]) -> None:
    data_dir, manifest = shop
    partitions = event_lines(data_dir)
    all_lines = [line for lines in partitions.values() for line in lines]
    valid, bad = classify_events(all_lines)
    ev = manifest["events"]
    assert len(all_lines) == ev["lines"]
    assert dict(bad) == ev["bad_records"]
    assert len(valid) == ev["delivered_events"]
    assert dict(Counter(e["event_type"] for e in valid)) == ev["by_type"]
    assert sessionize(valid) == ev["sessions"]
    assert ev["files"] == len(list(SourcePaths(data_dir).events.glob("dt=*/*.jsonl.gz")))
    for p in ev["by_partition"]:
        assert len(partitions[p["dt"]]) == p["lines"]
    # Late events: event time on an earlier day than the partition they arrived in.
    late = sum(1 for dt_, lines in partitions.items() for e in classify_events(lines)[0] if e["event_ts"][:10] < dt_)
    assert late == ev["late_arriving"] > 0
    purchases = defaultdict(Decimal)
    for e in valid:
        if e["event_type"] == "purchase":
            purchases[e["properties"]["currency"]] += money(e["properties"]["total"])
    assert {c: str(v) for c, v in purchases.items()} == ev["purchase_total"]


def test_events_join_to_the_oltp_and_the_ad_platform(shop: tuple[Path, dict[str, Any]]) -> None:
    data_dir, _ = shop
    valid, _ = classify_events([line for lines in event_lines(data_dir).values() for line in lines])
    customers = {r[0] for r in query(data_dir, "select customer_id from customers")}
    orders = {
        r[0]: r[1:]
        for r in query(data_dir, "select order_id, customer_id, currency, round(total_amount, 2), channel from orders")
    }
    campaigns_file = SourcePaths(data_dir).adplatform / "campaigns.json"
    campaigns = {c["campaign_id"] for c in json.loads(campaigns_file.read_text())}
    products = {r[0] for r in query(data_dir, "select product_id from products")}
    purchases = 0
    for e in valid:
        if e["user_id"] is not None:
            assert int(e["user_id"]) in customers
        if e["event_type"] == "purchase":
            purchases += 1
            customer_id, currency, total, channel = orders[int(e["properties"]["order_id"])]
            assert int(e["user_id"]) == customer_id
            assert e["properties"]["currency"] == currency and money(e["properties"]["total"]) == money(total)
            assert channel == ("web" if e["platform"] == "web" else "app")
        if e["event_type"] == "add_to_cart":
            assert e["properties"]["product_id"] in products
        utm_id = e["context"].get("campaign", {}).get("id")
        if utm_id is not None:
            assert int(utm_id) in campaigns
    web_app_orders = sum(1 for o in orders.values() if o[3] in ("web", "app"))
    assert purchases == web_app_orders > 0


# ------------------------------------------------------------------------------------------- web logs
def test_access_logs_parse_and_match_the_manifest(shop: tuple[Path, dict[str, Any]]) -> None:
    data_dir, manifest = shop
    logs = manifest["web_logs"]
    files = sorted(SourcePaths(data_dir).nginx_logs.glob("access.log-*.gz"))
    assert len(files) == logs["files"] == DAYS
    lines = [line for f in files for line in gzip.decompress(f.read_bytes()).decode("utf-8").splitlines()]
    assert len(lines) == logs["lines"]
    parsed = [NGINX.match(line) for line in lines]
    assert sum(1 for m in parsed if m is None) == logs["truncated"] == logs["bad_records"]["truncated"] > 0
    ok = [m for m in parsed if m]
    assert dict(Counter(m["status"] for m in ok)) == logs["by_status"]
    assert sum(1 for m in ok if BOT_UA.search(m["ua"])) == logs["bot"]
    assert sum(1 for m in ok if m["request"].startswith("\\x") or m["request"] == "-") == logs["invalid"]
    offsets = {m["time"][-5:] for m in ok}
    assert offsets == {"+0100"} or offsets == {"+0100", "+0200"}  # Europe/Berlin local time
    web_page_views = manifest["events"]["by_type"]["page_view"]
    # Tracked page views in the logs are the page_view events' own requests.
    assert logs["tracked_page_views"] == web_page_views


# ------------------------------------------------------------------------------------------- documents
def test_review_export_schema_change_and_bad_documents(shop: tuple[Path, dict[str, Any]]) -> None:
    data_dir, manifest = shop
    rv = manifest["reviews"]
    files = sorted(SourcePaths(data_dir).reviews.glob("reviews_*.json"))
    assert len(files) == DAYS == rv["files"]
    lines = [(f.name[8:18], line) for f in files for line in f.read_text().splitlines()]
    assert len(lines) == rv["lines"]
    docs, malformed = [], 0
    for day, line in lines:
        try:
            docs.append((day, json.loads(line)))
        except json.JSONDecodeError:
            malformed += 1
    ids = Counter(d["_id"]["$oid"] for _, d in docs)
    assert malformed == rv["bad_records"].get("malformed_json", 0)
    assert sum(n - 1 for n in ids.values()) == rv["bad_records"].get("duplicate_export", 0)
    assert len(ids) == rv["documents"]
    change = rv["schema_change_date"]
    for day, d in docs:
        assert re.fullmatch(r"[0-9a-f]{24}", d["_id"]["$oid"])
        assert "$date" in d["createdAt"] and "$numberDecimal" in d["pricePaid"]
        if day < change:
            assert "body" in d and "text" not in d and "verifiedPurchase" not in d
        else:
            assert "text" in d and "body" not in d and isinstance(d["verifiedPurchase"], bool)
    unique = {d["_id"]["$oid"]: d for _, d in docs}.values()
    assert sum(1 for d in unique if d["rating"] not in range(1, 6)) == rv["bad_records"].get("rating_out_of_range", 0)
    assert sum(1 for d in unique if d["productId"] is None) == rv["bad_records"].get("missing_product_id", 0)
    assert rv["schema_v1"] > 0 and rv["schema_v2"] > 0
    # Reviews follow a delivered order of the same customer and product.
    items = {
        (r[0], r[1], r[2])
        for r in query(
            data_dir,
            """
        select o.order_id, o.customer_id, i.product_id from orders as o join order_items as i using (order_id)
        where o.status in ('delivered', 'returned')""",
        )
    }
    for d in unique:
        if d["productId"] is not None:
            assert (d["orderId"], d["customerId"], d["productId"]) in items


# ------------------------------------------------------------------------------------------- lake and ads
def test_lake_tables(shop: tuple[Path, dict[str, Any]]) -> None:
    data_dir, manifest = shop
    paths = SourcePaths(data_dir)
    snapshots = sorted(paths.inventory.glob("dt=*/*.parquet"))
    assert len(snapshots) == DAYS == manifest["lake"]["inventory_snapshots"]["files"]
    table = pq.read_table(snapshots[-1])
    assert str(table.schema.field("list_price_usd").type) == "decimal128(12, 2)"
    assert table.column("snapshot_date")[0].as_py().isoformat() == snapshots[-1].parent.name[3:]
    assert min(table.column("on_hand").to_pylist()) >= 0
    active = {r[0] for r in query(data_dir, "select product_id from products where deleted_at is null")}
    assert set(table.column("product_id").to_pylist()) <= active
    rows = sum(pq.read_metadata(p).num_rows for p in snapshots)
    assert rows == manifest["lake"]["inventory_snapshots"]["rows"]
    fx = [row for p in sorted(paths.fx_rates.glob("dt=*/fx_rates.csv")) for row in csv.DictReader(p.open())]
    assert len(fx) == manifest["lake"]["fx_rates"]["rows"] == 3 * DAYS
    assert {r["currency"] for r in fx} == {"USD", "EUR", "GBP"}
    assert all(Decimal(r["usd_per_unit"]) > 0 for r in fx)


def test_ad_platform_files_and_restatement(shop: tuple[Path, dict[str, Any]]) -> None:
    data_dir, manifest = shop
    rows = load_daily_metrics(data_dir)
    assert len(rows) == manifest["ad_platform"]["final"]["rows"]
    assert sum(r["clicks"] for r in rows) == manifest["ad_platform"]["final"]["clicks"]
    assert all(r["cost_micros"] % 10_000 == 0 and r["impressions"] >= r["clicks"] for r in rows)
    assert manifest["ad_platform"]["served"] == served_totals(data_dir)
    assert manifest["ad_platform"]["served"]["clicks"] < manifest["ad_platform"]["final"]["clicks"]
    # Paid sessions never exceed the clicks the platform reports for a campaign and day.
    valid, _ = classify_events([line for lines in event_lines(data_dir).values() for line in lines])
    sessions: Counter[tuple[str, int]] = Counter()
    for e in valid:
        campaign = e["context"].get("campaign", {})
        if campaign.get("id"):
            sessions[(e["event_ts"][:10], int(campaign["id"]))] += 1
    clicks = {(r["date"].isoformat(), r["campaign_id"]): r["clicks"] for r in rows}
    assert sessions and all(n <= clicks[key] for key, n in sessions.items())


# ------------------------------------------------------------------------------------------- advance
def test_advance_adds_a_day_of_changes(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    generate(data_dir, days=20, scale=0.05, seed=SEED, quiet=True)
    before_files = file_hashes(data_dir)
    before = db_dump(data_dir)
    ads_before = {(r["date"], r["campaign_id"]): r for r in load_daily_metrics(data_dir)}
    manifest_before = json.loads((data_dir / "manifest.json").read_text())
    late_pending = manifest_before["events"]["pending_late"]
    pending_commits = manifest_before["oltp"]["pending_late_commits"]
    manifest = advance(data_dir, days=1, quiet=True).manifest
    after_files = file_hashes(data_dir)
    new_day = "2025-01-21"
    # Files of earlier days are never rewritten; the new day gets its own files.
    changed = {k for k in before_files if after_files.get(k) != before_files[k]}
    assert changed <= {"adplatform/daily_metrics.csv", "adplatform/campaigns.json", "adplatform/state.json"}
    added = set(after_files) - set(before_files)
    assert f"lake/events/dt={new_day}/part-00000.jsonl.gz" in added
    assert f"logs/nginx/access.log-{new_day.replace('-', '')}.gz" in added
    assert f"documents/reviews/reviews_{new_day}.json" in added
    # New orders, updated orders (status changes), and rows committed late (updated_at before the cursor).
    assert query(data_dir, f"select count(*) from orders where placed_at >= '{new_day}'")[0][0] > 0
    old_orders = {r[0]: r for r in before["orders"]}
    updated = [r for r in db_dump(data_dir)["orders"] if r[0] in old_orders and r != old_orders[r[0]]]
    assert updated and all(r[4] != old_orders[r[0]][4] for r in updated)
    assert manifest["oltp"]["row_counts"]["addresses"] == len(db_dump(data_dir)["addresses"])
    # Status changes stamped yesterday but committed today: what a cursor without lag would miss.
    late_commits = query(
        data_dir,
        f"select count(*) from order_status_history where changed_at < '{new_day}' "
        f"and order_status_history_id > {len(before['order_status_history'])}",
    )[0][0]
    assert late_commits == pending_commits
    # Yesterday's late events arrive in today's partition.
    lines = event_lines(data_dir)[new_day]
    arrived = [e for e in classify_events(lines)[0] if e["event_ts"][:10] < new_day]
    assert len(arrived) == late_pending > 0
    # The ad platform restates the last days: final numbers of old days never change.
    ads_after = {(r["date"], r["campaign_id"]): r for r in load_daily_metrics(data_dir)}
    assert all(ads_after[k] == v for k, v in ads_before.items())
    as_of = dt.date.fromisoformat(new_day)
    yesterday = dt.date(2025, 1, 20)
    restated = [
        k
        for k in ads_before
        if k[0] == yesterday and served_metrics(ads_after[k], as_of) != served_metrics(ads_before[k], yesterday)
    ]
    assert restated and all(
        served_metrics(ads_after[k], as_of)["cost_micros"] >= served_metrics(ads_before[k], yesterday)["cost_micros"]
        for k in restated
    )


# ------------------------------------------------------------------------------------------- dirty data
def test_dirty_data_can_be_turned_off(tmp_path: Path) -> None:
    manifest = generate(tmp_path, days=10, scale=SCALE, seed=SEED, dirty=False, quiet=True).manifest
    assert manifest["events"]["bad_records"] == {}
    assert manifest["web_logs"]["truncated"] == 0
    assert manifest["reviews"]["bad_records"] == {}
    assert manifest["oltp"]["bad_records"] == {}
    valid, bad = classify_events([line for lines in event_lines(tmp_path).values() for line in lines])
    assert not bad and len(valid) == manifest["events"]["delivered_events"]
    assert query(tmp_path, "select count(*) from customers where email is null")[0][0] == 0


def test_dirty_data_is_on_by_default(shop: tuple[Path, dict[str, Any]]) -> None:
    _, manifest = shop
    assert manifest["generator"]["dirty"] is True
    assert set(manifest["events"]["bad_records"]) >= {"duplicate", "malformed_json"}
    assert manifest["oltp"]["bad_records"].get("customers_null_email", 0) > 0
    assert manifest["oltp"]["late_committed_updates"] > 0


def test_scale_is_linear(tmp_path: Path) -> None:
    # about 100 and 300 orders: enough that Poisson noise stays well inside the band
    small = generate(tmp_path / "a", days=10, scale=0.05, seed=SEED, quiet=True).manifest
    large = generate(tmp_path / "b", days=10, scale=0.15, seed=SEED, quiet=True).manifest
    for key in (("orders", "orders"), ("events", "delivered_events"), ("web_logs", "lines")):
        ratio = large[key[0]][key[1]] / small[key[0]][key[1]]
        assert 2.4 < ratio < 3.6, (key, ratio)


def test_generate_refuses_to_wipe_data_under_a_running_api(tmp_path: Path) -> None:
    import subprocess
    import sys

    data_dir = tmp_path / "data"
    generate(data_dir, days=2, scale=SCALE, seed=SEED, quiet=True)
    cli = [sys.executable, "-m", "demo", "--data-dir", str(data_dir)]
    port = _free_port()
    subprocess.run([*cli, "api", "start", "--port", str(port)], check=True, capture_output=True, timeout=30)
    try:
        with pytest.raises(ValueError, match="api stop"):
            generate(data_dir, days=2, scale=SCALE, seed=SEED, quiet=True)
        assert (SourcePaths(data_dir).adplatform / "server.pid").exists()
    finally:
        subprocess.run([*cli, "api", "stop"], check=True, capture_output=True, timeout=30)
    generate(data_dir, days=2, scale=SCALE, seed=SEED, quiet=True)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
