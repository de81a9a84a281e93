"""Access logs that are not the demo's: Apache and nginx, `combined` and `common`, any UTC offset, `-` fields.

Each test writes its own log files (nothing from the demo generator) into a temporary folder, points
the weblogs pipeline at it (`SOURCES__WEBLOGS__BUCKET_URL`), ingests them into a temporary DATA_DIR and
builds the web-log models with dbt. The expected values come from the fields each line was written
from, not from parsing the text again: every valid line must be in staging with those values, every
malformed one in quarantine with its reason, and raw rows = staged + quarantined, file by file.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from warehouse_helpers import DBT, PYTHON, Warehouse, run

WEB_MODELS = ["base_weblogs__requests", "stg_weblogs__requests", "qrt_weblogs__requests", "fct_web_requests"]


@dataclass(frozen=True)
class Request:
    """The fields of one logged request, as a server writes them (`None` is written as `-`)."""

    client_ip: str
    local_time: datetime  # aware: the server's local time with its UTC offset
    request_line: str
    status: int
    response_bytes: int | None
    remote_user: str | None = None
    referrer: str | None = None
    user_agent: str | None = None

    def clf_time(self) -> str:
        return self.local_time.strftime("%d/%b/%Y:%H:%M:%S %z")

    def common(self) -> str:
        """Apache `common`: `%h %l %u %t "%r" %>s %b`."""
        size = "-" if self.response_bytes is None else str(self.response_bytes)
        user = self.remote_user or "-"
        return f'{self.client_ip} - {user} [{self.clf_time()}] "{self.request_line}" {self.status} {size}'

    def combined(self) -> str:
        """nginx's and Apache's `combined`: `common` plus `"%{Referer}i" "%{User-agent}i"`."""
        return f'{self.common()} "{self.referrer or "-"}" "{self.user_agent or "-"}"'


def zone(hours: int, minutes: int = 0) -> timezone:
    """The fixed UTC offset of a server clock: zone(-3, 30) is -0330."""
    return timezone(timedelta(hours=hours, minutes=-minutes if hours < 0 else minutes))


FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"

APACHE_COMBINED = [
    Request(
        "192.0.2.10",
        datetime(2025, 3, 1, 10, 0, 0, tzinfo=zone(0)),
        "GET / HTTP/1.1",
        200,
        5120,
        referrer="https://example.org/",
        user_agent=FIREFOX,
    ),
    # a 304: Apache's %b writes `-` for the empty body
    Request(
        "192.0.2.10",
        datetime(2025, 3, 1, 10, 0, 5, tzinfo=zone(0)),
        "GET /style.css HTTP/1.1",
        304,
        None,
        referrer="https://example.org/",
        user_agent=FIREFOX,
    ),
    Request(
        "2001:db8::1",
        datetime(2025, 3, 1, 5, 30, 0, tzinfo=zone(-5)),
        "HEAD /health HTTP/1.0",
        200,
        None,
        remote_user="monitor",
    ),
    Request(
        "198.51.100.7",
        datetime(2025, 3, 1, 23, 59, 59, tzinfo=zone(5, 30)),
        "POST /login?next=%2F HTTP/1.1",
        302,
        0,
        referrer="https://example.org/login",
        user_agent='curl/8.5.0 \\"quoted\\"',
    ),
    Request("198.51.100.8", datetime(2025, 3, 1, 0, 15, 0, tzinfo=zone(-3, 30)), "GET /a%20b HTTP/2.0", 404, 196),
    Request("203.0.113.9", datetime(2025, 3, 2, 1, 0, 0, tzinfo=zone(14)), "-", 408, None),
]

APACHE_COMMON = [
    Request(
        "127.0.0.1",
        datetime(2025, 2, 10, 13, 55, 36, tzinfo=zone(-7)),
        "GET /apache_pb.gif HTTP/1.0",
        200,
        2326,
        remote_user="frank",
    ),
    Request("127.0.0.1", datetime(2025, 2, 10, 13, 55, 37, tzinfo=zone(-7)), "GET /index.html HTTP/1.1", 304, None),
    Request("10.1.2.3", datetime(2025, 2, 10, 22, 0, 0, tzinfo=zone(9)), "GET /x?y=1 HTTP/1.1", 500, 0),
    Request("10.1.2.4", datetime(2025, 2, 10, 22, 0, 1, tzinfo=zone(-12)), "OPTIONS * HTTP/1.1", 200, None),
]

NGINX_COMBINED = [
    Request(
        "11.172.116.240",
        datetime(2025, 1, 1, 22, 33, 13, tzinfo=zone(1)),
        "GET /checkout HTTP/1.1",
        200,
        21000,
        referrer="https://shop.example.com/cart",
        user_agent=FIREFOX,
    ),
    Request("193.202.139.226", datetime(2025, 7, 1, 12, 7, 28, tzinfo=zone(2)), "\\x16\\x03\\x01\\x02\\x00", 400, 150),
    Request("45.137.60.223", datetime(2025, 7, 5, 6, 30, 46, tzinfo=zone(2)), "-", 400, 0),
    Request(
        "66.249.66.1",
        datetime(2025, 7, 5, 6, 31, 0, tzinfo=zone(0)),
        "GET /robots.txt HTTP/1.1",
        304,
        0,
        user_agent="Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    ),
]


def _truncated(line: str) -> str:
    return line[: line.rindex('"', 0, len(line) - 1) + 8]  # cut inside the user agent, as a crash does


# (file name, [(line text, the request it is, or the reason it must be quarantined)])
Line = tuple[str, Request | str]
FILES: dict[str, list[Line]] = {
    "access.log-apache-combined": [
        *((r.combined(), r) for r in APACHE_COMBINED),
        (_truncated(APACHE_COMBINED[0].combined()), "unparseable_line"),
        # a combined line cut off right after its byte count looks like a common line: not in a combined file
        (APACHE_COMBINED[0].common(), "unparseable_line"),
        ('192.0.2.10 - - [31/Feb/2025:10:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "-"', "invalid_timestamp"),
        ("", "unparseable_line"),
        ("this is not a log line", "unparseable_line"),
        ('192.0.2.10 - - [01/Mar/2025:10:00:00 +0000] "GET / HTTP/1.1" 2000 1 "-" "-"', "unparseable_line"),
    ],
    "access.log-apache-common.gz": [
        *((r.common(), r) for r in APACHE_COMMON),
        ('127.0.0.1 - frank [10/Feb/2025:13:55:36 -0700] "GET /apache_pb.gif HTT', "unparseable_line"),
        ('127.0.0.1 - frank [10/Feb/2025:13:55:36] "GET / HTTP/1.0" 200 1', "unparseable_line"),
    ],
    "access.log-nginx.gz": [
        *((r.combined(), r) for r in NGINX_COMBINED),
        (_truncated(NGINX_COMBINED[0].combined()), "unparseable_line"),
        (NGINX_COMBINED[0].combined().replace("2025", "2099", 1), "future_timestamp"),
    ],
}


def write_logs(folder: Path, files: dict[str, list[Line]]) -> None:
    folder.mkdir(parents=True)
    for name, lines in files.items():
        text = "".join(f"{line}\n" for line, _ in lines).encode()
        (folder / name).write_bytes(gzip.compress(text) if name.endswith(".gz") else text)


def load_and_build(root: Path, files: dict[str, list[Line]], *dbt_args: str) -> Warehouse:
    """Write the files, ingest them with the weblogs pipeline and build the web-log models."""
    warehouse = Warehouse(root)
    logs = root / "my-logs"
    write_logs(logs, files)
    env = {**warehouse.env, "SOURCES__WEBLOGS__BUCKET_URL": str(logs)}
    run([PYTHON, "-m", "ingestion", "--source", "weblogs"], env)
    dbt(warehouse, "build", *dbt_args)
    return warehouse


def dbt(warehouse: Warehouse, command: str, *args: str) -> None:
    """dbt on the web-log models only (and their tests whose every parent is built)."""
    paths = ["--target-path", str(warehouse.root / "target"), "--log-path", str(warehouse.root / "logs")]
    selection = ["--select", "+fct_web_requests", "qrt_weblogs__requests", "--indirect-selection", "cautious"]
    run([DBT, command, *selection, *args, "--project-dir", ".", "--profiles-dir", ".", *paths], warehouse.env)


@pytest.fixture(scope="module")
def apache_and_nginx(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    return load_and_build(tmp_path_factory.mktemp("weblog_formats"), FILES)


def test_every_valid_line_is_parsed_with_its_values(apache_and_nginx: Warehouse) -> None:
    staged = {
        (row[0], row[1]): row[2:]
        for row in apache_and_nginx.rows(
            """select file_name, line_number, client_ip, remote_user, requested_at, utc_offset_minutes,
                      request_line, status_code, response_bytes, referrer, user_agent
               from staging.stg_weblogs__requests"""
        )
    }
    expected = {}
    for name, lines in FILES.items():
        for number, (_, truth) in enumerate(lines, start=1):
            if isinstance(truth, Request):
                offset = truth.local_time.utcoffset()
                assert offset is not None
                expected[(name, number)] = (
                    truth.client_ip,
                    truth.remote_user,
                    truth.local_time.astimezone(UTC).replace(tzinfo=None),
                    int(offset.total_seconds() // 60),
                    truth.request_line,
                    truth.status,
                    truth.response_bytes,
                    truth.referrer,
                    truth.user_agent,
                )
    assert staged == expected


def test_malformed_lines_are_quarantined_with_their_reason(apache_and_nginx: Warehouse) -> None:
    quarantined = {
        (name, number): reason
        for name, number, reason in apache_and_nginx.rows(
            "select _file_name, _line_number, invalid_reason from quarantine.qrt_weblogs__requests"
        )
    }
    expected = {
        (name, number): truth
        for name, lines in FILES.items()
        for number, (_, truth) in enumerate(lines, start=1)
        if isinstance(truth, str)
    }
    assert quarantined == expected


def test_every_line_is_accounted_for_once(apache_and_nginx: Warehouse) -> None:
    counts = apache_and_nginx.rows(
        """select raw._file_name, count(*), count(stg.request_id), count(qrt._line_number),
                  count(distinct raw._line_number)
           from weblogs.access_log as raw
           left join staging.stg_weblogs__requests as stg
               on raw._file_name = stg.file_name and raw._line_number = stg.line_number
           left join quarantine.qrt_weblogs__requests as qrt
               on raw._file_name = qrt._file_name and raw._line_number = qrt._line_number
           group by 1"""
    )
    for name, raw, staged, quarantined, distinct in counts:
        assert raw == len(FILES[name]) == distinct, name  # every line landed once
        assert staged + quarantined == raw, name  # and is in exactly one of staging and quarantine
        assert staged == sum(isinstance(truth, Request) for _, truth in FILES[name]), name
    assert {name for name, *_ in counts} == set(FILES)
    in_mart = apache_and_nginx.one("select count(*) from marts.fct_web_requests")
    assert in_mart == apache_and_nginx.one("select count(*) from staging.stg_weblogs__requests")


# nginx's `main` log format: `combined` plus "$http_x_forwarded_for"; the vars of the doc block weblogs__line_format
MAIN_FORMAT_VARS = {
    "weblog_line_regex": (
        r'^(\S+) \S+ (\S+) \[([^\]]+)\] "((?:[^"\\]|\\.)*)" (\d{3}) (\d+|-) '
        r'"((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)" "[^"]*"$'
    ),
    "weblog_line_groups": {
        "client_ip": 1,
        "remote_user": 2,
        "time_local": 3,
        "request_line": 4,
        "status_code": 5,
        "response_bytes": 6,
        "referrer": 7,
        "user_agent": 8,
    },
}


def test_another_format_is_a_var_not_a_model_edit(tmp_path: Path) -> None:
    requests = APACHE_COMBINED[:3]
    files: dict[str, list[Line]] = {"access.log-main": [(f'{r.combined()} "10.0.0.1, 10.0.0.2"', r) for r in requests]}
    warehouse = load_and_build(tmp_path, files)
    # not the default format: quarantined, not guessed
    assert warehouse.rows("select distinct invalid_reason from quarantine.qrt_weblogs__requests") == [
        ("unparseable_line",)
    ]
    # the unit tests pin the built-in format: they pass whatever the vars say
    dbt(warehouse, "build", "--full-refresh", "--vars", json.dumps(MAIN_FORMAT_VARS))
    assert warehouse.one("select count(*) from quarantine.qrt_weblogs__requests") == 0
    staged = warehouse.rows(
        "select requested_at, status_code, response_bytes, user_agent from staging.stg_weblogs__requests order by 1"
    )
    assert staged == sorted(
        (r.local_time.astimezone(UTC).replace(tzinfo=None), r.status, r.response_bytes, r.user_agent) for r in requests
    )


@pytest.mark.parametrize(
    ("bad_vars", "message"),
    [
        ({"weblog_line_regex": "^(\\S+)$"}, "weblog_line_groups"),
        ({"weblog_line_regex": "^(\\S+)$", "weblog_line_groups": {"client_ip": 1}}, "required"),
        ({"weblog_line_regex": "^(\\S+)$", "weblog_line_groups": {"client_ip": "1; drop"}}, "group number"),
        ({"weblog_line_regex": "(x)", "weblog_line_groups": {"ip": 1}}, "unknown column"),
    ],
)
def test_a_bad_format_var_stops_dbt_naming_it(tmp_path: Path, bad_vars: dict[str, object], message: str) -> None:
    warehouse = Warehouse(tmp_path)
    command = [DBT, "compile", "--select", "base_weblogs__requests", "--vars", json.dumps(bad_vars)]
    paths = ["--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")]
    with pytest.raises(AssertionError, match=message):
        run([*command, "--project-dir", ".", "--profiles-dir", ".", *paths], warehouse.env)


def test_the_demo_tests_describe_the_demo_only() -> None:
    """The offset and byte-count checks that hold only for the demo's nginx on Berlin time are demo tests."""
    from warehouse_helpers import REPO

    for path in (REPO / "tests" / "dbt" / "demo").glob("*.sql"):
        assert "var('demo_checks')" in path.read_text(), path
    for yml in REPO.glob("models/**/*.yml"):
        assert "values: [60, 120]" not in yml.read_text(), yml
    assert datetime.now(UTC).year < 2099  # the future_timestamp line above stays in the future
