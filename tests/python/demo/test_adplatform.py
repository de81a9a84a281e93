"""Tests of the Adwise stand-in ad platform API (demo.adplatform): rule, server and CLI."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from demo.adplatform import (
    AdPlatformServer,
    DataNotFoundError,
    load_daily_metrics,
    load_state,
    resolve_token,
    served_metrics,
    served_totals,
    token_file,
)
from demo.adplatform.server import ROUTES, TOKEN_ENV

REPO_ROOT = Path(__file__).resolve().parents[3]
TOKEN = "test-token-5Qm8vJx"
FIRST_DAY = dt.date(2024, 3, 1)
AS_OF = dt.date(2024, 3, 21)
LAST_FILE_DAY = AS_OF + dt.timedelta(days=2)  # final rows beyond as_of exist but must not be served
CURRENCIES = {1: "USD", 2: "EUR", 3: "GBP", 4: "USD", 5: "EUR", 6: "USD"}
METRICS = ("impressions", "clicks", "conversions", "cost_micros")


# ---------------------------------------------------------------------------------------- fixtures


def _write_state(data_dir: Path, as_of: dt.date) -> None:
    """Replace state.json the way the generator does (write, then rename)."""
    folder = data_dir / "sources" / "adplatform"
    tmp = folder / "state.json.tmp"
    tmp.write_text(json.dumps({"as_of": as_of.isoformat(), "restatement_days": 3}), encoding="utf-8")
    os.replace(tmp, folder / "state.json")


def _write_source(data_dir: Path) -> list[dict[str, Any]]:
    """Write campaigns.json, daily_metrics.csv and state.json; return the final rows written."""
    folder = data_dir / "sources" / "adplatform"
    folder.mkdir(parents=True)
    campaigns = [
        {
            "campaign_id": campaign_id,
            "name": f"Campaign {campaign_id}",
            "network": ("search", "social", "display")[campaign_id % 3],
            "objective": "conversions",
            "status": "ENDED" if campaign_id == 5 else "ACTIVE",
            "currency": currency,
            "daily_budget_micros": 50_000_000 * campaign_id,
            "start_date": "2024-03-08" if campaign_id == 6 else "2024-03-01",
            "end_date": "2024-03-15" if campaign_id == 5 else None,
            "created_at": "2024-02-20T09:00:00Z",
            "updated_at": "2024-02-21T10:30:00Z",
            "utm_campaign": f"cmp_{campaign_id}",
        }
        for campaign_id, currency in reversed(CURRENCIES.items())  # the server must sort them
    ]
    (folder / "campaigns.json").write_text(json.dumps(campaigns), encoding="utf-8")
    rows: list[dict[str, Any]] = []
    day = FIRST_DAY
    while day <= LAST_FILE_DAY:
        n = (day - FIRST_DAY).days
        for campaign_id, currency in CURRENCIES.items():
            if (campaign_id == 6 and day < dt.date(2024, 3, 8)) or (campaign_id == 5 and day > dt.date(2024, 3, 15)):
                continue
            impressions = 1_000 + 97 * n + 131 * campaign_id
            clicks = impressions // 23 + campaign_id
            rows.append(
                {
                    "date": day,
                    "campaign_id": campaign_id,
                    "impressions": impressions,
                    "clicks": clicks,
                    "conversions": clicks // 9 + 1,
                    "cost_micros": (clicks * 37 + n) * 10_000,
                    "currency": currency,
                }
            )
        day += dt.timedelta(days=1)
    lines = ["date,campaign_id,impressions,clicks,conversions,cost_micros,currency"]
    lines += [
        f"{r['date']},{r['campaign_id']},{r['impressions']},{r['clicks']},{r['conversions']},"
        f"{r['cost_micros']},{r['currency']}"
        for r in rows
    ]
    (folder / "daily_metrics.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    _write_state(data_dir, AS_OF)
    return rows


@pytest.fixture
def adplatform_data(tmp_path: Path) -> Path:
    """A data dir with a small generated ad platform: 6 campaigns, 2024-03-01 to 2024-03-23."""
    _write_source(tmp_path)
    return tmp_path


@dataclass
class _Api:
    """A test client for one server: bearer token TOKEN by default, no proxies."""

    server: AdPlatformServer
    http: requests.Session

    def get(self, path: str, token: str | None = TOKEN, **params: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        return self.http.get(self.server.url + path, params=params, headers=headers, timeout=5)

    def fetch_all(self, path: str, **params: Any) -> list[dict[str, Any]]:
        """Follow next_page_token to the end and return all rows."""
        rows: list[dict[str, Any]] = []
        cursor: dict[str, str] = {}
        for _ in range(1_000):
            response = self.get(path, **params, **cursor)
            assert response.status_code == 200, response.text
            body = response.json()
            assert len(body["data"]) <= int(params.get("page_size", 100))
            rows += body["data"]
            if body["paging"]["next_page_token"] is None:
                return rows
            cursor = {"page_token": body["paging"]["next_page_token"]}
        raise AssertionError("pagination never ended")

    def report(self, start: str, end: str, **params: Any) -> list[dict[str, Any]]:
        """All rows of /v1/reports/daily for an inclusive date range."""
        return self.fetch_all("/v1/reports/daily", start_date=start, end_date=end, **params)


@pytest.fixture
def adplatform_http() -> Iterator[requests.Session]:
    """An HTTP session that ignores proxy settings from the environment."""
    with requests.Session() as session:
        session.trust_env = False
        yield session


@pytest.fixture
def adplatform_api(adplatform_data: Path, adplatform_http: requests.Session) -> Iterator[_Api]:
    """A running server over adplatform_data with token TOKEN and no faults, and its client."""
    with AdPlatformServer(adplatform_data, token=TOKEN) as server:
        yield _Api(server, adplatform_http)


def _expected_served(final: dict[str, Any], as_of: dt.date) -> dict[str, int]:
    """The restatement rule written out independently of the implementation."""
    age = (as_of - final["date"]).days
    if age >= 3:
        return {name: final[name] for name in METRICS}
    pct = 100 - 4 * (3 - age)
    served = {name: final[name] * pct // 100 for name in ("impressions", "clicks", "conversions")}
    served["cost_micros"] = final["cost_micros"] * pct // 100 // 10_000 * 10_000
    return served


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# ------------------------------------------------------------------------------ restatement rule


def test_served_metrics_follows_the_restatement_rule() -> None:
    final = {
        "date": dt.date(2024, 3, 10),
        "campaign_id": 1,
        "impressions": 999,
        "clicks": 7,
        "conversions": 3,
        "cost_micros": 123_450_000,
        "currency": "USD",
    }
    original = dict(final)
    expected_by_age = {
        0: (879, 6, 2, 108_630_000),  # k=3: 88 %
        1: (919, 6, 2, 113_570_000),  # k=2: 92 %
        2: (959, 6, 2, 118_510_000),  # k=1: 96 %
        3: (999, 7, 3, 123_450_000),  # final
        30: (999, 7, 3, 123_450_000),
    }
    for age, expected in expected_by_age.items():
        served = served_metrics(final, final["date"] + dt.timedelta(days=age))
        assert tuple(served[name] for name in METRICS) == expected, age
        assert served["cost_micros"] % 10_000 == 0
        assert (served["date"], served["campaign_id"], served["currency"]) == (final["date"], 1, "USD")
    assert final == original, "the input row must not be modified"
    with pytest.raises(ValueError):
        served_metrics(final, final["date"] - dt.timedelta(days=1))


def test_loaders_parse_types(adplatform_data: Path) -> None:
    rows = load_daily_metrics(adplatform_data)
    assert rows[0] == {
        "date": FIRST_DAY,
        "campaign_id": 1,
        "impressions": 1131,
        "clicks": 50,
        "conversions": 6,
        "cost_micros": 18_500_000,
        "currency": "USD",
    }
    assert load_state(adplatform_data) == {"as_of": AS_OF, "restatement_days": 3}


def test_missing_data_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DataNotFoundError, match="make demo-data"):
        AdPlatformServer(tmp_path, token=TOKEN).start()
    with pytest.raises(DataNotFoundError, match="make demo-data"):
        served_totals(tmp_path)


# ------------------------------------------------------------------------------------------ auth


def test_auth_required_on_v1_only(adplatform_api: _Api) -> None:
    api = adplatform_api
    for path in ("/v1/campaigns", "/v1/reports/daily"):
        for token in (None, TOKEN + "x", ""):
            response = api.get(path, token=token)
            assert response.status_code == 401, token
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
            assert response.json()["error"]["code"] == "unauthorized"
        basic = api.http.get(api.server.url + path, headers={"Authorization": f"Basic {TOKEN}"}, timeout=5)
        assert basic.status_code == 401
    ok = api.get("/v1/campaigns")
    assert ok.status_code == 200
    assert ok.headers["Content-Type"] == "application/json"
    assert api.get("/healthz", token=None).json() == {"status": "ok", "as_of": AS_OF.isoformat()}
    assert api.get("/openapi.json", token=None).status_code == 200
    assert api.server.request_count == {401: 8, 200: 3}


def test_resolve_token_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    assert resolve_token(tmp_path, "explicit") == "explicit"
    generated = resolve_token(tmp_path)
    path = token_file(tmp_path)
    assert len(generated) >= 32
    assert path.read_text(encoding="utf-8").strip() == generated
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert resolve_token(tmp_path) == generated, "the token file is reused"
    monkeypatch.setenv(TOKEN_ENV, "from-env")
    assert resolve_token(tmp_path) == "from-env"


def test_unknown_path_and_wrong_method(adplatform_api: _Api) -> None:
    missing = adplatform_api.get("/v2/campaigns")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    url = adplatform_api.server.url + "/v1/campaigns"
    post = adplatform_api.http.post(url, headers={"Authorization": f"Bearer {TOKEN}"}, json={}, timeout=5)
    assert post.status_code == 405
    assert post.headers["Allow"] == "GET"
    assert post.json()["error"]["code"] == "method_not_allowed"


# ------------------------------------------------------------------------------------ pagination


def test_campaign_pages_cover_all_campaigns(adplatform_api: _Api) -> None:
    campaigns = adplatform_api.fetch_all("/v1/campaigns", page_size=4)
    assert [c["campaign_id"] for c in campaigns] == [1, 2, 3, 4, 5, 6]
    assert campaigns[4]["end_date"] == "2024-03-15"
    assert campaigns[0]["end_date"] is None


def test_report_pages_concatenate_to_all_rows(adplatform_data: Path, adplatform_api: _Api) -> None:
    final = [row for row in load_daily_metrics(adplatform_data) if row["date"] <= AS_OF]
    window = {"start_date": FIRST_DAY.isoformat(), "end_date": AS_OF.isoformat()}
    first = adplatform_api.get("/v1/reports/daily", **window).json()
    assert len(first["data"]) == 100, "default page size"
    assert first["paging"]["next_page_token"]
    for page_size in (1, 7, 500):
        rows = adplatform_api.report(window["start_date"], window["end_date"], page_size=page_size)
        keys = [(row["date"], row["campaign_id"]) for row in rows]
        assert len(keys) == len(set(keys)) == len(final) == 113
        assert keys == sorted(keys)
        assert keys == [(row["date"].isoformat(), row["campaign_id"]) for row in final]


def test_page_size_limits_and_tokens(adplatform_data: Path, adplatform_http: requests.Session) -> None:
    with AdPlatformServer(adplatform_data, token=TOKEN, page_size_max=5) as server:
        api = _Api(server, adplatform_http)
        assert len(api.get("/v1/campaigns").json()["data"]) == 5
        assert api.get("/v1/campaigns", page_size=5).status_code == 200
        for bad in ("6", "0", "-1", "abc", ""):
            response = api.get("/v1/campaigns", page_size=bad)
            assert response.status_code == 400, bad
            assert response.json()["error"]["code"] == "invalid_request"
        cursor = api.get("/v1/campaigns", page_size=2).json()["paging"]["next_page_token"]
        foreign = api.get("/v1/reports/daily", start_date="2024-03-01", end_date="2024-03-02", page_token=cursor)
        assert foreign.status_code == 400, "a cursor only works for the query it came from"
        assert api.get("/v1/campaigns", page_token="not-a-token").status_code == 400


# ---------------------------------------------------------------------------------- date filters


def test_date_range_is_inclusive_and_filters(adplatform_api: _Api) -> None:
    rows = adplatform_api.report("2024-03-03", "2024-03-06")
    assert sorted({row["date"] for row in rows}) == ["2024-03-03", "2024-03-04", "2024-03-05", "2024-03-06"]
    single = adplatform_api.report("2024-03-10", "2024-03-10")
    assert [(row["date"], row["campaign_id"]) for row in single] == [("2024-03-10", i) for i in range(1, 7)]
    one_campaign = adplatform_api.report("2024-01-01", "2024-12-31", campaign_id=6)
    assert {row["campaign_id"] for row in one_campaign} == {6}
    assert one_campaign[0]["date"] == "2024-03-08"
    assert one_campaign[-1]["date"] == AS_OF.isoformat(), "nothing after as_of"
    future = adplatform_api.get("/v1/reports/daily", start_date="2024-03-22", end_date="2024-03-23")
    assert future.status_code == 200
    assert future.json() == {"data": [], "paging": {"next_page_token": None}}
    full_leap_year = adplatform_api.get("/v1/reports/daily", start_date="2023-03-22", end_date="2024-03-21")
    assert full_leap_year.status_code == 200, "366 days are allowed"


@pytest.mark.parametrize(
    "params",
    [
        {"end_date": "2024-03-05"},
        {"start_date": "2024-03-05"},
        {"start_date": "2024-3-01", "end_date": "2024-03-05"},
        {"start_date": "20240301", "end_date": "2024-03-05"},
        {"start_date": "2024-02-30", "end_date": "2024-03-05"},
        {"start_date": "2024-03-06", "end_date": "2024-03-05"},
        {"start_date": "2023-03-01", "end_date": "2024-03-01"},  # 367 days
        {"start_date": "2024-03-01", "end_date": "2024-03-05", "campaign_id": "x"},
        {"start_date": "2024-03-01", "end_date": "2024-03-05", "limit": "5"},
        {"start_date": ["2024-03-01", "2024-03-02"], "end_date": "2024-03-05"},
    ],
)
def test_bad_report_queries_are_400(adplatform_api: _Api, params: dict[str, Any]) -> None:
    response = adplatform_api.get("/v1/reports/daily", **params)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_request"
    assert response.json()["error"]["message"]


# ---------------------------------------------------------------------------------- restatement


def test_recent_days_are_preliminary_and_restated(adplatform_data: Path, adplatform_api: _Api) -> None:
    final = {(row["date"], row["campaign_id"]): row for row in load_daily_metrics(adplatform_data)}
    tomorrow = AS_OF + dt.timedelta(days=1)

    def served() -> dict[tuple[dt.date, int], dict[str, int]]:
        return {
            (dt.date.fromisoformat(row["date"]), row["campaign_id"]): {name: row[name] for name in METRICS}
            for row in adplatform_api.report("2024-03-15", "2024-03-31")
        }

    before = served()
    assert max(day for day, _ in before) == AS_OF
    for key, values in before.items():
        assert values == _expected_served(final[key], AS_OF), key
    assert before[(AS_OF, 1)]["impressions"] < final[(AS_OF, 1)]["impressions"], "as_of is preliminary"
    three_back = (AS_OF - dt.timedelta(days=3), 1)
    assert before[three_back] == {name: final[three_back][name] for name in METRICS}, "3 days back is final"

    _write_state(adplatform_data, tomorrow)  # the generator's `advance`, no restart
    after = served()
    assert max(day for day, _ in after) == tomorrow
    for key, values in after.items():
        assert values == _expected_served(final[key], tomorrow), key
    assert after[(AS_OF, 1)]["impressions"] > before[(AS_OF, 1)]["impressions"], "restated upwards"
    assert adplatform_api.get("/healthz").json()["as_of"] == tomorrow.isoformat()


def test_served_totals_match_the_api(adplatform_data: Path, adplatform_api: _Api) -> None:
    rows = adplatform_api.report("2023-03-23", "2024-03-21", page_size=13)
    by_currency: Counter[str] = Counter()
    for row in rows:
        by_currency[row["currency"]] += row["cost_micros"]
    totals = served_totals(adplatform_data)
    assert totals == {
        "rows": len(rows),
        "impressions": sum(row["impressions"] for row in rows),
        "clicks": sum(row["clicks"] for row in rows),
        "conversions": sum(row["conversions"] for row in rows),
        "cost_micros_by_currency": dict(sorted(by_currency.items())),
    }
    assert set(totals["cost_micros_by_currency"]) == {"EUR", "GBP", "USD"}
    final_up_to_as_of = [row for row in load_daily_metrics(adplatform_data) if row["date"] <= AS_OF]
    assert totals["rows"] == len(final_up_to_as_of)
    assert totals["impressions"] < sum(row["impressions"] for row in final_up_to_as_of), "restatement applied"


# ------------------------------------------------------------------------------ fault injection


def _statuses(data_dir: Path, http: requests.Session, seed: int, n: int = 200) -> list[int]:
    """Statuses of n /v1 requests to a server failing 10 % with 429 and 20 % with 5xx."""
    statuses: list[int] = []
    with AdPlatformServer(
        data_dir, token=TOKEN, fail_429_rate=0.1, fail_5xx_rate=0.2, seed=seed, retry_after_seconds=2
    ) as server:
        api = _Api(server, http)
        for _ in range(5):
            assert api.get("/healthz").status_code == 200, "no faults outside /v1"
        for _ in range(n):
            response = api.get("/v1/campaigns", page_size=2)
            statuses.append(response.status_code)
            if response.status_code == 429:
                assert response.headers["Retry-After"] == "2"
                assert response.json()["error"]["code"] == "rate_limited"
            elif response.status_code >= 500:
                assert response.json()["error"]["code"] in ("internal_error", "unavailable")
        assert server.request_count == dict(Counter(statuses) + Counter({200: 5}))
    return statuses


def test_injected_faults_rate_and_seed(adplatform_data: Path, adplatform_http: requests.Session) -> None:
    statuses = _statuses(adplatform_data, adplatform_http, seed=7)
    counts = Counter(statuses)
    assert set(counts) == {200, 429, 500, 503}
    assert 5 <= counts[429] <= 35, counts  # expected 20
    assert 20 <= counts[500] + counts[503] <= 60, counts  # expected 40
    assert _statuses(adplatform_data, adplatform_http, seed=7) == statuses, "same seed, same faults"
    assert _statuses(adplatform_data, adplatform_http, seed=8) != statuses


# ----------------------------------------------------------------------------------- OpenAPI


def _resolve(document: dict[str, Any], node: Any) -> Any:
    """Follow a local $ref (recursively); other nodes are returned as they are."""
    if isinstance(node, dict) and "$ref" in node:
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        return _resolve(document, target)
    return node


def _refs(node: Any) -> Iterator[str]:
    """Every $ref in a JSON document."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def test_openapi_describes_every_route(adplatform_api: _Api) -> None:
    response = adplatform_api.get("/openapi.json", token=None)
    assert response.status_code == 200
    document = response.json()
    packaged = json.loads((REPO_ROOT / "demo" / "adplatform" / "openapi.json").read_text(encoding="utf-8"))
    assert {**document, "servers": packaged["servers"]} == packaged
    assert document["servers"][0]["url"] == adplatform_api.server.url
    assert document["openapi"].startswith("3.0")
    for ref in _refs(document):
        _resolve(document, {"$ref": ref})  # every reference resolves
    bearer = document["components"]["securitySchemes"]["bearerAuth"]
    assert (bearer["type"], bearer["scheme"]) == ("http", "bearer")
    assert document["security"] == [{"bearerAuth": []}]
    assert set(document["paths"]) == set(ROUTES)
    for path, allowed in ROUTES.items():
        operations = document["paths"][path]
        assert set(operations) == {"get"}, path
        parameters = [_resolve(document, p) for p in operations["get"].get("parameters", [])]
        assert {p["name"] for p in parameters} == set(allowed), path
        if path.startswith("/v1/"):
            assert "security" not in operations["get"], "v1 uses the global bearerAuth"
            assert {"200", "400", "401", "429", "500", "503"} <= set(operations["get"]["responses"])
        else:
            assert operations["get"]["security"] == []
        assert adplatform_api.get(path).status_code != 404, path
    schemas = document["components"]["schemas"]
    campaign = adplatform_api.get("/v1/campaigns").json()["data"][0]
    assert set(campaign) == set(schemas["Campaign"]["properties"]) == set(schemas["Campaign"]["required"])
    row = adplatform_api.report("2024-03-01", "2024-03-01")[0]
    row_schema = schemas["DailyReportRow"]
    assert set(row) == set(row_schema["properties"]) == set(row_schema["required"])


