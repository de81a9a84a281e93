"""Adwise: a stand-in SaaS ad platform REST API over the generated files (stdlib HTTP server).

Bearer-token auth, cursor pagination, preliminary numbers restated for a few days, and optional
injected 429/5xx faults, so the ingestion has a realistic API to talk to.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import contextlib
import datetime as dt
import hashlib
import hmac
import json
import os
import random
import re
import secrets
import socket
import socketserver
import sys
import tempfile
import threading
import traceback
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .metrics import (
    STATE_FILE,
    load_campaigns,
    load_daily_metrics,
    load_state,
    require_data,
    served_rows,
    source_dir,
)

TOKEN_ENV = "DEMO_ADPLATFORM_TOKEN"
TOKEN_FILE = ".api_token"
DEFAULT_PAGE_SIZE = 100
MAX_REPORT_DAYS = 366

ROUTES: dict[str, frozenset[str]] = {
    "/healthz": frozenset(),
    "/openapi.json": frozenset(),
    "/v1/campaigns": frozenset({"page_size", "page_token"}),
    "/v1/reports/daily": frozenset({"start_date", "end_date", "campaign_id", "page_size", "page_token"}),
}
"""Every path the server answers (GET only), with the query parameters it accepts."""

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_UINT_RE = re.compile(r"\d{1,18}")
_PAGE_TOKEN_RE = re.compile(r"(\d{1,12})\.([0-9a-f]{12})")


def token_file(data_dir: Path) -> Path:
    """Return where the generated API token is kept."""
    return source_dir(data_dir) / TOKEN_FILE


def resolve_token(data_dir: Path, token: str | None = None) -> str:
    """Return the API token: ``token``, else $DEMO_ADPLATFORM_TOKEN, else the 0600 token file.

    The token file is created with a random token on first use and reused afterwards.
    """
    if token:
        return token
    from_env = os.environ.get(TOKEN_ENV, "").strip()
    if from_env:
        return from_env
    path = token_file(data_dir)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=".api_token.", dir=path.parent)  # mode 0600
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(secrets.token_urlsafe(32) + "\n")
            os.link(tmp_name, path)  # atomic publish; fails if another process won the race
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp_name)
    stored = path.read_text(encoding="utf-8").strip()
    if not stored:
        raise ValueError(f"{path} is empty: delete it to get a new token")
    return stored


class _ApiError(Exception):
    """An error answered as ``{"error": {"code": ..., "message": ...}}``."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        """Return the JSON error body."""
        return {"error": {"code": self.code, "message": self.message}}


def _bad_request(message: str) -> _ApiError:
    """Return a 400 invalid_request error."""
    return _ApiError(400, "invalid_request", message)


@dataclass(frozen=True)
class _Snapshot:
    """The data as served for one version of ``state.json``."""

    key: tuple[int, int, int]
    as_of: dt.date
    campaigns: list[dict[str, Any]]
    reports: list[dict[str, Any]]  # JSON-ready served rows, ordered by (date, campaign_id)
    report_dates: list[dt.date]  # parallel to reports, for bisecting date ranges


class _DataStore:
    """Loads the data files and reloads them whenever ``state.json`` changes."""

    def __init__(self, data_dir: Path) -> None:
        self._data_dir = data_dir
        self._state_path = source_dir(data_dir) / STATE_FILE
        self._lock = threading.Lock()
        self._snapshot: _Snapshot | None = None

    def _state_key(self) -> tuple[int, int, int] | None:
        try:
            stat = os.stat(self._state_path)
        except OSError:
            return None
        return (stat.st_mtime_ns, stat.st_ino, stat.st_size)

    def current(self) -> _Snapshot:
        """Return the current snapshot; keep serving the last good one if a reload fails."""
        key = self._state_key()
        snapshot = self._snapshot
        if snapshot is not None and (key is None or key == snapshot.key):
            return snapshot
        with self._lock:
            snapshot = self._snapshot
            if snapshot is not None and snapshot.key == key:
                return snapshot
            try:
                if key is None:
                    require_data(self._data_dir)  # raises DataNotFoundError with how to fix it
                snapshot = self._load(key)
            except (OSError, ValueError):
                if self._snapshot is None:
                    raise
                return self._snapshot
            self._snapshot = snapshot
            return snapshot

    def _load(self, key: tuple[int, int, int]) -> _Snapshot:
        state = load_state(self._data_dir)
        campaigns = load_campaigns(self._data_dir)
        rows = served_rows(load_daily_metrics(self._data_dir), state["as_of"], state["restatement_days"])
        reports = [
            {
                "date": row["date"].isoformat(),
                "campaign_id": row["campaign_id"],
                "impressions": row["impressions"],
                "clicks": row["clicks"],
                "conversions": row["conversions"],
                "cost_micros": row["cost_micros"],
                "currency": row["currency"],
            }
            for row in rows
        ]
        return _Snapshot(
            key=key,
            as_of=state["as_of"],
            campaigns=campaigns,
            reports=reports,
            report_dates=[row["date"] for row in rows],
        )


def _query_params(query: str, allowed: frozenset[str]) -> dict[str, str]:
    """Parse a query string strictly: known parameters only, each at most once."""
    parsed = parse_qs(query, keep_blank_values=True)
    params: dict[str, str] = {}
    for name, values in parsed.items():
        if name not in allowed:
            raise _bad_request(f"unknown query parameter {name!r}; allowed: {', '.join(sorted(allowed))}")
        if len(values) > 1:
            raise _bad_request(f"query parameter {name!r} given more than once")
        params[name] = values[0]
    return params


def _date_param(params: dict[str, str], name: str) -> dt.date:
    """Return a required YYYY-MM-DD query parameter."""
    value = params.get(name)
    if value is None:
        raise _bad_request(f"{name} is required (YYYY-MM-DD)")
    if not _DATE_RE.fullmatch(value):
        raise _bad_request(f"{name} must be a date as YYYY-MM-DD, got {value!r}")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise _bad_request(f"{name} is not a valid date: {value!r}") from None


def _int_param(params: dict[str, str], name: str, minimum: int, maximum: int) -> int | None:
    """Return an optional integer query parameter within [minimum, maximum]."""
    value = params.get(name)
    if value is None:
        return None
    if not _UINT_RE.fullmatch(value) or not minimum <= int(value) <= maximum:
        raise _bad_request(f"{name} must be an integer from {minimum} to {maximum}, got {value!r}")
    return int(value)


def _scope_fingerprint(scope: tuple[str, ...]) -> str:
    """Return a short hash binding a page token to the query it was issued for."""
    return hashlib.sha256("\x1f".join(scope).encode()).hexdigest()[:12]


def _encode_page_token(offset: int, scope: tuple[str, ...]) -> str:
    """Return an opaque cursor for ``offset`` within the query ``scope``."""
    payload = f"{offset}.{_scope_fingerprint(scope)}".encode()
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


def _decode_page_token(token: str, scope: tuple[str, ...]) -> int:
    """Return the offset in a cursor, or raise 400 if it is malformed or from another query."""
    try:
        payload = base64.b64decode(token + "=" * (-len(token) % 4), altchars=b"-_", validate=True)
        match = _PAGE_TOKEN_RE.fullmatch(payload.decode("ascii"))
    except (binascii.Error, UnicodeDecodeError):
        match = None
    if match is None:
        raise _bad_request("page_token is malformed")
    if match.group(2) != _scope_fingerprint(scope):
        raise _bad_request("page_token was issued for a different query")
    return int(match.group(1))


def _page(
    items: list[dict[str, Any]], params: dict[str, str], scope: tuple[str, ...], page_size_max: int
) -> dict[str, Any]:
    """Return one page of ``items`` with the cursor to the next page (null on the last page)."""
    size = _int_param(params, "page_size", 1, page_size_max)
    if size is None:
        size = min(DEFAULT_PAGE_SIZE, page_size_max)
    token = params.get("page_token")
    offset = _decode_page_token(token, scope) if token else 0
    end = offset + size
    next_token = _encode_page_token(end, scope) if end < len(items) else None
    return {"data": items[offset:end], "paging": {"next_page_token": next_token}}


def _campaigns_page(snapshot: _Snapshot, params: dict[str, str], page_size_max: int) -> dict[str, Any]:
    """Answer GET /v1/campaigns."""
    return _page(snapshot.campaigns, params, ("campaigns",), page_size_max)


def _daily_report_page(snapshot: _Snapshot, params: dict[str, str], page_size_max: int) -> dict[str, Any]:
    """Answer GET /v1/reports/daily."""
    start = _date_param(params, "start_date")
    end = _date_param(params, "end_date")
    if start > end:
        raise _bad_request(f"start_date {start} is after end_date {end}")
    if (end - start).days + 1 > MAX_REPORT_DAYS:
        raise _bad_request(f"the date range may span at most {MAX_REPORT_DAYS} days")
    campaign_id = _int_param(params, "campaign_id", 1, 2**63 - 1)
    rows = snapshot.reports[
        bisect.bisect_left(snapshot.report_dates, start) : bisect.bisect_right(snapshot.report_dates, end)
    ]
    if campaign_id is not None:
        rows = [row for row in rows if row["campaign_id"] == campaign_id]
    scope = ("reports/daily", start.isoformat(), end.isoformat(), str(campaign_id))
    return _page(rows, params, scope, page_size_max)


class _HTTPServer(ThreadingHTTPServer):
    """Threading HTTP server that knows its app and can cut open keep-alive connections on stop."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], app: AdPlatformServer) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.app = app
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        """Bind without HTTPServer's reverse DNS lookup of the host name."""
        socketserver.TCPServer.server_bind(self)
        self.server_name = str(self.server_address[0])
        self.server_port = int(self.server_address[1])

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Ignore clients that hung up; print other unexpected errors."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    def close_connections(self) -> None:
        """Shut down every open client connection so its handler thread ends."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    """Routes requests to the Adwise endpoints; logs nothing unless the server is verbose."""

    server: _HTTPServer
    protocol_version = "HTTP/1.1"
    server_version = "Adwise/1.0"
    sys_version = ""
    timeout = 30  # seconds an idle keep-alive connection is kept
    disable_nagle_algorithm = True  # headers and body go out as separate writes

    def version_string(self) -> str:
        """Name the server without the Python version."""
        return self.server_version

    def do_GET(self) -> None:
        self._respond()

    def do_HEAD(self) -> None:
        self._reject_method()

    def do_POST(self) -> None:
        self._reject_method()

    def do_PUT(self) -> None:
        self._reject_method()

    def do_PATCH(self) -> None:
        self._reject_method()

    def do_DELETE(self) -> None:
        self._reject_method()

    def do_OPTIONS(self) -> None:
        self._reject_method()

    def _reject_method(self) -> None:
        self.close_connection = True  # the request body, if any, is not read
        if urlsplit(self.path).path in ROUTES:
            error = _ApiError(405, "method_not_allowed", f"{self.command} is not allowed; use GET")
            error.headers["Allow"] = "GET"
        else:
            error = _ApiError(404, "not_found", "no such endpoint")
        self._send_error(error)

    def _respond(self) -> None:
        try:
            status, body, headers = self._route()
        except _ApiError as error:
            status, body, headers = error.status, error.body(), error.headers
        except (OSError, ValueError) as exc:  # data files vanished or malformed before the first load
            error = _ApiError(503, "unavailable", f"ad platform data unavailable: {exc}")
            status, body, headers = error.status, error.body(), error.headers
        except Exception:
            traceback.print_exc(file=sys.stderr)
            error = _ApiError(500, "internal_error", "internal server error")
            status, body, headers = error.status, error.body(), error.headers
        self._send_json(status, body, headers)

    def _route(self) -> tuple[int, Any, dict[str, str]]:
        """Return status, body and extra headers for a GET request; raise _ApiError on errors."""
        app = self.server.app
        parts = urlsplit(self.path)
        if parts.path not in ROUTES:
            raise _ApiError(404, "not_found", "no such endpoint")
        if parts.path == "/openapi.json":
            return 200, app._openapi_document(), {}
        snapshot = app._snapshot()
        if parts.path == "/healthz":
            return 200, {"status": "ok", "as_of": snapshot.as_of.isoformat()}, {"Cache-Control": "no-store"}
        self._authorize(app.token)
        app._raise_injected_fault()
        params = _query_params(parts.query, ROUTES[parts.path])
        if parts.path == "/v1/campaigns":
            body = _campaigns_page(snapshot, params, app.page_size_max)
        else:
            body = _daily_report_page(snapshot, params, app.page_size_max)
        return 200, body, {"Cache-Control": "no-store"}

    def _authorize(self, token: str) -> None:
        header = self.headers.get("Authorization", "")
        scheme, _, given = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not given.strip():
            raise _ApiError(401, "unauthorized", "missing bearer token", {"WWW-Authenticate": 'Bearer realm="adwise"'})
        if not hmac.compare_digest(given.strip().encode(), token.encode()):
            raise _ApiError(
                401,
                "unauthorized",
                "invalid bearer token",
                {"WWW-Authenticate": 'Bearer realm="adwise", error="invalid_token"'},
            )

    def _send_error(self, error: _ApiError) -> None:
        self._send_json(error.status, error.body(), error.headers)

    def _send_json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        payload = json.dumps(body, separators=(",", ":")).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Count the status; if verbose, log method, path (no query) and status, never headers."""
        status = int(code) if str(code).isdigit() else 0
        app = self.server.app
        app._count_status(status)
        if app.verbose:
            path = urlsplit(getattr(self, "path", "")).path or "-"
            sys.stderr.write(f"{self.log_date_time_string()} {self.command or '-'} {path} {status}\n")

    def log_error(self, format: str, *args: Any) -> None:
        """Stay quiet: error messages may quote the raw request line."""

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet; requests are logged by log_request when verbose."""


class AdPlatformServer:
    """The Adwise API over ``<data_dir>/sources/adplatform``, served from a background thread."""

    def __init__(
        self,
        data_dir: Path,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str | None = None,
        fail_429_rate: float = 0.0,
        fail_5xx_rate: float = 0.0,
        seed: int = 0,
        retry_after_seconds: int = 1,
        page_size_max: int = 500,
        verbose: bool = False,
    ) -> None:
        for name, rate in (("fail_429_rate", fail_429_rate), ("fail_5xx_rate", fail_5xx_rate)):
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {rate}")
        if fail_429_rate + fail_5xx_rate > 1.0:
            raise ValueError("fail_429_rate + fail_5xx_rate must not exceed 1")
        if page_size_max < 1:
            raise ValueError("page_size_max must be at least 1")
        if retry_after_seconds < 0:
            raise ValueError("retry_after_seconds must not be negative")
        self.data_dir = Path(data_dir)
        self.host = host
        self.fail_429_rate = fail_429_rate
        self.fail_5xx_rate = fail_5xx_rate
        self.seed = seed
        self.retry_after_seconds = retry_after_seconds
        self.page_size_max = page_size_max
        self.verbose = verbose
        self._requested_port = port
        self._token_arg = token
        self._token: str | None = None
        self._port: int | None = None
        self._store = _DataStore(self.data_dir)
        self._openapi: dict[str, Any] | None = None
        self._rng = random.Random(seed)
        self._rng_lock = threading.Lock()
        self._counts: Counter[int] = Counter()
        self._counts_lock = threading.Lock()
        self._lifecycle_lock = threading.Lock()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> str:
        """Load the data, bind the port and serve from a daemon thread; return the base URL.

        Raises DataNotFoundError if the data has not been generated, OSError if the port is taken.
        """
        with self._lifecycle_lock:
            if self._httpd is not None:
                raise RuntimeError(f"already serving at {self.url}")
            self._store.current()
            self._token = resolve_token(self.data_dir, self._token_arg)
            self._rng = random.Random(self.seed)
            with self._counts_lock:
                self._counts.clear()
            httpd = _HTTPServer((self.host, self._requested_port), self)
            self._port = int(httpd.server_address[1])
            thread = threading.Thread(
                target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="adplatform-api", daemon=True
            )
            thread.start()
            self._httpd, self._thread = httpd, thread
        return self.url

    def stop(self) -> None:
        """Stop serving, close the port and open connections, join the thread; safe to call twice."""
        with self._lifecycle_lock:
            httpd, thread = self._httpd, self._thread
            self._httpd = self._thread = None
        if httpd is None or thread is None:
            return
        httpd.shutdown()
        httpd.close_connections()
        httpd.server_close()
        thread.join()

    def __enter__(self) -> AdPlatformServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        """Whether the server is currently serving."""
        return self._httpd is not None

    @property
    def port(self) -> int:
        """The bound port (after start)."""
        if self._port is None:
            raise RuntimeError("the server has not been started")
        return self._port

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:8765`` (after start)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def token(self) -> str:
        """The bearer token clients must send (after start)."""
        if self._token is None:
            raise RuntimeError("the server has not been started")
        return self._token

    @property
    def request_count(self) -> dict[int, int]:
        """Responses sent since start, by HTTP status."""
        with self._counts_lock:
            return dict(self._counts)

    def _count_status(self, status: int) -> None:
        """Record one response with ``status``."""
        with self._counts_lock:
            self._counts[status] += 1

    def _snapshot(self) -> _Snapshot:
        """Return the data as currently served (reloaded when state.json changed)."""
        return self._store.current()

    def _raise_injected_fault(self) -> None:
        """Raise the configured random 429/500/503, deterministically for the seed."""
        if not (self.fail_429_rate or self.fail_5xx_rate):
            return
        with self._rng_lock:
            roll = self._rng.random()
            status = 0
            if roll < self.fail_429_rate:
                status = 429
            elif roll < self.fail_429_rate + self.fail_5xx_rate:
                status = self._rng.choice((500, 503))
        if status == 429:
            raise _ApiError(
                429,
                "rate_limited",
                "rate limit exceeded; retry after the Retry-After delay",
                {"Retry-After": str(self.retry_after_seconds)},
            )
        if status == 500:
            raise _ApiError(500, "internal_error", "injected internal server error")
        if status == 503:
            raise _ApiError(503, "unavailable", "injected service unavailable; retry later")

    def _openapi_document(self) -> dict[str, Any]:
        """Return the packaged OpenAPI description with this server's URL."""
        if self._openapi is None:
            text = resources.files(__package__).joinpath("openapi.json").read_text(encoding="utf-8")
            self._openapi = json.loads(text)
        return {**self._openapi, "servers": [{"url": self.url, "description": "this server"}]}
