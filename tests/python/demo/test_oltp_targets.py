"""The shop's OLTP database on real servers: PostgreSQL and MariaDB hold exactly what SQLite holds.

Covers the schema the generator creates there (keys, NUMERIC(12, 2) money), the contents against the
manifest, `advance` on a server, its refusal to write to another target, and the CLI's one-line error
when the server is unreachable. The database fixtures come from tests/python/conftest.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Float, Numeric, create_engine, func, inspect, select
from sqlalchemy.engine import Connection, make_url

from demo.generator import advance, generate
from demo.generator.oltp import PRIMARY_KEYS, TABLES
from demo.paths import SourcePaths

REPO_ROOT = Path(__file__).resolve().parents[3]
RUN: dict[str, Any] = {"scale": 0.01, "seed": 7}
DAYS = 12
CENT = Decimal("0.01")
PASSWORD = "s3cret"

EXPECTED_FOREIGN_KEYS = {
    # (table, column, referred table, referred column)
    ("order_items", "order_id", "orders", "order_id"),
    ("payments", "order_id", "orders", "order_id"),
    ("refunds", "payment_id", "payments", "payment_id"),
    ("addresses", "customer_id", "customers", "customer_id"),
    ("products", "category_id", "categories", "category_id"),
}
DECLARED_FOREIGN_KEYS = {
    (table.name, fk.parent.name, fk.column.table.name, fk.column.name) for table in TABLES for fk in table.foreign_keys
}
MONEY_COLUMNS = sorted(
    (table.name, column.name) for table in TABLES for column in table.columns if isinstance(column.type, Numeric)
)

Rows = dict[str, list[tuple[Any, ...]]]


@pytest.fixture(
    params=[pytest.param("postgres", marks=pytest.mark.postgres), pytest.param("mariadb", marks=pytest.mark.mariadb)]
)
def server_url(request: pytest.FixtureRequest) -> str:
    """A fresh database on each server in turn."""
    return request.getfixturevalue(f"{request.param}_url")


# ----------------------------------------------------------------------------------------- helpers


@contextmanager
def _connect(url: str) -> Iterator[Connection]:
    """A connection whose engine is disposed afterwards (so the scratch database can be dropped)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def _sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{SourcePaths(data_dir).oltp_sqlite.resolve()}"


def _read_tables(url: str) -> Rows:
    """Every table's rows ordered by primary key; amounts as Decimal rounded to cents (SQLite keeps REAL)."""
    out: Rows = {}
    with _connect(url) as conn:
        for table in TABLES:
            money = [isinstance(column.type, Numeric) for column in table.columns]
            rows = conn.execute(select(table).order_by(*table.primary_key.columns)).all()
            out[table.name] = [
                tuple(
                    Decimal(str(v)).quantize(CENT) if is_money and v is not None else v
                    for v, is_money in zip(row, money, strict=True)
                )
                for row in rows
            ]
    return out


def _assert_same_tables(expected: Rows, actual: Rows, label: str) -> None:
    """Same rows in every table; values and their Python types must agree (True is not 1)."""
    for table in TABLES:
        want, got = expected[table.name], actual[table.name]
        assert len(got) == len(want), f"{table.name}: {len(got)} rows on {label}, {len(want)} expected"
        columns = [column.name for column in table.columns]
        for want_row, got_row in zip(want, got, strict=True):
            diffs = [
                f"{name}: {a!r} != {b!r}"
                for name, a, b in zip(columns, got_row, want_row, strict=True)
                if a != b or type(a) is not type(b)
            ]
            assert not diffs, f"{table.name} {columns[0]}={want_row[0]} on {label}: {'; '.join(diffs)}"


def _without_target(manifest: dict[str, Any]) -> dict[str, Any]:
    """The manifest minus the one field that names the OLTP target."""
    out = json.loads(json.dumps(manifest))
    out["oltp"].pop("target")
    return out


def _row_counts(url: str) -> dict[str, int]:
    with _connect(url) as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in TABLES}


def _database(url: str) -> str:
    name = make_url(url).database
    assert name, url
    return name


# ------------------------------------------------------------------------------------------- tests


def test_every_table_is_identical_on_sqlite_postgres_and_mariadb(
    postgres_url: str, mariadb_url: str, tmp_path: Path
) -> None:
    contents: dict[str, Rows] = {}
    manifests: dict[str, dict[str, Any]] = {}
    for label, url in (("sqlite", None), ("postgres", postgres_url), ("mariadb", mariadb_url)):
        data_dir = tmp_path / label
        result = generate(data_dir, days=DAYS, oltp_url=url, quiet=True, **RUN)
        read_url = url or _sqlite_url(data_dir)
        assert _row_counts(read_url) == result.manifest["oltp"]["row_counts"], f"row counts on {label}"
        contents[label] = _read_tables(read_url)
        manifests[label] = _without_target(result.manifest)

    empty = [name for name, rows in contents["sqlite"].items() if not rows]
    assert not empty, f"tables without rows make the comparison meaningless: {empty}"
    for label in ("postgres", "mariadb"):
        _assert_same_tables(contents["sqlite"], contents[label], label)
        assert manifests[label] == manifests["sqlite"], f"the manifest of the {label} run differs"


def test_server_has_every_primary_and_foreign_key(server_url: str, data_dir: Path) -> None:
    generate(data_dir, days=2, oltp_url=server_url, quiet=True, **RUN)

    assert EXPECTED_FOREIGN_KEYS <= DECLARED_FOREIGN_KEYS
    engine = create_engine(server_url)
    try:
        inspector = inspect(engine)
        assert set(inspector.get_table_names()) == {t.name for t in TABLES}
        for table in TABLES:
            pk = inspector.get_pk_constraint(table.name)["constrained_columns"]
            assert pk == [PRIMARY_KEYS[table.name]], f"{table.name}: primary key {pk}"
        on_server = {
            (table.name, fk["constrained_columns"][0], fk["referred_table"], fk["referred_columns"][0])
            for table in TABLES
            for fk in inspector.get_foreign_keys(table.name)
        }
    finally:
        engine.dispose()
    assert on_server == DECLARED_FOREIGN_KEYS


