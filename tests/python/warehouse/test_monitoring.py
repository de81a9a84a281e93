"""Monitoring (models/monitoring): the measures on hand-made data, and drift caught end to end.

The measures are the project's own macros (`monitoring_divergences`) compiled by dbt and run on
DuckDB over category counts written here, compared with the same formulas computed in Python. End to
end, a copy of the session warehouse gets one change per kind on its newest day (a category mix
moved, a number multiplied, a column turned mostly null, most rows of a table gone); the monitoring
models are rebuilt on it and must flag exactly those columns at error level, while the untouched
session warehouse has no error on any day it judged.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
from pathlib import Path

import duckdb
import pytest
from warehouse_helpers import DBT, REPO, Warehouse, run

MONITORING = "tag:monitoring"


def _psi(reference: dict[str, int], current: dict[str, int]) -> float:
    total_r, total_c = sum(reference.values()), sum(current.values())
    value = 0.0
    for category in set(reference) | set(current):
        r = (reference.get(category, 0) or 0.5) / total_r  # a category missing on a side: half a row
        c = (current.get(category, 0) or 0.5) / total_c
        value += (c - r) * math.log(c / r)
    return value


def _js_bits(reference: dict[str, int], current: dict[str, int]) -> float:
    total_r, total_c = sum(reference.values()), sum(current.values())
    value = 0.0
    for category in set(reference) | set(current):
        r, c = reference.get(category, 0) / total_r, current.get(category, 0) / total_c
        m = (r + c) / 2
        value += (0.5 * c * math.log(c / m) if c else 0.0) + (0.5 * r * math.log(r / m) if r else 0.0)
    return value / math.log(2)


CASES = {
    # name: (reference counts, current counts)
    "identical": ({"a": 500, "b": 300, "c": 200}, {"a": 50, "b": 30, "c": 20}),
    "known_shift": ({"a": 1000, "b": 1000}, {"a": 700, "b": 300}),
    "new_category": ({"a": 900, "b": 100}, {"a": 400, "b": 100, "c": 500}),
    "category_gone": ({"a": 500, "b": 500}, {"a": 1000}),
}


def _divergences(tmp_path: Path) -> dict[str, dict[str, float]]:
    """Run monitoring_divergences over CASES with `dbt show --inline` on an empty DuckDB."""
    rows = []
    for name, (reference, current) in CASES.items():
        for category in sorted(set(reference) | set(current)):
            rows.append(
                f"(date '2025-01-01', '{name}', 'x', 'categorical', '{category}', "
                f"{reference.get(category, 0)}, {current.get(category, 0)})"
            )
    sql = (
        "with sides as (select * from (values " + ", ".join(rows) + ") as t(check_date, table_name, column_name,"
        " column_kind, category_value, reference_rows, current_rows)) {{ monitoring_divergences('sides') }}"
    )
    env = {"DATA_DIR": str(tmp_path), "PATH": str(Path(DBT).parent) + ":/usr/bin:/bin", "HOME": str(tmp_path)}
    paths = ["--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")]
    done = run(
        [DBT, "show", "--inline", sql, "--limit", "-1", "--output", "json", "--log-format", "json", *paths],
        env,
    )
    for line in done.stdout.splitlines():
        event = json.loads(line)
        preview = event.get("data", {}).get("preview")
        if preview:
            return {row["table_name"]: row for row in json.loads(preview)}
    raise AssertionError(f"no preview in dbt show's output:\n{done.stdout[-3000:]}")


def test_psi_and_js_on_hand_made_counts(tmp_path: Path) -> None:
    measured = _divergences(tmp_path)
    assert set(measured) == set(CASES)
    assert measured["identical"]["psi"] == pytest.approx(0.0, abs=1e-12)
    assert measured["identical"]["js_divergence"] == pytest.approx(0.0, abs=1e-12)
    # 0.5/0.5 -> 0.7/0.3: (0.2 ln 1.4) + (0.2 ln (5/3))
    assert measured["known_shift"]["psi"] == pytest.approx(0.2 * math.log(1.4) + 0.2 * math.log(5 / 3), rel=1e-9)
    for name, (reference, current) in CASES.items():
        assert measured[name]["psi"] == pytest.approx(_psi(reference, current), rel=1e-9, abs=1e-12), name
        assert measured[name]["js_divergence"] == pytest.approx(_js_bits(reference, current), rel=1e-9, abs=1e-12)
        k = len(set(reference) | set(current))
        n = 1 / sum(current.values()) + 1 / sum(reference.values())
        assert measured[name]["category_count"] == k
        assert measured[name]["psi_allowance"] == pytest.approx(n * ((k - 1) + 3 * math.sqrt(2 * (k - 1))), rel=1e-9)
    # a category that vanished entirely: JS divergence is bounded (1 bit when nothing is shared)
    assert 0 < measured["category_gone"]["js_divergence"] < 1


def _latest_errors(warehouse: Warehouse) -> set[tuple[str, str, str]]:
    return set(
        warehouse.rows(
            "select table_name, column_name, measure from monitoring.mon_checks "
            "where is_latest_check and check_status = 'error'"
        )
    )


def test_stationary_demo_raises_no_error(built_warehouse: Warehouse) -> None:
    """The session warehouse's data has no injected drift: no check of any judged day is at error."""
    judged = built_warehouse.one("select count(distinct check_date) from monitoring.mon_checks")
    assert judged >= 7, "the session warehouse should have days to judge (50 days, 28 of reference)"
    errors = built_warehouse.rows(
        "select check_date, table_name, column_name, measure, measure_value, error_threshold "
        "from monitoring.mon_checks where check_status = 'error' order by 1, 2, 3"
    )
    assert errors == []
    tables = {name for (name,) in built_warehouse.rows("select distinct table_name from monitoring.mon_checks")}
    assert {"fct_orders", "fct_sessions", "fct_events", "fct_web_requests"} <= tables


