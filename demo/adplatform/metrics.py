"""Adwise data files and the restatement rule: what the ad platform API serves on a given day.

Pure functions over the files the demo generator writes to ``<data_dir>/sources/adplatform/``;
importing this module starts nothing, so the generator can use it for its ground-truth manifest.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

RESTATEMENT_DAYS = 3
"""Days an ad platform keeps revising its numbers before they are final."""

METRIC_FIELDS: tuple[str, ...] = ("impressions", "clicks", "conversions")
DAILY_METRICS_COLUMNS: tuple[str, ...] = (
    "date",
    "campaign_id",
    "impressions",
    "clicks",
    "conversions",
    "cost_micros",
    "currency",
)
MICROS_PER_CENT = 10_000
_PCT_PER_DAY = 4  # a preliminary number lacks 4 % per day it is away from final
MAX_RESTATEMENT_DAYS = 24  # keeps every preliminary factor (100 - 4k) % positive

CAMPAIGNS_FILE = "campaigns.json"
DAILY_METRICS_FILE = "daily_metrics.csv"
STATE_FILE = "state.json"


class DataNotFoundError(FileNotFoundError):
    """The ad platform files have not been generated yet."""


def source_dir(data_dir: Path) -> Path:
    """Return the folder holding the ad platform's files."""
    return Path(data_dir) / "sources" / "adplatform"


def require_data(data_dir: Path) -> Path:
    """Return the source folder, or raise DataNotFoundError if any data file is missing."""
    for name in (CAMPAIGNS_FILE, DAILY_METRICS_FILE, STATE_FILE):
        _data_file(data_dir, name)
    return source_dir(data_dir)


def _data_file(data_dir: Path, name: str) -> Path:
    """Return the path of one data file, or raise DataNotFoundError if it is missing."""
    path = source_dir(data_dir) / name
    if not path.is_file():
        raise DataNotFoundError(f"no ad platform data in {path.parent}: run `make demo-data` first")
    return path


def _parse_date(value: Any, what: str) -> dt.date:
    """Parse a strict ``YYYY-MM-DD`` string (or pass a date through)."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or len(value) != 10:
        raise ValueError(f"{what}: expected a YYYY-MM-DD date, got {value!r}")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{what}: expected a YYYY-MM-DD date, got {value!r}") from None


def served_metrics(final: dict[str, Any], as_of: dt.date, restatement_days: int = RESTATEMENT_DAYS) -> dict[str, Any]:
    """Return the row as the API reports it on ``as_of``: preliminary (reduced) while it is recent.

    With ``age = (as_of - date).days``: final numbers once ``age >= restatement_days``; otherwise
    ``k = restatement_days - age`` and each count becomes ``final * (100 - 4k) // 100``, the cost the
    same rounded down to whole cents. Raises ValueError for a date after ``as_of`` (never served).
    """
    if not 0 <= restatement_days <= MAX_RESTATEMENT_DAYS:
        raise ValueError(f"restatement_days must be between 0 and {MAX_RESTATEMENT_DAYS}")
    day = _parse_date(final["date"], "date")
    age = (as_of - day).days
    if age < 0:
        raise ValueError(f"{day} is after as_of {as_of}: not served yet")
    served = dict(final)
    if age >= restatement_days:
        return served
    pct = 100 - _PCT_PER_DAY * (restatement_days - age)
    for field in METRIC_FIELDS:
        served[field] = int(final[field]) * pct // 100
    served["cost_micros"] = int(final["cost_micros"]) * pct // 100 // MICROS_PER_CENT * MICROS_PER_CENT
    return served


def served_rows(
    rows: Iterable[dict[str, Any]], as_of: dt.date, restatement_days: int = RESTATEMENT_DAYS
) -> list[dict[str, Any]]:
    """Return the rows served on ``as_of`` (dates up to ``as_of``), ordered by (date, campaign_id)."""
    served = [served_metrics(row, as_of, restatement_days) for row in rows if _parse_date(row["date"], "date") <= as_of]
    served.sort(key=lambda row: (_parse_date(row["date"], "date"), row["campaign_id"]))
    return served


def load_campaigns(data_dir: Path) -> list[dict[str, Any]]:
    """Read ``campaigns.json``: the campaign objects as written, ordered by campaign_id."""
    path = _data_file(data_dir, CAMPAIGNS_FILE)
    with path.open(encoding="utf-8") as handle:
        campaigns = json.load(handle)
    if not isinstance(campaigns, list) or not all(
        isinstance(item, dict) and isinstance(item.get("campaign_id"), int) for item in campaigns
    ):
        raise ValueError(f"{path}: expected a JSON list of objects with an integer campaign_id")
    return sorted(campaigns, key=lambda item: item["campaign_id"])


def load_daily_metrics(data_dir: Path) -> list[dict[str, Any]]:
    """Read ``daily_metrics.csv``: final metrics with ``date`` as datetime.date and counts as int."""
    path = _data_file(data_dir, DAILY_METRICS_FILE)
    rows: list[dict[str, Any]] = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = set(DAILY_METRICS_COLUMNS) - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: missing columns {sorted(missing)}")
        for line_no, record in enumerate(reader, start=2):
            try:
                rows.append(
                    {
                        "date": _parse_date(record["date"], "date"),
                        "campaign_id": int(record["campaign_id"]),
                        "impressions": int(record["impressions"]),
                        "clicks": int(record["clicks"]),
                        "conversions": int(record["conversions"]),
                        "cost_micros": int(record["cost_micros"]),
                        "currency": record["currency"],
                    }
                )
            except (TypeError, ValueError) as exc:
                raise ValueError(f"{path}:{line_no}: {exc}") from None
    return rows


def load_state(data_dir: Path) -> dict[str, Any]:
    """Read ``state.json``: ``{"as_of": datetime.date, "restatement_days": int}``."""
    path = _data_file(data_dir, STATE_FILE)
    with path.open(encoding="utf-8") as handle:
        state = json.load(handle)
    if not isinstance(state, dict):
        raise ValueError(f"{path}: expected a JSON object")
    restatement_days = state.get("restatement_days", RESTATEMENT_DAYS)
    if not isinstance(restatement_days, int) or not 0 <= restatement_days <= MAX_RESTATEMENT_DAYS:
        raise ValueError(f"{path}: restatement_days must be an integer from 0 to {MAX_RESTATEMENT_DAYS}")
    return {"as_of": _parse_date(state.get("as_of"), f"{path}: as_of"), "restatement_days": restatement_days}


def served_totals(data_dir: Path) -> dict[str, Any]:
    """Return totals over everything the API serves right now (all days up to as_of)."""
    state = load_state(data_dir)
    rows = served_rows(load_daily_metrics(data_dir), state["as_of"], state["restatement_days"])
    by_currency: dict[str, int] = {}
    for row in rows:
        by_currency[row["currency"]] = by_currency.get(row["currency"], 0) + row["cost_micros"]
    totals: dict[str, Any] = {"rows": len(rows)}
    for field in METRIC_FIELDS:
        totals[field] = sum(row[field] for row in rows)
    totals["cost_micros_by_currency"] = dict(sorted(by_currency.items()))
    return totals
