"""Date window of the ad platform's report requests (no dlt here: plain, testable date arithmetic)."""

from __future__ import annotations

import datetime as dt


def report_window(
    start_date: str, last_loaded: str | None, lookback_days: int, today: dt.date, max_days: int
) -> tuple[str, bool]:
    """Return ``(end_date, caught_up)`` for the next report request.

    The request starts ``lookback_days`` before the last loaded date (or at ``start_date``); the API
    refuses ranges over ``max_days``, so a longer backlog ends early and ``caught_up`` is False.
    """
    first = dt.date.fromisoformat(start_date)
    if last_loaded:
        first = max(first, dt.date.fromisoformat(str(last_loaded)[:10]) - dt.timedelta(days=lookback_days))
    latest_allowed = first + dt.timedelta(days=max_days - 1)
    if today <= latest_allowed:
        return today.isoformat(), True
    return latest_allowed.isoformat(), False
