"""The shop's OLTP database: schema and a writer that works on SQLite, PostgreSQL and MariaDB/MySQL.

The schema is the application's own (SQLAlchemy Core), so the same tables, keys and types are created
on every engine. Timestamps are naive UTC with whole seconds; money is NUMERIC(12, 2). Note that
SQLite stores NUMERIC values with REAL affinity (as real applications on SQLite do): loaders must
cast amounts back to DECIMAL(12, 2).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    bindparam,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Engine, make_url

metadata = MetaData()

Money = Numeric(12, 2, asdecimal=True)

categories = Table(
    "categories",
    metadata,
    Column("category_id", Integer, primary_key=True, autoincrement=False),
    Column("parent_category_id", Integer, ForeignKey("categories.category_id"), nullable=True),
    Column("name", String(100), nullable=False),
    Column("slug", String(100), nullable=False, unique=True),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

products = Table(
    "products",
    metadata,
    Column("product_id", Integer, primary_key=True, autoincrement=False),
    Column("category_id", Integer, ForeignKey("categories.category_id"), nullable=False),
    Column("sku", String(32), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("slug", String(200), nullable=False),
    Column("brand", String(100), nullable=False),
    Column("list_price_usd", Money, nullable=False),
    Column("weight_grams", Integer, nullable=False),
    Column("is_active", Boolean, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("deleted_at", DateTime, nullable=True),
)

customers = Table(
    "customers",
    metadata,
    Column("customer_id", Integer, primary_key=True, autoincrement=False),
    Column("email", String(255), nullable=True),
    Column("first_name", String(100), nullable=False),
    Column("last_name", String(100), nullable=False),
    Column("phone", String(40), nullable=True),
    Column("country_code", String(40), nullable=True),
    Column("preferred_currency", String(3), nullable=False),
    Column("marketing_opt_in", Boolean, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("deleted_at", DateTime, nullable=True),
)

addresses = Table(
    "addresses",
    metadata,
    Column("address_id", Integer, primary_key=True, autoincrement=False),
    Column("customer_id", Integer, ForeignKey("customers.customer_id"), nullable=False),
    Column("address_type", String(20), nullable=False),
    Column("line1", String(200), nullable=False),
    Column("city", String(100), nullable=False),
    Column("postal_code", String(20), nullable=False),
    Column("country_code", String(2), nullable=False),
    Column("is_default", Boolean, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

orders = Table(
    "orders",
    metadata,
    Column("order_id", Integer, primary_key=True, autoincrement=False),
    Column("order_number", String(20), nullable=False, unique=True),
    Column("customer_id", Integer, ForeignKey("customers.customer_id"), nullable=False),
    Column("channel", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("subtotal_amount", Money, nullable=False),
    Column("discount_amount", Money, nullable=False),
    Column("shipping_amount", Money, nullable=False),
    Column("total_amount", Money, nullable=False),
    Column("coupon_code", String(40), nullable=True),
    Column("ship_city", String(100), nullable=False),
    Column("ship_postal_code", String(20), nullable=False),
    Column("ship_country_code", String(2), nullable=False),
    Column("placed_at", DateTime, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

order_items = Table(
    "order_items",
    metadata,
    Column("order_item_id", BigInteger, primary_key=True, autoincrement=False),
    Column("order_id", Integer, ForeignKey("orders.order_id"), nullable=False),
    Column("product_id", Integer, ForeignKey("products.product_id"), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("unit_price", Money, nullable=False),
    Column("line_total", Money, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

order_status_history = Table(
    "order_status_history",
    metadata,
    Column("order_status_history_id", BigInteger, primary_key=True, autoincrement=False),
    Column("order_id", Integer, ForeignKey("orders.order_id"), nullable=False),
    Column("status", String(20), nullable=False),
    Column("changed_at", DateTime, nullable=False),
)

payments = Table(
    "payments",
    metadata,
    Column("payment_id", Integer, primary_key=True, autoincrement=False),
    Column("order_id", Integer, ForeignKey("orders.order_id"), nullable=False),
    Column("payment_method", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("amount", Money, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("provider_reference", String(40), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

refunds = Table(
    "refunds",
    metadata,
    Column("refund_id", Integer, primary_key=True, autoincrement=False),
    Column("order_id", Integer, ForeignKey("orders.order_id"), nullable=False),
    Column("payment_id", Integer, ForeignKey("payments.payment_id"), nullable=False),
    Column("amount", Money, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("reason", String(40), nullable=False),
    Column("status", String(20), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

TABLES: tuple[Table, ...] = tuple(metadata.sorted_tables)
"""All tables, parents before children (insert order)."""

PRIMARY_KEYS: dict[str, str] = {t.name: next(iter(t.primary_key.columns)).name for t in TABLES}


@dataclass
class OltpBatch:
    """One day's changes: inserts, updates (by primary key) and hard deletes.

    Values are plain: timestamps as epoch seconds (UTC), NUMERIC(12, 2) amounts as integer cents,
    booleans as bool. The store converts them for its engine.
    """

    inserts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    updates: list[tuple[str, list[dict[str, Any]]]] = field(default_factory=list)
    deletes: dict[str, list[int]] = field(default_factory=dict)

    def insert(self, table: str, rows: Iterable[Mapping[str, Any]]) -> None:
        self.inserts.setdefault(table, []).extend(dict(r) for r in rows)

    def update(self, table: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """Rows hold the primary key plus the columns to set; all rows of one call set the same columns."""
        if rows:
            self.updates.append((table, [dict(r) for r in rows]))

    def delete(self, table: str, keys: Iterable[int]) -> None:
        self.deletes.setdefault(table, []).extend(keys)


_EPOCH = dt.datetime(1970, 1, 1)


def _identity(value: Any) -> Any:
    return value


def _to_datetime(epoch: int | None) -> dt.datetime | None:
    return None if epoch is None else _EPOCH + dt.timedelta(seconds=epoch)


@lru_cache(maxsize=8192)
def _sqlite_minute(epoch_minute: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:", time.gmtime(epoch_minute * 60))


_SQLITE_SECONDS = tuple(f"{s:02d}.000000" for s in range(60))


def _to_sqlite_text(epoch: int | None) -> str | None:
    """The text SQLAlchemy stores for a DateTime on SQLite: 'YYYY-MM-DD HH:MM:SS.ffffff'."""
    if epoch is None:
        return None
    minute, second = divmod(epoch, 60)
    return _sqlite_minute(minute) + _SQLITE_SECONDS[second]


def _to_decimal(cents: int | None) -> Decimal | None:
    return None if cents is None else Decimal(cents).scaleb(-2)


def _to_sqlite_real(cents: int | None) -> float | None:
    # SQLite gives NUMERIC columns REAL affinity: the value is stored as a double either way.
    return None if cents is None else cents / 100


def _to_sqlite_bool(value: bool | None) -> int | None:
    return None if value is None else int(value)


@lru_cache(maxsize=64)
def _converters(table: Table, dialect: str) -> dict[str, Any]:
    """Per column, the function from a batch value (epoch, cents, bool) to what the driver binds."""
    sqlite = dialect == "sqlite"
    out: dict[str, Any] = {}
    for col in table.columns:
        if isinstance(col.type, DateTime):
            out[col.name] = _to_sqlite_text if sqlite else _to_datetime
        elif isinstance(col.type, Numeric):
            out[col.name] = _to_sqlite_real if sqlite else _to_decimal
        elif isinstance(col.type, Boolean) and sqlite:
            out[col.name] = _to_sqlite_bool
        else:
            out[col.name] = _identity
    return out


def _sqlite_bulk_load(dbapi_connection: Any, _record: Any) -> None:
    """No fsync per daily transaction: the rollback journal still protects the file if the generator
    dies mid-day; only a power cut could leave it damaged (and demo data is generated again)."""
    dbapi_connection.execute("PRAGMA synchronous = OFF")


def _sqlite_rows(convert: dict[str, Any], rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """The rows as parameter tuples, converted column by column (map over a column: no per-row loop)."""
    columns = [
        map(itemgetter(c), rows) if f is _identity else map(f, map(itemgetter(c), rows)) for c, f in convert.items()
    ]
    return list(zip(*columns, strict=True))


def redact_url(url: str) -> str:
    """The URL without its password, safe to print or store."""
    return make_url(url).render_as_string(hide_password=True)


class OltpStore:
    """Writes the shop schema and daily batches to any SQLAlchemy URL."""

    def __init__(self, url: str) -> None:
        self.url = url
        kwargs: dict[str, Any] = {}
        if make_url(url).get_backend_name() == "postgresql":
            kwargs["executemany_mode"] = "values_plus_batch"
        self.engine: Engine = create_engine(url, **kwargs)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_bulk_load)

    def reset(self) -> None:
        """Drop and create the shop tables."""
        metadata.drop_all(self.engine)
        metadata.create_all(self.engine)

    def write(self, batch: OltpBatch) -> None:
        """Apply one batch in one transaction: inserts (FK order), updates, then deletes."""
        by_name = {t.name: t for t in TABLES}
        with self.engine.begin() as conn:
            for table in TABLES:
                rows = batch.inserts.get(table.name)
                if not rows:
                    continue
                convert = _converters(table, self.engine.dialect.name)
                if self.engine.dialect.name == "sqlite":
                    # Bind what SQLAlchemy's SQLite dialect would bind, without its per-row overhead.
                    cols = list(convert)
                    sql = f"INSERT INTO {table.name} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
                    conn.exec_driver_sql(sql, _sqlite_rows(convert, rows))
                else:
                    conn.execute(insert(table), [{c: f(r[c]) for c, f in convert.items()} for r in rows])
            for table_name, rows in batch.updates:
                table = by_name[table_name]
                convert = _converters(table, "sqlalchemy")  # updates go through SQLAlchemy's own types
                pk = PRIMARY_KEYS[table_name]
                cols = [c for c in rows[0] if c != pk]
                stmt = (
                    update(table).where(table.c[pk] == bindparam("_pk")).values({c: bindparam(f"_v_{c}") for c in cols})
                )
                conn.execute(stmt, [{"_pk": r[pk], **{f"_v_{c}": convert[c](r[c]) for c in cols}} for r in rows])
            for table in reversed(TABLES):
                keys = batch.deletes.get(table.name)
                if keys:
                    pk = table.c[PRIMARY_KEYS[table.name]]
                    for start in range(0, len(keys), 500):
                        conn.execute(delete(table).where(pk.in_(keys[start : start + 500])))

    def row_counts(self) -> dict[str, int]:
        """Rows per table, as the database sees them."""
        with self.engine.connect() as conn:
            return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in TABLES}

    def dispose(self) -> None:
        self.engine.dispose()
