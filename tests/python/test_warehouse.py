"""End to end: demo data → ingest → `dbt build` → staging and intermediate equal the generator's manifest.

Every raw row is accounted for (valid + quarantined), every bad-record kind lands in quarantine with
its reason, and business figures (events by type, orders and money per currency, ad spend, log
lines by status) are exact. Runs on dirty data at a high rate so every kind of bad record occurs,
then again after `advance` and an incremental ingest.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, check=False, timeout=600)
    assert done.returncode == 0, f"{' '.join(command)}:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"


def _rows(data_dir: Path, sql: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _one(data_dir: Path, sql: str) -> Any:
    return _rows(data_dir, sql)[0][0]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _load_and_build(data_dir: Path, env: dict[str, str], tmp_path: Path) -> None:
    python = sys.executable
    _run([python, "-m", "demo", "api", "with", "--port", str(_free_port()), "--", python, "-m", "ingestion"], env)
    target = ["--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")]
    _run([str(Path(python).with_name("dbt")), "build", "--project-dir", ".", "--profiles-dir", ".", *target], env)


def _assert_staging_equals_manifest(data_dir: Path) -> None:
    manifest = json.loads((data_dir / "manifest.json").read_text())

    events = manifest["events"]
    assert _one(data_dir, "select count(*) from staging.stg_events__events") == events["delivered_events"]
    by_type = dict(_rows(data_dir, "select event_type, count(*) from staging.stg_events__events group by 1"))
    assert by_type == events["by_type"]
    quarantined = Counter(
        dict(_rows(data_dir, "select invalid_reason, count(*) from quarantine.qrt_events__events group by 1"))
    )
    assert quarantined == Counter(events["bad_records"])
    assert _one(data_dir, "select count(*) from events.events") == (
        events["delivered_events"] + sum(events["bad_records"].values())
    )

    reviews = manifest["reviews"]
    assert _one(data_dir, "select count(*) from staging.stg_documents__reviews") == reviews["valid_documents"]
    review_bad = dict(
        _rows(data_dir, "select invalid_reason, count(*) from quarantine.qrt_documents__reviews group by 1")
    )
    expected_review_bad = {
        ("duplicate" if kind == "duplicate_export" else kind): n for kind, n in reviews["bad_records"].items()
    }
    assert review_bad == expected_review_bad

    logs = manifest["web_logs"]
    valid_lines = _one(data_dir, "select count(*) from staging.stg_weblogs__requests")
    assert valid_lines + _one(data_dir, "select count(*) from quarantine.qrt_weblogs__requests") == logs["lines"]
    assert _one(data_dir, "select count(*) from quarantine.qrt_weblogs__requests") == logs["truncated"]
    statuses = {
        str(code): n
        for code, n in _rows(data_dir, "select status_code, count(*) from staging.stg_weblogs__requests group by 1")
    }
    assert statuses == logs["by_status"]
    assert _one(data_dir, "select count(*) from staging.stg_weblogs__requests where is_bot") == logs["bot"]

    oltp = manifest["oltp"]["row_counts"]
    for table, count in oltp.items():
        assert _one(data_dir, f"select count(*) from staging.stg_oltp__{table}") == count, table
    gross = dict(_rows(data_dir, "select currency, sum(total_amount) from staging.stg_oltp__orders group by 1"))
    assert gross == {currency: Decimal(total) for currency, total in manifest["orders"]["gross_total"].items()}

    served = manifest["ad_platform"]["served"]
    assert _one(data_dir, "select count(*) from staging.stg_adplatform__daily_metrics") == served["rows"]
    cost = dict(
        _rows(data_dir, "select currency, sum(cost_micros) from staging.stg_adplatform__daily_metrics group by 1")
    )
    assert cost == served["cost_micros_by_currency"]

    # intermediate: sessions by the 30-minute rule, orders with payments, refunds and USD conversion
    assert (
        _one(data_dir, "select count(*) from intermediate.int_sessions_attributed_to_campaigns") == events["sessions"]
    )
    orders = manifest["orders"]
    assert _one(data_dir, "select sum(total_amount_usd) from intermediate.int_orders_enriched") == Decimal(
        orders["gross_total_usd"]
    )
    net = dict(_rows(data_dir, "select currency, sum(net_amount) from intermediate.int_orders_enriched group by 1"))
    assert net == {currency: Decimal(total) for currency, total in orders["net_revenue"].items()}

    lake = manifest["lake"]
    assert (
        _one(data_dir, "select count(*) from staging.stg_lake__inventory_snapshots")
        == lake["inventory_snapshots"]["rows"]
    )
    assert _one(data_dir, "select count(*) from staging.stg_lake__fx_rates") == lake["fx_rates"]["rows"]


def test_staging_equals_the_manifest_before_and_after_a_new_day(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SOURCES__", "DESTINATION__", "INGESTION__"))},
        "DATA_DIR": str(data_dir),
    }
    # 50 days cross the reviews' schema change; a high dirty rate makes every bad-record kind occur
    _run([sys.executable, "-m", "demo", "generate", "--scale", "0.01", "--days", "50", "--dirty-rate", "0.3"], env)
    _load_and_build(data_dir, env, tmp_path)
    _assert_staging_equals_manifest(data_dir)

    _run([sys.executable, "-m", "demo", "advance", "--days", "2"], env)
    _load_and_build(data_dir, env, tmp_path)
    _assert_staging_equals_manifest(data_dir)
