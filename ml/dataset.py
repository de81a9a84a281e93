"""The point-in-time training set, read from the warehouse, and its time-based split."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import yaml

SNAPSHOTS = "marts.mrt_customer_snapshots_weekly"
# The model's features. sessions_last_7_days (in the table) is left out: it carries the same recency as
# days_since_last_session, and without it the most important feature carries signal no other one does
# (so a candidate that loses it is measurably worse, which the gate must notice).
NUMERIC = (
    "account_age_days",
    "order_count",
    "orders_last_30_days",
    "days_since_last_order",
    "gross_revenue_usd",
    "average_order_value_usd",
    "online_order_count",
    "discounted_order_count",
    "session_count",
    "sessions_last_30_days",
    "paid_session_count",
    "app_session_count",
    "days_since_last_session",
    "has_marketing_opt_in",
)
CATEGORICAL = ("country_code", "acquisition_channel")
SEGMENTS = ("country_code", "acquisition_channel")
HELD_OUT_WEEKS = 2
PROJECT_ROOT = Path(__file__).resolve().parents[1]


def horizon_days() -> int:
    """The label's horizon: dbt var churn_horizon_days (dbt_project.yml)."""
    project = yaml.safe_load((PROJECT_ROOT / "dbt_project.yml").read_text())
    return int(project["vars"]["churn_horizon_days"])


@dataclass
class Rows:
    """Columns of snapshot rows: as_of_date, customer_id, the features, and the label (1 = churned)."""

    columns: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.columns["customer_id"])

    def __getitem__(self, name: str) -> np.ndarray:
        return self.columns[name]

    def take(self, mask: np.ndarray) -> Rows:
        return Rows({k: v[mask] for k, v in self.columns.items()})

    @property
    def label(self) -> np.ndarray:
        return self.columns["is_churned"]

    def fingerprint(self) -> str:
        """sha256 of the rows (ids, features and labels in their order): the same training set, the same hash."""
        digest = hashlib.sha256()
        for name in sorted(self.columns):
            values = self.columns[name]
            digest.update(name.encode())
            digest.update(values.astype(str).tobytes() if values.dtype == object else np.ascontiguousarray(values))
        return digest.hexdigest()


def _select(con: duckdb.DuckDBPyConnection, where: str) -> Rows:
    """Every column of the snapshot table (a model trained on other features than today's still finds its
    own): text as categories (null as `unknown`), numbers and booleans as floats (null as NaN)."""
    schema, table = SNAPSHOTS.split(".")
    described = con.execute(
        "select column_name, data_type from information_schema.columns"
        " where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()
    text = {name for name, kind in described if kind.upper().startswith("VARCHAR")}
    exprs = []
    for name, _ in described:
        if name in ("as_of_date", "customer_id"):
            exprs.append(name)
        elif name in text:
            exprs.append(f"coalesce({name}, 'unknown') as {name}")
        else:
            exprs.append(f"cast({name} as double) as {name}")
    fetched = con.sql(
        f"select {', '.join(exprs)} from {SNAPSHOTS} where {where} order by as_of_date, customer_id"
    ).fetchnumpy()
    columns: dict[str, np.ndarray] = {}
    for name, values in fetched.items():
        if name in text:
            columns[name] = np.asarray(values, dtype=object)
        elif name == "as_of_date":
            columns[name] = np.asarray(values, dtype="datetime64[D]")
        else:
            columns[name] = np.ma.filled(np.ma.asarray(values, dtype=np.float64), np.nan)
    return Rows(columns)


def connect(warehouse: Path) -> duckdb.DuckDBPyConnection:
    if not warehouse.exists():
        raise FileNotFoundError(f"no warehouse at {warehouse}: run make build first")
    return duckdb.connect(str(warehouse), read_only=True)


def mature_rows(warehouse: Path) -> Rows:
    """Every snapshot row whose label is known."""
    with connect(warehouse) as con:
        return _select(con, "is_label_mature")


def current_rows(warehouse: Path) -> Rows:
    """The rows of the newest as-of date (the customers `make score` scores)."""
    with connect(warehouse) as con:
        return _select(con, f"as_of_date = (select max(as_of_date) from {SNAPSHOTS})")


@dataclass(frozen=True)
class Split:
    train: Rows
    test: Rows
    train_dates: list[str]
    test_dates: list[str]


def time_split(rows: Rows, horizon: int, held_out_weeks: int = HELD_OUT_WEEKS) -> Split:
    """Held out: the newest `held_out_weeks` mature as-of dates. Trained on: the as-of dates whose label
    window had closed by the first held-out date (as a model trained then could have been), so no
    training label reads the held-out period."""
    dates = sorted(set(rows["as_of_date"].tolist()))
    if len(dates) < held_out_weeks + 1:
        raise ValueError(f"{len(dates)} mature as-of dates: need at least {held_out_weeks + 1} (generate more days)")
    test_dates = dates[-held_out_weeks:]
    first_test = np.datetime64(test_dates[0], "D")
    train_mask = rows["as_of_date"] + np.timedelta64(horizon, "D") <= first_test
    if not train_mask.any():
        raise ValueError(f"no as-of date {horizon} days before the held-out weeks: generate more days")
    test_mask = np.isin(rows["as_of_date"], np.array(test_dates, dtype="datetime64[D]"))
    train, test = rows.take(train_mask), rows.take(test_mask)
    return Split(train, test, sorted({str(d) for d in train["as_of_date"].tolist()}), [str(d) for d in test_dates])


def oracle_probabilities(data_dir: Path, rows: Rows) -> np.ndarray | None:
    """The demo's true P(churn) of each row (manifest.customer_behaviour.oracle); None without a demo
    oracle for every row's date."""
    manifest_path = data_dir / "manifest.json"
    if not manifest_path.exists():
        return None
    behaviour = json.loads(manifest_path.read_text()).get("customer_behaviour")
    if not behaviour or behaviour.get("horizon_days") != horizon_days():
        return None
    files = {entry["scoring_date"]: data_dir / entry["path"] for entry in behaviour["oracle"]}
    out = np.full(len(rows), np.nan)
    for date in sorted({str(d) for d in rows["as_of_date"].tolist()}):
        if date not in files or not files[date].exists():
            return None
        with duckdb.connect() as con:
            p = dict(con.execute("select customer_id, p_no_order from read_parquet(?)", [str(files[date])]).fetchall())
        mask = rows["as_of_date"] == np.datetime64(dt.date.fromisoformat(date), "D")
        out[mask] = [p.get(int(c), np.nan) for c in rows["customer_id"][mask]]
    return None if np.isnan(out).any() else out