def test_server_money_is_numeric_12_2_with_exact_cents(server_url: str, data_dir: Path) -> None:
    result = generate(data_dir, days=DAYS, oltp_url=server_url, quiet=True, **RUN)
    manifest = json.loads((data_dir / "manifest.json").read_text())
    assert manifest == result.manifest
    assert manifest["oltp"]["target"] == make_url(server_url).render_as_string(hide_password=True)

    assert {
        ("orders", "total_amount"),
        ("payments", "amount"),
        ("refunds", "amount"),
        ("order_items", "unit_price"),
        ("order_items", "line_total"),
    } <= set(MONEY_COLUMNS)
    engine = create_engine(server_url)
    try:
        inspector = inspect(engine)
        for table, column in MONEY_COLUMNS:
            reflected = {c["name"]: c["type"] for c in inspector.get_columns(table)}[column]
            assert isinstance(reflected, Numeric) and not isinstance(reflected, Float), f"{table}.{column}"
            assert (reflected.precision, reflected.scale) == (12, 2), f"{table}.{column}: {reflected!r}"
        with engine.connect() as conn:
            # The driver's own values, without SQLAlchemy's type processing in between.
            for table, column in MONEY_COLUMNS:
                values = [v for (v,) in conn.exec_driver_sql(f"SELECT {column} FROM {table}")]
                assert values, f"{table}.{column} has no rows"
                inexact = [v for v in values if not isinstance(v, Decimal) or v.as_tuple().exponent != -2]
                assert not inexact, f"{table}.{column}: {inexact[:5]}"
            sums = dict(conn.exec_driver_sql("SELECT currency, SUM(total_amount) FROM orders GROUP BY currency").all())
    finally:
        engine.dispose()
    gross = {currency: Decimal(amount) for currency, amount in manifest["orders"]["gross_total"].items()}
    assert len(gross) >= 2
    assert sums == gross


def test_advance_on_postgres_equals_generating_more_days(postgres_url: str, tmp_path: Path) -> None:
    served, direct = tmp_path / "served", tmp_path / "direct"
    before = generate(served, days=DAYS, oltp_url=postgres_url, quiet=True, **RUN)
    after = advance(served, days=2, oltp_url=postgres_url, quiet=True)
    expected = generate(direct, days=DAYS + 2, quiet=True, **RUN)

    assert (after.days, after.manifest["generator"]["days"]) == (2, DAYS + 2)
    assert after.manifest["orders"]["orders"] > before.manifest["orders"]["orders"]
    _assert_same_tables(_read_tables(_sqlite_url(direct)), _read_tables(postgres_url), "postgres after advance")
    assert _row_counts(postgres_url) == after.manifest["oltp"]["row_counts"]
    assert _without_target(after.manifest) == _without_target(expected.manifest)


def test_advance_refuses_a_missing_or_different_server_url(postgres_url: str, data_dir: Path) -> None:
    with_password = make_url(postgres_url).set(password=PASSWORD).render_as_string(hide_password=False)
    target = make_url(with_password).render_as_string(hide_password=True)
    other = make_url(with_password).set(database=f"{_database(postgres_url)}_other")
    generate(data_dir, days=1, oltp_url=with_password, quiet=True, **RUN)
    state_file = data_dir / ".demo_state" / "state.json"

    with pytest.raises(ValueError) as missing:
        advance(data_dir, days=1, quiet=True)
    with pytest.raises(ValueError) as different:
        advance(data_dir, days=1, oltp_url=other.render_as_string(hide_password=False), quiet=True)

    assert target in str(missing.value)
    assert target in str(different.value) and other.database in str(different.value)
    for text in (
        str(missing.value),
        str(different.value),
        state_file.read_text(),
        (data_dir / "manifest.json").read_text(),
    ):
        assert PASSWORD not in text
    assert json.loads(state_file.read_text())["days_generated"] == 1, "a refused advance changed the state"
    # The same URL is accepted.
    assert advance(data_dir, days=1, oltp_url=with_password, quiet=True).manifest["generator"]["days"] == 2


def test_advance_refuses_a_server_url_for_sqlite_data(data_dir: Path) -> None:
    generate(data_dir, days=1, quiet=True, **RUN)

    url = f"postgresql+psycopg2://postgres:{PASSWORD}@127.0.0.1:5432/demo_elsewhere"
    with pytest.raises(ValueError, match="SQLite") as refused:
        advance(data_dir, days=1, oltp_url=url, quiet=True)
    assert PASSWORD not in str(refused.value)
    assert json.loads((data_dir / ".demo_state" / "state.json").read_text())["days_generated"] == 1


def test_cli_reports_an_unreachable_server_in_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DEMO_DEBUG", "DEMO_OLTP_URL")}
    url = f"postgresql+psycopg2://postgres:{PASSWORD}@127.0.0.1:1/x"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "demo",
            "--data-dir",
            str(tmp_path / "data"),
            "generate",
            "--scale",
            "0.01",
            "--days",
            "3",
            "--oltp-url",
            url,
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert PASSWORD not in proc.stderr + proc.stdout
    # Besides the "generating ..." banner, the error is the one and only line.
    lines = [line for line in proc.stderr.splitlines() if not line.startswith("generating ")]
    assert len(lines) == 1 and lines[0].startswith("demo:"), proc.stderr
    assert "OperationalError" in lines[0]
