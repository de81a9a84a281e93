"""Incremental web facts: a sequence of incremental builds gives the same tables as a full refresh.

On a copy of the session warehouse: advance the demo one day, ingest, `dbt build` (incremental);
again (the session fixture `advanced_warehouse`); then, on a copy of that, rebuild the incremental
facts with `--full-refresh` (`full_refreshed_warehouse`) and compare every column of every row.
The advances bring late events (next day's lake partition) into a day that was already loaded, and
change orders of sessions loaded days before (payments, refunds), so a wrong lookback rule, a
session left with its old id, or a stale revenue figure makes the tables differ. The base staging
tables, which parse only new loads, are compared too.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from warehouse_helpers import Warehouse

INCREMENTAL_FACTS = ("fct_events", "fct_sessions", "fct_web_requests")
INCREMENTAL_BASES = ("base_events__events", "base_weblogs__requests")
INCREMENTAL_INTERMEDIATE = ("int_events_sessionized", "int_sessions_attributed_to_campaigns")
INCREMENTAL = {
    **{name: "marts" for name in INCREMENTAL_FACTS},
    **{name: "staging" for name in INCREMENTAL_BASES},
    **{name: "intermediate" for name in INCREMENTAL_INTERMEDIATE},
}


def _content(warehouse: Warehouse, table: str) -> list[tuple[Any, ...]]:
    """Every row of an incremental model, all columns, in a stable order."""
    return warehouse.rows(f"select * from {INCREMENTAL[table]}.{table} order by all")


def _is_incremental(warehouse: Warehouse, model: str) -> bool:
    manifest = json.loads((warehouse.root / "target" / "manifest.json").read_text())
    return manifest["nodes"][f"model.shopwarehouse.{model}"]["config"]["materialized"] == "incremental"


def test_incremental_builds_equal_a_full_refresh(
    built_warehouse: Warehouse, advanced_warehouse: Warehouse, full_refreshed_warehouse: Warehouse
) -> None:
    # the advanced warehouse is a copy of the built one, advanced a day, ingested and built, twice
    # (conftest.py); the full-refreshed one is a copy of the advanced one after `dbt run --full-refresh`
    assert all(_is_incremental(built_warehouse, model) for model in INCREMENTAL)
    last_loaded_day = built_warehouse.one("select max(event_date) from marts.fct_events")
    last_loaded_event_at = built_warehouse.one("select max(event_at) from marts.fct_events")
    loaded_events = {row[0] for row in built_warehouse.rows("select event_id from marts.fct_events")}
    net_before = dict(built_warehouse.rows("select session_id, net_revenue_usd from marts.fct_sessions"))
    warehouse = advanced_warehouse

    # the advances really exercised the window: late events of an already loaded day, older than
    # the newest event loaded before (an append of `event_at > max(event_at)` would miss them) ...
    late_into_loaded_day = [
        event_id
        for event_id, event_date, event_at in warehouse.rows(
            "select event_id, event_date, event_at from marts.fct_events where is_late_arrival"
        )
        if event_id not in loaded_events and event_date <= last_loaded_day and event_at < last_loaded_event_at
    ]
    assert late_into_loaded_day, "the advance brought no late event into an already loaded day"
    # ... and order changes of sessions that started before the lookback window
    net_after = dict(
        warehouse.rows(
            "select session_id, net_revenue_usd from marts.fct_sessions "
            f"where session_start_date < date '{last_loaded_day}' - interval 3 day"
        )
    )
    restated = [sid for sid, net in net_after.items() if sid in net_before and net != net_before[sid]]
    assert restated, "no session before the window had its revenue changed by the advance"

    incremental = {table: _content(warehouse, table) for table in INCREMENTAL}
    for table in INCREMENTAL:
        full = _content(full_refreshed_warehouse, table)
        assert len(incremental[table]) == len(full), table
        only_incremental = sorted(set(incremental[table]) - set(full))[:5]
        only_full = sorted(set(full) - set(incremental[table]))[:5]
        assert incremental[table] == full, f"{table}: only incremental {only_incremental}, only full {only_full}"


def test_web_requests_traffic_classes_equal_the_manifest(built_warehouse: Warehouse) -> None:
    logs = json.loads((built_warehouse.data_dir / "manifest.json").read_text())["web_logs"]
    classes = dict(built_warehouse.rows("select traffic_class, count(*) from marts.fct_web_requests group by 1"))
    assert classes == {"human": logs["human"], "bot": logs["bot"], "probe": logs["invalid"]}
    human_page_views = built_warehouse.one("select count(*) from marts.fct_web_requests where is_human_page_view")
    assert human_page_views == logs["tracked_page_views"] + logs["untracked_page_views"]


PROFILES = ("monitoring.mon_column_profiles_daily", "monitoring.mon_category_counts_daily")
FEATURE_TABLE = "mrt_customer_features"


def _profiles(warehouse: Warehouse, relation: str, where: str) -> list[tuple[Any, ...]]:
    """The profile rows of the monitored tables other than the feature table, in a stable order."""
    return warehouse.rows(f"select * from {relation} where table_name <> '{FEATURE_TABLE}' and {where} order by all")


def test_monitoring_profiles_keep_their_history(
    built_warehouse: Warehouse, advanced_warehouse: Warehouse, full_refreshed_warehouse: Warehouse
) -> None:
    # the two advances each built the profiles incrementally: each run profiled again the days from its
    # lookback cutoff (the newest day profiled before it, less incremental_lookback_days) and kept the rest
    newest_built = built_warehouse.one("select max(profile_date) from monitoring.mon_column_profiles_daily")
    lookback = 3  # dbt_project.yml: incremental_lookback_days
    first_cutoff = newest_built - dt.timedelta(days=lookback)  # the first advance's
    second_cutoff = newest_built + dt.timedelta(days=1 - lookback)  # the second's: one more day was profiled
    old = f"profile_date < date '{first_cutoff}'"
    recent = f"profile_date >= date '{second_cutoff}'"
    for relation in PROFILES:
        kept = _profiles(advanced_warehouse, relation, old)
        assert kept and kept == _profiles(built_warehouse, relation, old), (
            f"{relation}: a day before the window changed"
        )
        window = _profiles(advanced_warehouse, relation, recent)
        assert window and window == _profiles(full_refreshed_warehouse, relation, recent), f"{relation}: stale window"
    # the feature table holds only its newest day; its profiles keep one day per build
    days = (
        "select count(distinct profile_date) from monitoring.mon_column_profiles_daily "
        f"where table_name = '{FEATURE_TABLE}'"
    )
    assert advanced_warehouse.one(days) >= 2  # built, then two advances (each a new newest order day, as a rule)
    assert full_refreshed_warehouse.one(days) == 1  # a full refresh starts over
