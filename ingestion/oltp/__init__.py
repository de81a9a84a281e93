"""OLTP database → raw ``oltp`` dataset, with dlt's ``sql_database`` source.

- Every table of the database (or ``table_names``) is reflected with its types, so ``NUMERIC(12,2)``
  lands as ``DECIMAL(12,2)`` and timestamps as timestamps; rows travel as Arrow tables.
- Tables with the cursor column (``updated_at``) load incrementally and are merged on their primary
  key. The cursor starts ``cursor_lag_seconds`` before the last maximum, so rows committed late with
  an older ``updated_at`` are still picked up; the overlap is merged, never duplicated.
- Tables without the cursor column are replaced on every run.
- Hard deletes: for ``hard_delete_tables`` the primary keys in the source are compared with the
  warehouse each run; rows gone from the source are merged back as tombstones with dlt's
  ``hard_delete`` hint (column ``_source_deleted``) and so deleted from the raw table.
  Soft deletes (``deleted_at``) are ordinary data.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dlt
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa
from dlt.common.typing import TSecretStrValue
from dlt.destinations.impl.duckdb.sql_client import WithTableScanners
from dlt.extract.resource import DltResource
from dlt.sources.sql_database import sql_database

from ..common.errors import SourceError, root_causes
from ..common.settings import Paths
from ..common.spec import SourceSpec
from ..common.stats import SourceStats, row_count
from .helpers import (
    anti_join_keys,
    cast_sqlite_numerics_to_real,
    missing_sqlite_file,
    redact,
    source_keys,
    to_connectorx_url,
    with_driver,
)

log = logging.getLogger(__name__)

HARD_DELETE_COLUMN = "_source_deleted"


@dlt.source(name="oltp", max_table_nesting=0)
def oltp(
    backend: str = dlt.config.value,
    chunk_size: int = dlt.config.value,
    cursor_columns: list[str] = dlt.config.value,
    cursor_lag_seconds: int = dlt.config.value,
    hard_delete_tables: list[str] = dlt.config.value,
    credentials: TSecretStrValue | None = None,
    table_names: list[str] | None = None,
    demo_database: str | None = None,
    stats: SourceStats | None = None,
) -> Iterator[DltResource]:
    """Load the shop database's tables raw.

    Every setting comes from ``[sources.oltp]`` in ``.dlt/config.toml`` (defaults there), secrets or
    ``SOURCES__OLTP__…`` environment variables.

    Args:
        credentials: SQLAlchemy URL (``sqlite:///…``, ``postgresql://…``, ``mysql://…``), from
            ``sources.oltp.credentials`` in secrets or ``SOURCES__OLTP__CREDENTIALS``; without it,
            the demo's SQLite file ``demo_database``.
        table_names: tables to load, exactly these (not the tables their foreign keys refer to);
            all tables when empty.
        backend: ``connectorx`` (fastest) or ``pyarrow``; both yield Arrow tables.
        chunk_size: rows per batch for the ``pyarrow`` backend.
        cursor_columns: candidate cursor columns, first one a table has wins (default
            ``updated_at``, then ``changed_at`` for append-only logs); a table with a cursor and a
            primary key loads incrementally and merges, any other table is replaced.
        cursor_lag_seconds: how far behind the last cursor value each incremental run starts.
        hard_delete_tables: tables whose deleted rows are detected by primary-key reconciliation
            (``["*"]`` for all tables with a primary key).
        demo_database: the demo's SQLite file, used when no credentials are set (not a setting).
        stats: run figures to fill (rows read).
    """
    url = _database_url(credentials, demo_database)
    try:
        yield from _database_tables(
            url,
            table_names=table_names,
            backend=backend,
            chunk_size=chunk_size,
            cursor_columns=cursor_columns,
            cursor_lag_seconds=cursor_lag_seconds,
            hard_delete_tables=hard_delete_tables,
            stats=stats,
        )
    except Exception as exc:
        message = explain(exc, url)
        if message:
            raise SourceError(message) from exc
        raise


def _database_url(credentials: str | None, demo_database: str | None) -> str:
    """The SQLAlchemy URL with its driver; a SQLite file that does not exist is an error (never created)."""
    if not credentials:
        if not demo_database or not Path(demo_database).is_file():
            raise SourceError(
                f"oltp: no database configured and {demo_database} does not exist; generate the demo data with "
                "`make demo-data` or set SOURCES__OLTP__CREDENTIALS to a SQLAlchemy URL"
            )
        return f"sqlite:///{demo_database}"
    url = with_driver(str(credentials))
    missing = missing_sqlite_file(url)
    if missing:
        raise SourceError(
            f"oltp: the SQLite database {missing} does not exist (not created); check the path in "
            "sources.oltp.credentials (SOURCES__OLTP__CREDENTIALS)"
        )
    return url


def _database_tables(
    url: str,
    *,
    table_names: list[str] | None,
    backend: str,
    chunk_size: int,
    cursor_columns: list[str],
    cursor_lag_seconds: int,
    hard_delete_tables: list[str],
    stats: SourceStats | None,
) -> Iterator[DltResource]:
    """The resources of ``oltp`` (see there), one per table."""
    engine = sa.create_engine(url)
    query_adapter = (
        cast_sqlite_numerics_to_real if backend == "connectorx" and engine.dialect.name == "sqlite" else None
    )
    connectorx_url = to_connectorx_url(url) if backend == "connectorx" else None
    backend_kwargs = {"conn": connectorx_url} if connectorx_url is not None else None
    metadata = sa.MetaData()  # reflected once, here, and shared with sql_database
    metadata.reflect(bind=engine, only=table_names or None)
    if table_names:  # reflection adds the tables that foreign keys refer to: load only the ones named
        for table in [table for name, table in metadata.tables.items() if name not in table_names]:
            metadata.remove(table)
    database = sql_database(
        credentials=engine,
        metadata=metadata,
        table_names=list(metadata.tables),
        backend=backend,  # type: ignore[arg-type]
        chunk_size=chunk_size,
        reflection_level="full",
        query_adapter_callback=query_adapter,
        backend_kwargs=backend_kwargs,
    )
    if stats is not None:
        stats.source_rows.update(_source_row_counts(engine, metadata))
    reconcile = set(hard_delete_tables or [])
    loaded_tables = _tables_in_warehouse()
    for name, resource in database.resources.items():
        table = metadata.tables[name]
        key = [column.name for column in table.primary_key.columns]
        cursor = next((name for name in cursor_columns if name in table.columns), None)
        if cursor and key:
            # The first load of a table appends: a full extract has unique keys, and merging into an
            # empty table would only copy every row twice. Later runs merge on the primary key.
            first_load = name not in loaded_tables
            resource.apply_hints(
                write_disposition="append" if first_load else {"disposition": "merge", "strategy": "delete-insert"},
                primary_key=key,
                incremental=dlt.sources.incremental(cursor, lag=cursor_lag_seconds, on_cursor_value_missing="include"),
            )
            if stats is not None:
                resource.add_map(_future_cursor_check(stats, name, cursor))
        else:
            resource.apply_hints(write_disposition="replace")
        reconciled = bool(key) and ("*" in reconcile or name in reconcile) and name in loaded_tables
        if reconciled:
            # Tombstones and extracted rows go to the same table in one load package: dlt writes
            # their Arrow batches to one file and fails the extract unless the schemas are equal.
            resource.add_map(_cast_like_warehouse(name))
        if stats is not None:
            resource.add_map(_counter(stats, name))
        yield resource.parallelize()
        if reconciled:
            hints = resource.columns
            columns = hints if isinstance(hints, dict) else None
            yield _tombstones(engine, table, key, columns, connectorx_url=connectorx_url)


def _tables_in_warehouse() -> set[str]:
    """Tables this pipeline has loaded before (empty on the first run or with a fresh warehouse)."""
    pipeline = dlt.current.pipeline()
    if pipeline.default_schema_name is None or pipeline.first_run:
        return set()
    return {name for name, table in pipeline.default_schema.tables.items() if table.get("columns")}


def _source_row_counts(engine: sa.Engine, metadata: sa.MetaData) -> dict[str, int]:
    """Rows per table before the extract begins: every one of them must be in the warehouse after the load.

    Rows committed while the extract runs may be counted by the next run only; deleted rows are kept
    in the warehouse unless the table reconciles hard deletes. ``rpt_source_reconciliation`` checks it.
    """
    with engine.connect() as connection:
        return {
            name: int(connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())
            for name, table in metadata.tables.items()
        }


FUTURE_CURSOR_SLACK = dt.timedelta(days=1)
"""A cursor value further ahead of now than this is a clock or data-entry error."""


def _future_cursor_check(stats: SourceStats, name: str, cursor: str) -> Any:
    """Map step noting rows whose cursor value lies in the future (once per table and run).

    The incremental cursor would move to that value, and each later run starts near it: changes with
    an older cursor value would not be extracted. The rows load; the note says what to fix.
    """
    noted = False

    def check(item: Any) -> Any:
        nonlocal noted
        if noted or not isinstance(item, pa.Table) or cursor not in item.column_names or item.num_rows == 0:
            return item
        column = item.column(cursor)
        if not pa.types.is_timestamp(column.type):
            return item
        latest = pc.max(column).as_py()
        if latest is None:
            return item
        now = dt.datetime.now(latest.tzinfo or dt.UTC).replace(tzinfo=latest.tzinfo)
        if latest > now + FUTURE_CURSOR_SLACK:
            noted = True
            ahead = pc.sum(pc.greater(column, pa.scalar(now + FUTURE_CURSOR_SLACK, column.type))).as_py()
            stats.notes.append(
                f"{name}: {ahead} row(s) have {cursor} in the future (up to {latest:%Y-%m-%d %H:%M}); the "
                f"incremental cursor follows them and later changes with an older {cursor} are skipped: "
                f"fix the rows in the source, then reload the table (dlt pipeline ... drop {name})"
            )
        return item

    return check


def _counter(stats: SourceStats, name: str) -> Any:
    """Map step that counts the rows each table yields (progress and summary)."""

    def count(item: Any) -> Any:
        stats.rows_read += row_count(item)
        stats.progress(name)
        return item

    return count


def _cast_like_warehouse(table_name: str) -> Any:
    """Map step casting extracted Arrow batches to the types of the warehouse table.

    The tombstones of a table are read back from the warehouse, so they carry its Arrow types, while
    the backend yields its own (ConnectorX: float64 amounts on SQLite, int32 keys on PostgreSQL,
    integers for MariaDB's TINYINT(1) booleans). Casting the extracted rows to the warehouse types
    (which the destination would apply anyway) makes both kinds of batches concatenable. Columns the
    warehouse does not have yet stay as they are.
    """
    target: dict[str, pa.DataType] | None = None

    def cast(item: Any) -> Any:
        nonlocal target
        if not isinstance(item, pa.Table) or item.num_rows == 0:
            return item
        if target is None:
            pipeline = dlt.current.pipeline()
            empty = _warehouse_rows(pipeline, table_name, _data_columns(pipeline, table_name), limit=0)
            target = {} if empty is None else {field.name: field.type for field in empty.schema}
        fields = [
            item.schema.field(index).with_type(target[name])
            if name in target and not pa.types.is_null(target[name])
            else item.schema.field(index)
            for index, name in enumerate(item.column_names)
        ]
        schema = pa.schema(fields, metadata=item.schema.metadata)
        return item if schema.equals(item.schema) else item.cast(schema)

    return cast


def _tombstones(
    engine: sa.Engine,
    table: sa.Table,
    key: list[str],
    columns: dict[str, Any] | None = None,
    *,
    connectorx_url: str | None = None,
) -> DltResource:
    """Resource yielding the warehouse rows of ``table`` whose key no longer exists in the source.

    ``columns`` are the column hints of the table's extract resource: the tombstones must not change
    them (dlt would otherwise make the columns nullable and the two resources' batches differ).
    ``connectorx_url``: read the source's keys with ConnectorX (the extract's backend) instead of SQLAlchemy.
    """

    @dlt.resource(
        name=f"{table.name}__hard_deletes",
        table_name=table.name,
        write_disposition={"disposition": "merge", "strategy": "delete-insert"},
        primary_key=key,
        columns={
            **{name: dict(column) for name, column in (columns or {}).items()},
            HARD_DELETE_COLUMN: {"data_type": "bool", "hard_delete": True, "nullable": True},
        },
    )
    def hard_deletes() -> Iterator[pa.Table]:
        pipeline = dlt.current.pipeline()
        if pipeline.default_schema_name is None or table.name not in pipeline.default_schema.tables:
            return  # first load: nothing in the warehouse yet
        loaded = _warehouse_rows(pipeline, table.name, key)
        if loaded is None:
            return
        gone = anti_join_keys(loaded, source_keys(engine, table, key, connectorx_url), key)
        if gone.num_rows == 0:
            return
        log.info("oltp: %d rows of %s were deleted in the source", gone.num_rows, table.name)
        rows = _last_known_rows(pipeline, table.name, key, gone)
        yield rows.append_column(HARD_DELETE_COLUMN, pa.array([True] * rows.num_rows, pa.bool_()))

    return hard_deletes


def _warehouse_rows(
    pipeline: dlt.Pipeline, table_name: str, columns: list[str], limit: int | None = None
) -> pa.Table | None:
    """Read ``columns`` of a raw table through the destination's SQL client (any dlt destination)."""
    with pipeline.sql_client() as client:
        if not client.has_dataset():
            return None
        selected = ", ".join(client.escape_column_name(name) for name in columns)
        sql = f"SELECT {selected} FROM {client.make_qualified_table_name(table_name)}"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        native = client.native_connection
        # DuckDB: straight to Arrow, no copy (dlt's cursor.arrow() calls a method DuckDB 2.0 removed). Not
        # for the filesystem destination's client (DuckDB over the files): its execute_query creates the
        # views of the tables a query names, the native connection has none.
        if hasattr(native, "sql") and hasattr(native, "execute") and not isinstance(client, WithTableScanners):
            return native.sql(sql).to_arrow_table()
        with client.execute_query(sql) as cursor:
            rows = cursor.fetchall()
            return pa.table({name: [row[index] for row in rows] for index, name in enumerate(columns)})


def _data_columns(pipeline: dlt.Pipeline, table_name: str) -> list[str]:
    """The source's columns of a raw table (without dlt's own and the tombstone flag)."""
    return [
        name
        for name in pipeline.default_schema.get_table_columns(table_name)
        if not name.startswith("_dlt_") and name != HARD_DELETE_COLUMN
    ]


def _last_known_rows(pipeline: dlt.Pipeline, table_name: str, key: list[str], gone: pa.Table) -> pa.Table:
    """Fetch the full warehouse rows of the deleted keys (a tombstone must satisfy NOT NULL columns)."""
    columns = _data_columns(pipeline, table_name)
    loaded = _warehouse_rows(pipeline, table_name, columns)
    return loaded.join(gone.select(key), keys=key, join_type="inner").select(columns)


def build(paths: Paths, stats: SourceStats) -> dlt.sources.DltSource:
    """The source for ``sources.oltp.credentials``, or the demo's SQLite file under ``DATA_DIR``."""
    return oltp(demo_database=str(paths.sources_dir / "shop.sqlite"), stats=stats)


def explain(exc: BaseException, url: str | None = None) -> str | None:
    """One line for the errors users meet: database unreachable, wrong credentials, missing driver."""
    for cause in root_causes(exc):
        if isinstance(cause, (sa.exc.OperationalError, sa.exc.InterfaceError)):
            detail = (str(cause.orig).strip().splitlines() or [""])[0] if cause.orig else str(cause)
            where = f" at {redact(url)}" if url else ""
            return (
                f"oltp: cannot read the database{where}: {detail}; check that it is running and "
                "sources.oltp.credentials (SOURCES__OLTP__CREDENTIALS)"
            )
        if isinstance(cause, sa.exc.InvalidRequestError) and "requested table(s) not available" in str(cause):
            return f"oltp: {cause}; check sources.oltp.table_names (SOURCES__OLTP__TABLE_NAMES)"
        if isinstance(cause, (sa.exc.ArgumentError, sa.exc.NoSuchModuleError)):
            return f"oltp: invalid database URL ({cause}); expected e.g. postgresql://user@host:5432/shop"
        if isinstance(cause, RuntimeError) and any(sign in str(cause).lower() for sign in CONNECTION_LOST):
            # ConnectorX (Rust) reports a connection that broke while it read a table as a RuntimeError
            detail = (str(cause).strip().splitlines() or [""])[0]
            return (
                f"oltp: the connection to the database broke during the extract ({detail}); nothing of this "
                "run was loaded (the extract is all or nothing): check that the database is running, then run "
                "the ingest again"
            )
    return None


CONNECTION_LOST = (
    "error communicating with the server",
    "connection reset",
    "terminating connection",
    "server closed the connection",
    "connection closed",
    "broken pipe",
    "lost connection",
    "gone away",
)
"""Signs of a database connection lost mid-query in ConnectorX's errors (PostgreSQL, MySQL/MariaDB)."""


SPEC = SourceSpec("oltp", "shop application database (SQLite, PostgreSQL, MariaDB/MySQL)", build, explain)