# --------------------------------------------------------------------------------- lifecycle


def test_start_stop_frees_the_port(adplatform_data: Path, adplatform_http: requests.Session) -> None:
    server = AdPlatformServer(adplatform_data, token=TOKEN)
    url = server.start()
    assert url == f"http://127.0.0.1:{server.port}"
    assert _Api(server, adplatform_http).get("/v1/campaigns").status_code == 200  # leaves a keep-alive open
    began = time.monotonic()
    server.stop()
    assert time.monotonic() - began < 2, "stop must not wait for idle keep-alive connections"
    server.stop()  # idempotent
    with pytest.raises(requests.ConnectionError):
        adplatform_http.get(url + "/healthz", timeout=2)
    with AdPlatformServer(adplatform_data, token=TOKEN, port=server.port) as again:
        assert again.port == server.port
        assert adplatform_http.get(again.url + "/healthz", timeout=5).status_code == 200


# ---------------------------------------------------------------------------------------- CLI


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run ``python -m demo.adplatform.cli`` (what ``python -m demo api`` calls) from the repo root."""
    return subprocess.run(
        [sys.executable, "-m", "demo.adplatform.cli", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_cli_start_status_stop(adplatform_data: Path, adplatform_http: requests.Session) -> None:
    env = {key: value for key, value in os.environ.items() if key != TOKEN_ENV}
    port = str(_free_port())
    url = f"http://127.0.0.1:{port}"
    folder = adplatform_data / "sources" / "adplatform"
    common = ("--data-dir", str(adplatform_data))
    try:
        started = _cli("start", *common, "--port", port, "--verbose", env=env)
        assert started.returncode == 0, started.stderr
        assert started.stdout.count("\n") == 1 and url in started.stdout
        assert (folder / "server.pid").is_file()
        again = _cli("start", *common, "--port", port, env=env)
        assert again.returncode == 0 and "already running" in again.stdout
        status = _cli("status", *common, env=env)
        assert status.returncode == 0 and url in status.stdout

        token = token_file(adplatform_data).read_text(encoding="utf-8").strip()
        good = {"Authorization": f"Bearer {token}"}
        assert adplatform_http.get(url + "/v1/campaigns", headers=good, timeout=5).status_code == 200
        bad = {"Authorization": "Bearer wrong-token-zz9"}
        assert adplatform_http.get(url + "/v1/campaigns", headers=bad, timeout=5).status_code == 401
    finally:
        stopped = _cli("stop", *common, env=env)
    assert stopped.returncode == 0 and "stopped" in stopped.stdout, stopped.stderr
    assert not (folder / "server.pid").exists()
    with pytest.raises(requests.ConnectionError):
        adplatform_http.get(url + "/healthz", timeout=2)
    assert _cli("status", *common, env=env).returncode == 1
    assert "not running" in _cli("stop", *common, env=env).stdout

    log = (folder / "server.log").read_text(encoding="utf-8")
    assert "GET /v1/campaigns 200" in log and "GET /v1/campaigns 401" in log
    assert token not in log and "wrong-token-zz9" not in log


def test_cli_errors_are_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "DATA_DIR": str(tmp_path)}
    for command in ("start", "serve"):
        result = _cli(command, "--port", str(_free_port()), env=env)
        assert result.returncode == 1
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
        assert "make demo-data" in result.stderr and str(tmp_path) in result.stderr
    status = _cli("status", env=env)
    assert status.returncode == 1 and "not running" in status.stdout
    bad_port = _cli("start", env={**env, "DEMO_ADPLATFORM_PORT": "http"})
    assert bad_port.returncode == 1 and "DEMO_ADPLATFORM_PORT" in bad_port.stderr


def _with_command(data_dir: Path, *options: str) -> list[str]:
    """``python -m demo.adplatform.cli with`` running a child that prints the URL it was given, then waits."""
    child = (
        "import os, sys, time; print(os.environ['SOURCES__ADPLATFORM__BASE_URL'], flush=True); "
        "time.sleep(float(sys.argv[1]))"
    )
    return [
        sys.executable,
        "-m",
        "demo.adplatform.cli",
        "with",
        "--data-dir",
        str(data_dir),
        *options,
        "--",
        sys.executable,
        "-c",
        child,
    ]


def test_with_serves_on_a_free_port_when_the_port_is_taken(adplatform_data: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key not in (TOKEN_ENV, "SOURCES__ADPLATFORM__BASE_URL")}
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [*_with_command(adplatform_data, "--port", str(port)), "0"],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 0, result.stderr
    url = result.stdout.strip()
    assert url.startswith("http://127.0.0.1:") and not url.endswith(f":{port}")
    assert f"port {port} on 127.0.0.1 is in use" in result.stderr and "Traceback" not in result.stderr


def test_with_leaves_no_server_behind_when_killed(adplatform_data: Path, adplatform_http: requests.Session) -> None:
    env = {key: value for key, value in os.environ.items() if key not in (TOKEN_ENV, "SOURCES__ADPLATFORM__BASE_URL")}
    process = subprocess.Popen(
        [*_with_command(adplatform_data, "--port", str(_free_port())), "60"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert adplatform_http.get(url + "/healthz", timeout=5).status_code == 200
    finally:
        os.killpg(process.pid, signal.SIGKILL)  # as a crash does: no clean-up code runs
        process.wait()
    with pytest.raises(requests.ConnectionError):
        adplatform_http.get(url + "/healthz", timeout=2)
    assert not (adplatform_data / "sources" / "adplatform" / "server.pid").exists()


# ---------------------------------------------------------------------------------------- python -m demo with

_PRINT_SETTINGS = (
    "import os, sys; "
    "[print(k + '=' + os.environ.get(k, '')) for k in "
    "('SOURCES__OLTP__CREDENTIALS', 'SOURCES__ADPLATFORM__BASE_URL', 'SOURCES__ADPLATFORM__API_TOKEN')]; "
    "sys.exit(3)"
)


def _demo_with(data_dir: Path, env: dict[str, str]) -> tuple[int, dict[str, str], str]:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "demo",
            "--data-dir",
            str(data_dir),
            "with",
            "--",
            sys.executable,
            "-c",
            _PRINT_SETTINGS,
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    settings = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
    return result.returncode, settings, result.stderr


def _env_without_settings() -> dict[str, str]:
    names = ("SOURCES__OLTP__CREDENTIALS", "SOURCES__ADPLATFORM__BASE_URL", "SOURCES__ADPLATFORM__API_TOKEN")
    names += (TOKEN_ENV, "DEMO_OLTP_URL")
    return {key: value for key, value in os.environ.items() if key not in names}


def test_demo_with_exports_the_demo_settings(adplatform_data: Path) -> None:
    """`make ingest` runs `python -m demo with -- python -m ingestion`: the demo API serves, DEMO_OLTP_URL is used."""
    env = {**_env_without_settings(), "DEMO_OLTP_URL": "postgresql://postgres@127.0.0.1:5432/shop"}
    code, settings, stderr = _demo_with(adplatform_data, env)
    assert code == 3, stderr  # the command's own exit code
    assert settings["SOURCES__OLTP__CREDENTIALS"] == "postgresql://postgres@127.0.0.1:5432/shop"
    assert settings["SOURCES__ADPLATFORM__BASE_URL"].startswith("http://127.0.0.1:")
    assert settings["SOURCES__ADPLATFORM__API_TOKEN"]


def test_demo_with_leaves_a_users_own_settings_alone(adplatform_data: Path, tmp_path: Path) -> None:
    env = {
        **_env_without_settings(),
        "DEMO_OLTP_URL": "postgresql://postgres@127.0.0.1:5432/shop",
        "SOURCES__OLTP__CREDENTIALS": "sqlite:////srv/erp.sqlite",
        "SOURCES__ADPLATFORM__API_TOKEN": "the-users-token",
    }
    code, settings, stderr = _demo_with(adplatform_data, env)
    assert code == 3, stderr
    assert settings["SOURCES__OLTP__CREDENTIALS"] == "sqlite:////srv/erp.sqlite"
    assert settings["SOURCES__ADPLATFORM__API_TOKEN"] == "the-users-token"
    assert settings["SOURCES__ADPLATFORM__BASE_URL"] == ""  # no demo API started: the user's API is configured
    # a folder without demo data: the command runs as is
    empty = tmp_path / "own-systems"
    empty.mkdir()
    code, settings, stderr = _demo_with(empty, _env_without_settings())
    assert code == 3, stderr
    assert settings == {
        "SOURCES__OLTP__CREDENTIALS": "",
        "SOURCES__ADPLATFORM__BASE_URL": "",
        "SOURCES__ADPLATFORM__API_TOKEN": "",
    }
