"""Publish a read-only snapshot of the marts for analysts: DATA_DIR/published/warehouse.duckdb.

    python -m tools.publish [--data-dir DATA_DIR] [--manifest target/manifest.json] [--schema marts]

DuckDB lets one process write a database file, and a reader of the warehouse itself holds a lock that
makes `dbt build` fail (and a build makes the reader fail to connect). The snapshot decouples them: every
table of the published schemas (the marts and the semantic time spine) is copied into a new file next to
the snapshot, which then replaces it with an atomic rename. A session that has the old snapshot open keeps
reading its old file (the open handle outlives the rename); a new connection opens the new one. Tables and
columns carry their dbt descriptions as comments, and `main.snapshot_info` says what was published when.
The copy streams table by table with DuckDB capped at PUBLISH_MEMORY_LIMIT (default 1GB).
"""

from __future__ import annotations

import argparse
import json
import os
import stat
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

# the same file name as the warehouse, so the snapshot's catalog is `warehouse` too and every query (even
# a fully qualified `warehouse.marts.fct_orders`) runs unchanged on either; `marts.duckdb` would make
# `marts.fct_orders` ambiguous (catalog `marts` or schema `marts`)
SNAPSHOT = Path("published") / "warehouse.duckdb"
MEMORY_LIMIT = os.environ.get("PUBLISH_MEMORY_LIMIT", "1GB")
"""DuckDB's cap for the copy. Its default (80 % of RAM) let it keep every block it read cached: the copy
streams, so a small cap costs nothing and keeps `make build`'s publish step under dbt's own peak."""


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _descriptions(manifest: Path | None) -> dict[tuple[str, str], dict[str, Any]]:
    """(schema, table) -> {"description": ..., "columns": {name: description}} of the manifest's models."""
    if manifest is None or not manifest.is_file():
        return {}
    nodes = json.loads(manifest.read_text())["nodes"].values()
    return {
        (node["schema"], node["alias"] or node["name"]): {
            "description": node.get("description") or "",
            "columns": {name: column.get("description") or "" for name, column in node.get("columns", {}).items()},
        }
        for node in nodes
        if node["resource_type"] in {"model", "seed", "snapshot"}
    }


def publish(
    warehouse: Path, snapshot: Path, schemas: Iterable[str] = ("marts",), manifest: Path | None = None
) -> dict[str, int]:
    """Copy every table and view of `schemas` into a new snapshot file and swap it in; {schema.table: rows}."""
    schemas = tuple(schemas)
    snapshot.parent.mkdir(parents=True, exist_ok=True)
    temporary = snapshot.with_name(f"publishing-{os.getpid()}.tmp.duckdb")
    for leftover in (temporary, temporary.with_name(temporary.name + ".wal")):
        leftover.unlink(missing_ok=True)
    described = _descriptions(manifest)
    published: dict[str, int] = {}
    try:
        con = duckdb.connect(str(temporary), config={"memory_limit": MEMORY_LIMIT})
        try:
            con.execute(f"attach {_literal(str(warehouse))} as source_warehouse (read_only)")
            catalog = _quote(con.execute("select current_database()").fetchall()[0][0])
            relations = con.execute(
                "select schema_name, table_name from duckdb_tables() where database_name = 'source_warehouse' "
                "and schema_name in (select unnest($schemas)) "
                "union all "
                "select schema_name, view_name from duckdb_views() where database_name = 'source_warehouse' "
                "and schema_name in (select unnest($schemas)) and not internal "
                "order by 1, 2",
                {"schemas": list(schemas)},
            ).fetchall()
            for schema in sorted({schema for schema, _ in relations}):
                con.execute(f"create schema {catalog}.{_quote(schema)}")
            for schema, table in relations:
                relation = f"{_quote(schema)}.{_quote(table)}"
                target = f"{catalog}.{relation}"
                con.execute(f"create table {target} as select * from source_warehouse.{relation}")
                published[f"{schema}.{table}"] = int(con.execute(f"select count(*) from {target}").fetchall()[0][0])
                docs = described.get((schema, table))
                if docs and docs["description"].strip():
                    con.execute(f"comment on table {target} is {_literal(docs['description'].strip())}")
                columns = {name for (name,) in con.execute(f"select column_name from (describe {target})").fetchall()}
                for column, description in (docs or {}).get("columns", {}).items():
                    if column in columns and description.strip():
                        con.execute(f"comment on column {target}.{_quote(column)} is {_literal(description.strip())}")
            con.execute("detach source_warehouse")
            con.execute(
                "create table main.snapshot_info as select $published_at::timestamptz as published_at, "
                "$warehouse as warehouse_path, unnest($names) as table_name, unnest($rows)::bigint as row_count",
                {
                    "published_at": datetime.now(UTC),
                    "warehouse": str(warehouse.resolve()),
                    "names": list(published),
                    "rows": list(published.values()),
                },
            )
            con.execute("comment on table main.snapshot_info is 'What this snapshot holds and when it was published.'")
            con.execute("checkpoint")
        finally:
            con.close()
        os.chmod(temporary, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
        os.replace(temporary, snapshot)  # atomic: a reader sees the old file or the new one, never half of one
        directory = os.open(snapshot.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    finally:
        for leftover in (temporary, temporary.with_name(temporary.name + ".wal")):
            leftover.unlink(missing_ok=True)
    return published


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.publish", description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, default=Path(os.environ.get("DATA_DIR", "./data")))
    parser.add_argument("--manifest", type=Path, default=Path("target/manifest.json"), help="for the descriptions")
    parser.add_argument("--schema", action="append", dest="schemas", help="a schema to publish (default: marts)")
    args = parser.parse_args(argv)
    warehouse = args.data_dir / "warehouse.duckdb"
    snapshot = args.data_dir / SNAPSHOT
    if not warehouse.is_file():
        print(f"publish: no warehouse at {warehouse}: run `make build` first", file=sys.stderr)
        return 1
    try:
        published = publish(warehouse, snapshot, args.schemas or ("marts",), args.manifest)
    except duckdb.IOException as exc:
        print(f"publish: cannot read {warehouse} (is a dbt build running?): {exc}", file=sys.stderr)
        return 1
    if not published:
        print(f"publish: {warehouse} has no tables in {', '.join(args.schemas or ('marts',))}", file=sys.stderr)
        return 1
    print(f"published {len(published)} tables, {sum(published.values())} rows, to {snapshot}")
    print(f"  open it read-only: duckdb -readonly {snapshot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
