"""`make ct`: should this continuous-training cycle retrain? (The cycle itself is the Makefile target.)

Retrain when there is no champion yet, when monitoring (monitoring.mon_checks, `make monitor`) flags
drift (warn or error) on a monitored column a model feature is computed from on its newest check day,
or when a newer week's labels have matured since the last training run.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from . import registry
from .dataset import SNAPSHOTS, connect
from .train import SUMMARY

# monitored column (model, column) -> the features computed from it (macro customer_features_as_of)
FEATURE_SOURCES: dict[tuple[str, str], tuple[str, ...]] = {
    ("fct_orders", "sales_channel"): ("online_order_count", "acquisition_channel"),
    ("fct_orders", "total_amount_usd"): ("gross_revenue_usd", "average_order_value_usd"),
    ("fct_orders", "is_first_order"): ("acquisition_channel",),
    ("fct_sessions", "platform"): ("app_session_count",),
    ("fct_sessions", "channel"): ("paid_session_count",),
}
DRIFT_MEASURES = ("psi", "js_divergence", "js")


def drifted_features(warehouse: Path) -> list[dict[str, Any]]:
    """The checks of the newest check day that warn or error on a column a model feature reads."""
    with connect(warehouse) as con:
        exists = con.execute(
            "select count(*) from information_schema.tables"
            " where table_schema = 'monitoring' and table_name = 'mon_checks'"
        ).fetchone()
        if not exists or not exists[0]:
            return []
        rows = con.execute(
            "select table_name, column_name, measure, check_status, measure_value from monitoring.mon_checks"
            " where check_date = (select max(check_date) from monitoring.mon_checks)"
            " and check_status in ('warn', 'error')"
            " order by table_name, column_name, measure"
        ).fetchall()
    out = []
    for table, column, measure, status, value in rows:
        features = FEATURE_SOURCES.get((table, column))
        if features:
            out.append(
                {
                    "table": table,
                    "column": column,
                    "measure": measure,
                    "status": status,
                    "value": value,
                    "features": features,
                }
            )
    return out


def retrain_decision(data_dir: Path) -> dict[str, Any]:
    data_dir = Path(data_dir)
    warehouse = data_dir / "warehouse.duckdb"
    client = registry.connect(data_dir)
    if registry.champion_version(client) is None:
        return {"retrain": True, "reason": "retrain: no champion yet", "drift": []}
    drift = drifted_features(warehouse)
    if drift:
        names = ", ".join(f"{d['table']}.{d['column']} ({d['measure']} {d['status']})" for d in drift)
        features = sorted({f for d in drift for f in d["features"]})
        return {
            "retrain": True,
            "reason": f"retrain: monitoring flags drift on {names}, read by {', '.join(features)}",
            "drift": drift,
        }
    with connect(warehouse) as con:
        newest = con.execute(f"select max(as_of_date) from {SNAPSHOTS} where is_label_mature").fetchone()
    newest_mature = str(newest[0]) if newest and newest[0] else None
    summary_path = data_dir / SUMMARY
    last = json.loads(summary_path.read_text()) if summary_path.exists() else {}
    trained_through = max(last.get("held_out_as_of_dates", []) or [""])
    if newest_mature and newest_mature > trained_through:
        return {
            "retrain": True,
            "reason": f"retrain: the labels of as-of {newest_mature} matured since the last run",
            "drift": [],
        }
    return {
        "retrain": False,
        "reason": "no retraining: a champion exists, no drift on a model feature, no newly matured week",
        "drift": [],
    }
