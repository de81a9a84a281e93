"""`make score`: the champion's churn probability for every customer of the newest as-of date, written to
the warehouse (schema ml_scores, table churn_scores; dbt: stg_ml_scores__churn_scores and the marts).

One row per scoring date and customer: scoring the same date again replaces that date's rows.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
from threadpoolctl import threadpool_limits

from . import registry
from .dataset import current_rows

SCHEMA = "ml_scores"
TABLE = "churn_scores"


def score_current(data_dir: Path) -> dict[str, Any]:
    data_dir = Path(data_dir)
    warehouse = data_dir / "warehouse.duckdb"
    rows = current_rows(warehouse)
    if not len(rows):
        raise ValueError("no customer rows in mrt_customer_snapshots_weekly: run make build first")
    client = registry.connect(data_dir)
    version = registry.champion_version(client)
    if version is None:
        raise ValueError(f"no champion in the registry ({data_dir / 'mlflow'}): run make train first")
    model = registry.load_version(version)
    with threadpool_limits(limits=1):
        p = model.churn_probability(rows)
    scoring_date = rows["as_of_date"].max().astype(dt.date)
    scored_at = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    table = pa.table(
        {
            "scoring_date": pa.array([scoring_date] * len(rows), pa.date32()),
            "customer_id": pa.array(rows["customer_id"].astype(np.int64), pa.int64()),
            "model_name": pa.array([registry.MODEL_NAME] * len(rows), pa.string()),
            "model_version": pa.array([int(version)] * len(rows), pa.int64()),
            "churn_probability": pa.array(p, pa.float64()),
            "scored_at": pa.array([scored_at] * len(rows), pa.timestamp("us")),
        }
    )
    with duckdb.connect(str(warehouse)) as con:
        con.execute(f"create schema if not exists {SCHEMA}")
        con.execute(
            f"create table if not exists {SCHEMA}.{TABLE} (scoring_date date, customer_id bigint, model_name varchar,"
            " model_version bigint, churn_probability double, scored_at timestamp)"
        )
        con.execute("begin")
        con.execute(f"delete from {SCHEMA}.{TABLE} where scoring_date = ?", [scoring_date])
        con.register("new_scores", table)
        con.execute(f"insert into {SCHEMA}.{TABLE} select * from new_scores")
        con.execute("commit")
        total = con.execute(f"select count(*), count(distinct scoring_date) from {SCHEMA}.{TABLE}").fetchone()
    return {
        "scoring_date": scoring_date.isoformat(),
        "model_version": version,
        "customers": len(rows),
        "mean_churn_probability": round(float(p.mean()), 4),
        "high_risk_customers": int((p >= 0.9).sum()),
        "table": f"{SCHEMA}.{TABLE}",
        "rows_in_table": int(total[0]) if total else 0,
        "scoring_dates_in_table": int(total[1]) if total else 0,
    }


def format_scores(result: dict[str, Any]) -> str:
    return (
        f"scored {result['customers']:,} customers as of {result['scoring_date']} with {registry.MODEL_NAME} "
        f"version {result['model_version']} (the champion): mean P(churn) {result['mean_churn_probability']:.3f}, "
        f"{result['high_risk_customers']:,} at 0.9 or more; "
        f"{result['table']} now holds {result['rows_in_table']:,} rows "
        f"over {result['scoring_dates_in_table']} scoring date(s)"
    )
