"""Adwise, the demo's stand-in SaaS ad platform: its REST API server and the restatement rule."""

from .metrics import (
    RESTATEMENT_DAYS,
    DataNotFoundError,
    load_campaigns,
    load_daily_metrics,
    load_state,
    served_metrics,
    served_rows,
    served_totals,
    source_dir,
)
from .server import TOKEN_ENV, AdPlatformServer, resolve_token, token_file

__all__ = [
    "RESTATEMENT_DAYS",
    "TOKEN_ENV",
    "AdPlatformServer",
    "DataNotFoundError",
    "load_campaigns",
    "load_daily_metrics",
    "load_state",
    "resolve_token",
    "served_metrics",
    "served_rows",
    "served_totals",
    "source_dir",
    "token_file",
]
