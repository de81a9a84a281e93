"""Ad platform REST API ("Adwise") → raw ``adplatform`` dataset, with dlt's declarative ``rest_api``.

- Bearer token from ``sources.adplatform.api_token`` (``.dlt/secrets.toml`` or
  ``SOURCES__ADPLATFORM__API_TOKEN``); it is never printed.
- Cursor pagination (``paging.next_page_token`` → ``page_token``), 500 rows per page.
- ``daily_metrics`` is incremental on ``date`` and merged on ``(campaign_id, date)``. Ad platforms
  restate recent days (late conversions, fraud filtering), so every run starts ``lookback_days``
  before the last loaded date and the restated rows replace the preliminary ones.
- The API allows 366 days per report request: a longer backlog (first load of an old account)
  is requested one year per run, each run continuing where the last loaded date ends.
- 429 and 5xx answers are retried with exponential backoff by dlt's HTTP client (honouring
  ``Retry-After``); tune with ``RUNTIME__REQUEST_MAX_ATTEMPTS`` / ``RUNTIME__REQUEST_BACKOFF_FACTOR``.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import dlt
import requests
from dlt.common.configuration import with_config
from dlt.common.configuration.exceptions import ConfigFieldMissingException
from dlt.common.typing import TSecretStrValue
from dlt.sources.rest_api import rest_api_source

from ..common.errors import SourceError, root_causes
from ..common.settings import Paths
from ..common.spec import SourceSpec
from ..common.stats import SourceStats
from .helpers import report_window

MAX_REPORT_DAYS = 366
"""The API refuses report ranges longer than this; a longer backlog loads over several runs."""


@with_config(sections=("sources", "adplatform"))
def adplatform(
    api_token: TSecretStrValue = dlt.secrets.value,
    base_url: str = dlt.config.value,
    start_date: str = dlt.config.value,
    lookback_days: int = dlt.config.value,
    page_size: int = dlt.config.value,
    end_date: str | None = None,
) -> dlt.sources.DltSource:
    """Build the declarative ``rest_api`` source: ``campaigns`` and ``daily_metrics``.

    Every setting comes from ``[sources.adplatform]`` in ``.dlt/config.toml`` (defaults there), the
    token from secrets or ``SOURCES__ADPLATFORM__API_TOKEN``. ``end_date`` (default: today, or the end
    of the report window the API allows) is not a setting.
    """
    if end_date is None:
        end_date, _ = report_window(start_date, _last_loaded_date(), lookback_days, dt.date.today(), MAX_REPORT_DAYS)
    config: dict[str, Any] = {
        "client": {
            "base_url": base_url.rstrip("/") + "/v1/",
            "auth": {"type": "bearer", "token": api_token},
            "paginator": {
                "type": "cursor",
                "cursor_path": "paging.next_page_token",
                "cursor_param": "page_token",
            },
        },
        "resource_defaults": {
            "write_disposition": "merge",
            "endpoint": {"data_selector": "data", "params": {"page_size": page_size}},
        },
        "resources": [
            {
                "name": "campaigns",
                "primary_key": "campaign_id",
                "endpoint": {"path": "campaigns"},
            },
            {
                "name": "daily_metrics",
                "primary_key": ["campaign_id", "date"],
                "columns": {"cost_micros": {"data_type": "bigint"}, "date": {"data_type": "text"}},
                "endpoint": {
                    "path": "reports/daily",
                    "params": {
                        "start_date": {
                            "type": "incremental",
                            "cursor_path": "date",
                            "initial_value": start_date,
                            "lag": lookback_days,
                        },
                        "end_date": end_date,
                    },
                },
            },
        ],
    }
    return rest_api_source(config, name="adplatform", max_table_nesting=0)


def _last_loaded_date() -> str | None:
    """The last ``date`` of ``daily_metrics`` the pipeline loaded (its incremental state), if any."""
    state = dlt.current.pipeline().state
    return (
        state.get("sources", {})
        .get("adplatform", {})
        .get("resources", {})
        .get("daily_metrics", {})
        .get("incremental", {})
        .get("date", {})
        .get("last_value")
    )


def build(paths: Paths, stats: SourceStats) -> dlt.sources.DltSource:
    """The source from config: token (secret), base URL, first date and lookback window."""
    try:
        return adplatform()
    except ConfigFieldMissingException as exc:
        if "api_token" in exc.fields:
            raise SourceError(
                "adplatform: no API token; set SOURCES__ADPLATFORM__API_TOKEN or sources.adplatform.api_token in "
                ".dlt/secrets.toml (`make ingest` passes the demo API's token)"
            ) from exc
        raise


def explain(exc: BaseException) -> str | None:
    """One line for a rejected token, an unreachable API or an API that keeps failing."""
    for cause in root_causes(exc):
        if isinstance(cause, requests.HTTPError) and cause.response is not None:
            status = cause.response.status_code
            url = cause.response.url.split("?")[0]
            if status in (401, 403):
                return (
                    f"adplatform: the API rejected the token ({status} at {url}); set a valid "
                    "SOURCES__ADPLATFORM__API_TOKEN or sources.adplatform.api_token in .dlt/secrets.toml"
                )
            return f"adplatform: the API answered {status} at {url} after retries; try again later"
        if isinstance(cause, (requests.Timeout, TimeoutError)):
            return (
                "adplatform: the API did not answer within the request timeout, also after retries; check that it "
                "is up (SOURCES__ADPLATFORM__BASE_URL) and try again later, or raise RUNTIME__REQUEST_TIMEOUT"
            )
        if isinstance(cause, (requests.exceptions.InvalidJSONError, json.JSONDecodeError)):
            detail = f"{getattr(cause, 'msg', cause)} at character {getattr(cause, 'pos', '?')}"
            return (
                f"adplatform: an API answer is not JSON ({detail}); check that "
                "SOURCES__ADPLATFORM__BASE_URL points at the API itself (not a proxy or a web page) and try again later"
            )
        if isinstance(cause, requests.ConnectionError):
            return (
                f"adplatform: cannot reach the API ({type(cause).__name__}); start the demo API with "
                "`make api-start` or set SOURCES__ADPLATFORM__BASE_URL"
            )
    return None


SPEC = SourceSpec("adplatform", "ad platform REST API (campaigns, daily metrics)", build, explain)