def test_each_drift_kind_is_flagged_on_its_column(built_warehouse: Warehouse, tmp_path: Path) -> None:
    warehouse = built_warehouse.copy(tmp_path)
    con = duckdb.connect(str(warehouse.data_dir / "warehouse.duckdb"))
    try:
        [(last_day,)] = con.execute("select max(session_start_date) from marts.fct_sessions").fetchall()
        # channel_mix: every session of the day arrives as e-mail traffic
        con.execute("update marts.fct_sessions set channel = 'email' where session_start_date = ?", [last_day])
        # price-like shift: every page-view count of the day multiplied by 5
        con.execute(
            "update marts.fct_sessions set page_view_count = page_view_count * 5 where session_start_date = ?",
            [last_day],
        )
        # null_spike: nine in ten durations of the day missing (the mart's not_null constraint, which
        # would refuse them at build time, is dropped on this copy: the monitoring is under test here)
        con.execute("alter table marts.fct_sessions alter column duration_seconds drop not null")
        con.execute(
            "update marts.fct_sessions set duration_seconds = null "
            "where session_start_date = ? and hash(session_id) % 10 <> 0",
            [last_day],
        )
        # volume_drop: nine in ten events of the day gone
        con.execute(
            "delete from marts.fct_events where event_date = ? and hash(event_id) % 10 <> 0",
            [(con.execute("select max(event_date) from marts.fct_events").fetchall()[0][0])],
        )
        # freshness: the ad platform's last two days never arrive (too few rows a day for a volume check)
        con.execute(
            "delete from marts.fct_ad_performance_daily "
            "where report_date >= (select max(report_date) - 1 from marts.fct_ad_performance_daily)"
        )
    finally:
        con.close()
    paths = ["--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")]
    # the monitoring models and their other tests build; the alarm tests are judged below
    run([DBT, "build", "--select", MONITORING, "--exclude", "test_name:no_monitoring_alarms", *paths], warehouse.env)
    errors = _latest_errors(warehouse)
    expected = {
        ("fct_sessions", "channel", "psi"),
        ("fct_sessions", "page_view_count", "psi"),
        ("fct_sessions", "duration_seconds", "null_rate_change"),
        ("fct_events", "*", "volume_change"),
        ("fct_ad_performance_daily", "*", "freshness_lag"),
    }
    assert expected <= errors, f"missed: {expected - errors}"
    unexpected = {error for error in errors if error not in expected and error[2] != "js_divergence"}
    assert unexpected == set(), "only the changed columns may alarm"
    # and the alarm test fails the build, naming the checks
    done = run_allowing_failure([DBT, "test", "--select", "test_name:no_monitoring_alarms", *paths], warehouse.env)
    assert done.returncode != 0
    # make monitor's report: exit 1, the changed columns listed at ERROR
    html = tmp_path / "reports" / "monitoring.html"
    report = run_allowing_failure(
        [str(Path(DBT).with_name("python")), "-m", "tools.monitoring", "--report", str(html)], warehouse.env
    )
    assert report.returncode == 1
    assert re.search(r"^fct_sessions +channel +psi .*ERROR", report.stdout, re.MULTILINE), report.stdout
    # the HTML report shows the drifted columns' distributions, reference against the day
    page = html.read_text()
    assert "<h2 id='distributions'>Drifted columns</h2>" in page
    for column in ("fct_sessions.channel", "fct_sessions.page_view_count", "fct_sessions.duration_seconds"):
        assert f'aria-label="{column} on ' in page


def run_allowing_failure(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, check=False, timeout=900)
