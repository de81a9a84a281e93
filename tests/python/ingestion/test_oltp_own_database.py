"""The OLTP source on a database nobody here designed: mixed-case table and column names, no ``updated_at``,
money as DECIMAL; ``table_names`` loads exactly the tables named; a SQLite path with a typo is an error.

The database is written by the test (SQLite in its DATA_DIR, or a scratch database on the PostgreSQL and
MariaDB test servers, dropped afterwards) and compared value by value with the warehouse.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from ingest_helpers import query

from ingestion.common.settings import Paths
from ingestion.runner import SourceResult, run_source
from ingestion.sources import registry

METADATA = sa.MetaData()
CUSTOMERS = sa.Table(
    "CustomerAccounts",
    METADATA,
    sa.Column("CustomerID", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("FullName", sa.String(100), nullable=False),
    sa.Column("SignupDate", sa.Date),
)
INVOICES = sa.Table(
    "SalesInvoice",
    METADATA,
    sa.Column("InvoiceNo", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("CustomerID", sa.Integer, sa.ForeignKey("CustomerAccounts.CustomerID"), nullable=False),
    sa.Column("GrossAmount", sa.Numeric(12, 2), nullable=False),
    sa.Column("IssuedAt", sa.DateTime, nullable=False),
    sa.Column("isPaid", sa.Boolean, nullable=False),
)
CUSTOMER_ROWS = [
    {"CustomerID": 1, "FullName": "Ada Lovelace", "SignupDate": dt.date(2024, 12, 1)},
    {"CustomerID": 2, "FullName": "Émile Zola", "SignupDate": None},
    {"CustomerID": 3, "FullName": "O'Brien, Pat", "SignupDate": dt.date(2025, 2, 28)},
]
INVOICE_ROWS = [
    {"InvoiceNo": 10, "CustomerID": 1, "GrossAmount": Decimal("0.10"), "IssuedAt": dt.datetime(2025, 1, 1, 8, 0, 1),
     "isPaid": True},
    {"InvoiceNo": 11, "CustomerID": 1, "GrossAmount": Decimal("0.20"), "IssuedAt": dt.datetime(2025, 1, 2, 9, 30),
     "isPaid": False},
    {"InvoiceNo": 12, "CustomerID": 3, "GrossAmount": Decimal("1234567.89"),
     "IssuedAt": dt.datetime(2025, 3, 4, 23, 59, 59), "isPaid": True},
    {"InvoiceNo": 13, "CustomerID": 2, "GrossAmount": Decimal("0.00"), "IssuedAt": dt.datetime(2025, 3, 5),
     "isPaid": False},
]  # fmt: skip


def _write_database(url: str) -> None:
    engine = sa.create_engine(url)
    try:
        METADATA.create_all(engine)
        with engine.begin() as connection:
            connection.execute(CUSTOMERS.insert(), CUSTOMER_ROWS)
            connection.execute(INVOICES.insert(), INVOICE_ROWS)
    finally:
        engine.dispose()


def _ingest(data_dir: Path) -> SourceResult:
    return run_source(registry()["oltp"], Paths(data_dir))


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mariadb", marks=pytest.mark.mariadb),
    ]
)
def database_url(request: pytest.FixtureRequest, data_dir: Path) -> str:
    """A fresh empty database: a SQLite file in the test's folder, or one on each test server."""
    if request.param == "sqlite":
        return f"sqlite:///{data_dir.parent / 'third_party.sqlite'}"
    return request.getfixturevalue(f"{request.param}_url")


def test_mixed_case_names_without_updated_at_land_exactly(
    database_url: str, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write_database(database_url)
    monkeypatch.setenv("SOURCES__OLTP__CREDENTIALS", database_url)

    result = _ingest(data_dir)

    assert result.ok, result.error
    assert result.rows["customer_accounts"] == 3 and result.rows["sales_invoice"] == 4
    customers = query(data_dir, "select customer_id, full_name, signup_date from oltp.customer_accounts order by 1")
    assert customers == [tuple(row.values()) for row in CUSTOMER_ROWS]
    invoices = query(
        data_dir,
        "select invoice_no, customer_id, gross_amount, issued_at, is_paid from oltp.sales_invoice order by 1",
    )
    assert invoices == [tuple(row.values()) for row in INVOICE_ROWS]
    assert all(isinstance(row[2], Decimal) for row in invoices)
    types = dict(
        query(
            data_dir,
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'oltp' and table_name = 'sales_invoice'",
        )
    )
    assert types["gross_amount"] == "DECIMAL(12,2)" and types["issued_at"] == "TIMESTAMP"

    # no cursor column: the tables are replaced each run, never duplicated
    again = _ingest(data_dir)
    assert again.ok, again.error
    assert query(data_dir, "select count(*) from oltp.sales_invoice") == [(4,)]


def test_table_names_loads_exactly_the_tables_named(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{data_dir.parent / 'third_party.sqlite'}"
    _write_database(url)  # SalesInvoice refers to CustomerAccounts by a foreign key
    monkeypatch.setenv("SOURCES__OLTP__CREDENTIALS", url)
    monkeypatch.setenv("SOURCES__OLTP__TABLE_NAMES", '["SalesInvoice"]')

    result = _ingest(data_dir)

    assert result.ok, result.error
    tables = query(
        data_dir,
        "select table_name from information_schema.tables where table_schema = 'oltp' "
        "and table_name not like '\\_%' escape '\\'",
    )
    assert tables == [("sales_invoice",)]


def test_unknown_table_name_is_one_clear_error(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{data_dir.parent / 'third_party.sqlite'}"
    _write_database(url)
    monkeypatch.setenv("SOURCES__OLTP__CREDENTIALS", url)
    monkeypatch.setenv("SOURCES__OLTP__TABLE_NAMES", '["SalesInvoice", "Nope"]')

    result = _ingest(data_dir)

    assert not result.ok
    assert "Nope" in (result.error or "") and "sources.oltp.table_names" in (result.error or "")


def test_a_sqlite_path_that_does_not_exist_is_an_error_and_is_not_created(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    typo = data_dir.parent / "shpo.sqlite"
    monkeypatch.setenv("SOURCES__OLTP__CREDENTIALS", f"sqlite:///{typo}")

    result = _ingest(data_dir)

    assert not result.ok
    assert result.error == (
        f"oltp: the SQLite database {typo} does not exist (not created); check the path in "
        "sources.oltp.credentials (SOURCES__OLTP__CREDENTIALS)"
    )
    assert not typo.exists()
