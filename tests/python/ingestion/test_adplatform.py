"""Ad platform API: the warehouse holds exactly what the API serves, through faults and restatements."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest
from ingest_helpers import demo, manifest, query, scalar

from demo.adplatform import AdPlatformServer
from ingestion.adplatform import MAX_REPORT_DAYS

TOKEN = "ingest-test-token-8Hq2"


@contextmanager
def api(data_dir: Path, monkeypatch: pytest.MonkeyPatch, **faults: float) -> Iterator[AdPlatformServer]:
    """Serve the demo API for ``data_dir`` and point the ingestion config at it."""
    server = AdPlatformServer(data_dir, token=TOKEN, retry_after_seconds=0, **faults)
    url = server.start()
    monkeypatch.setenv("SOURCES__ADPLATFORM__BASE_URL", url)
    monkeypatch.setenv("SOURCES__ADPLATFORM__API_TOKEN", TOKEN)
    try:
        yield server
    finally:
        server.stop()


def assert_matches_served(data_dir: Path) -> None:
    """Rows and every metric total equal the manifest's currently served figures."""
    served = manifest(data_dir)["ad_platform"]["served"]
    assert scalar(data_dir, "select count(*) from adplatform.daily_metrics") == served["rows"]
    duplicates = (
        "select count(*) from (select campaign_id, date from adplatform.daily_metrics group by all having count(*) > 1)"
    )
    assert scalar(data_dir, duplicates) == 0
    for metric in ("impressions", "clicks", "conversions"):
        assert scalar(data_dir, f"select sum({metric}) from adplatform.daily_metrics") == served[metric], metric
    cost = dict(query(data_dir, "select currency, sum(cost_micros) from adplatform.daily_metrics group by 1"))
    assert cost == served["cost_micros_by_currency"]


def test_full_load_equals_what_the_api_serves(generated, ingest, monkeypatch) -> None:
    data_dir = generated(12)
    with api(data_dir, monkeypatch):
        result = ingest(data_dir, "adplatform")
    assert result.ok, result.error
    assert_matches_served(data_dir)
    campaigns = manifest(data_dir)["ad_platform"]["campaigns"]
    assert scalar(data_dir, "select count(*) from adplatform.campaigns") == campaigns
    assert scalar(data_dir, "select typeof(any_value(cost_micros)) from adplatform.daily_metrics") == "BIGINT"
    # the token is a secret: not in dlt's state, schemas, traces or load packages
    pipelines = data_dir / "pipelines"
    assert [path for path in pipelines.rglob("*") if path.is_file() and TOKEN.encode() in path.read_bytes()] == []


def test_injected_429_and_5xx_are_retried_to_completion(generated, ingest, monkeypatch) -> None:
    data_dir = generated(12)
    monkeypatch.setenv("SOURCES__ADPLATFORM__PAGE_SIZE", "5")  # many pages, so many chances to fail
    monkeypatch.setenv("RUNTIME__REQUEST_MAX_ATTEMPTS", "8")
    with api(data_dir, monkeypatch, fail_429_rate=0.2, fail_5xx_rate=0.2) as server:
        result = ingest(data_dir, "adplatform")
        statuses = server.request_count
    assert result.ok, result.error
    assert statuses.get(429, 0) > 0 and sum(count for status, count in statuses.items() if status >= 500) > 0
    assert_matches_served(data_dir)


def test_restated_days_are_replaced_after_advance(generated, ingest, monkeypatch) -> None:
    data_dir = generated(10)
    with api(data_dir, monkeypatch):
        assert ingest(data_dir, "adplatform").ok
    before = scalar(data_dir, "select sum(clicks) from adplatform.daily_metrics")
    demo(data_dir, "advance", "--days", "2")
    with api(data_dir, monkeypatch):
        again = ingest(data_dir, "adplatform")
    assert again.ok, again.error
    assert_matches_served(data_dir)  # preliminary days restated, new days added, nothing doubled
    assert scalar(data_dir, "select sum(clicks) from adplatform.daily_metrics") > before


def test_bad_token_is_one_clear_error_without_the_token(generated, ingest, monkeypatch) -> None:
    data_dir = generated(3)
    with api(data_dir, monkeypatch):
        monkeypatch.setenv("SOURCES__ADPLATFORM__API_TOKEN", "wrong-token-XYZ")
        result = ingest(data_dir, "adplatform")
    assert not result.ok
    assert result.error.startswith("adplatform: the API rejected the token (401")
    assert "wrong-token-XYZ" not in result.error and TOKEN not in result.error


def test_unreachable_api_is_one_clear_error(generated, ingest, monkeypatch) -> None:
    data_dir = generated(3)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("SOURCES__ADPLATFORM__BASE_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("SOURCES__ADPLATFORM__API_TOKEN", TOKEN)
    monkeypatch.setenv("RUNTIME__REQUEST_MAX_ATTEMPTS", "2")
    result = ingest(data_dir, "adplatform")
    assert not result.ok
    assert result.error.startswith("adplatform: cannot reach the API")


def test_missing_token_is_one_clear_error(generated, ingest) -> None:
    result = ingest(generated(2), "adplatform")
    assert not result.ok
    assert result.error.startswith("adplatform: no API token")


def test_first_load_lost_after_extract_is_reloaded_in_full(generated, ingest, monkeypatch) -> None:
    """A first load killed after extract (found by the crash trials, ``tools/reliability/crash.py``).

    dlt saved the pipeline state (with the ``daily_metrics`` cursor) locally, but the dataset never
    reached the warehouse. The next run's sync with the destination wipes that local state, so the
    report window must be computed after the sync: computed before it (from the wiped cursor), the
    request ran from ``start_date`` to a year after the cursor, over the API's 366 days, and got a 400.
    """
    start = "2025-01-01"  # the demo's first day
    if (dt.date.today() - dt.date.fromisoformat(start)).days < MAX_REPORT_DAYS + 10:
        pytest.skip("the backlog is under a year: every request ends today, so a stale window cannot show")
    monkeypatch.setenv("SOURCES__ADPLATFORM__START_DATE", start)
    data_dir = generated(10)
    with api(data_dir, monkeypatch):
        assert ingest(data_dir, "adplatform").ok
    # the kill's aftermath: local state and schema as after the extract, nothing of it in the warehouse
    connection = duckdb.connect(str(data_dir / "warehouse.duckdb"))
    connection.execute("drop schema adplatform cascade")
    connection.execute("drop schema if exists adplatform_staging cascade")
    connection.close()
    with api(data_dir, monkeypatch):
        again = ingest(data_dir, "adplatform")
    assert again.ok, again.error
    assert_matches_served(data_dir)
