"""Content hashes of a DuckDB warehouse: row count and an order-independent, duplicate-sensitive hash per relation.

Every table and view (``schema.name``) is hashed as ``count(*)`` and ``sum(hash(row))``: two relations
with the same hash hold the same multiset of rows (a duplicated or a missing row changes both figures).
dlt's bookkeeping tables (``_dlt_loads``, ``_dlt_pipeline_state``, ``_dlt_version``) record each run and
are left out; ``without_load_columns`` also leaves out the columns naming the load that wrote a row, so
the same data loaded by another run hashes the same. dlt's merge staging datasets (``<dataset>_staging``)
are its scratch space and are never hashed.

Used by the idempotency tests and by the crash trials (``tools.reliability.crash``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

import duckdb

BOOKKEEPING = ("_dlt_loads", "_dlt_pipeline_state", "_dlt_version")
"""dlt's own tables in every dataset: they record each run, so they may grow (by exactly what is asserted)."""
LOAD_COLUMNS = ("_dlt_load_id", "_dlt_id", "dlt_load_id")
"""Columns naming the load that wrote a row (raw, and as passed through by staging and quarantine)."""

Hashes = dict[str, tuple[int, int]]
"""``schema.relation`` -> (row count, sum of row hashes)."""


class Queryable(Protocol):
    """Anything that runs a SQL query on the warehouse and returns its rows."""

    def rows(self, sql: str) -> list[tuple[Any, ...]]: ...


class WarehouseFile:
    """A DuckDB file queried read-only, one connection per query (never holds the lock between queries)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        con = duckdb.connect(str(self.path), read_only=True)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()


def dlt_datasets(warehouse: Queryable) -> list[str]:
    """The schemas dlt loaded (those with a ``_dlt_loads`` table)."""
    return sorted(
        schema
        for (schema,) in warehouse.rows(
            "select table_schema from information_schema.tables where table_name = '_dlt_loads'"
        )
    )


def relations(warehouse: Queryable) -> dict[str, list[str]]:
    """Every table and view (``schema.name``) with its columns, except dlt's merge staging datasets."""
    datasets = dlt_datasets(warehouse)
    scratch = {f"{dataset}_staging" for dataset in datasets}
    columns: dict[str, list[str]] = {}
    for schema, table, column in warehouse.rows(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where table_catalog = current_database() order by table_schema, table_name, ordinal_position"
    ):
        if schema not in scratch:
            columns.setdefault(f"{schema}.{table}", []).append(column)
    return columns


def quoted(relation: str) -> str:
    """``schema.name`` as a quoted SQL identifier."""
    schema, table = relation.split(".", 1)
    return f'"{schema}"."{table}"'


def content_hashes(
    warehouse: Queryable,
    *,
    without_load_columns: bool,
    where: dict[str, str] | None = None,
    schemas: set[str] | None = None,
    skip_tables: tuple[str, ...] = BOOKKEEPING,
    skip_columns: dict[str, tuple[str, ...]] | None = None,
) -> Hashes:
    """Row count and order-independent content hash of every relation but dlt's bookkeeping tables.

    ``without_load_columns`` leaves out the columns naming the load that wrote a row; ``where``
    restricts some relations to a subset of their rows; ``schemas`` (default: all) the schemas hashed;
    ``skip_tables`` the tables (by name, in any schema) not hashed; ``skip_columns`` columns left out
    of the tables so named (e.g. the time a row was written).
    """
    hashes: Hashes = {}
    for relation, columns in relations(warehouse).items():
        schema, table = relation.split(".", 1)
        if table in skip_tables or (schemas is not None and schema not in schemas):
            continue
        skipped = (skip_columns or {}).get(table, ())
        kept = [
            column
            for column in columns
            if not (without_load_columns and column in LOAD_COLUMNS) and column not in skipped
        ]
        selected = ", ".join(f'"{column}"' for column in kept)
        condition = (where or {}).get(relation, "true")
        count, total = warehouse.rows(
            f"select count(*), coalesce(sum(hash(row_values)), 0) from "
            f"(select {selected} from {quoted(relation)} where {condition}) as row_values"
        )[0]
        hashes[relation] = (int(count), int(total))
    return hashes


def differences(before: Hashes, after: Hashes) -> list[str]:
    """One line per relation whose hash differs (or that exists on one side only)."""
    return [
        f"{relation}: {before.get(relation)} -> {after.get(relation)}"
        for relation in sorted(set(before) | set(after))
        if before.get(relation) != after.get(relation)
    ]
