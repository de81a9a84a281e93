"""Scaffold dbt staging for a dataset dlt loaded: the source YAML and one typed, renamed `stg_` model per table.

    python -m tools.scaffold --source <dataset> [--force] [--warehouse DATA_DIR/warehouse.duckdb]
    make scaffold SOURCE=<dataset> [FORCE=1]

What dbt-codegen's `generate_source` and `generate_base_model` do, from what landed in the warehouse:
- the tables of the dataset (the DuckDB schema named like the dlt dataset), without dlt's own tables
  (`_dlt_loads`, `_dlt_version`, `_dlt_pipeline_state`) and the ingestion's bookkeeping
  (`_ingest_audit`, `rejected_records`);
- for each table, `stg_<dataset>__<table>.sql`: every column renamed to snake_case (`id` becomes
  `<entity>_id`), cast to its warehouse type; a text column whose every value is a whole number, a
  decimal, a date, a timestamp or a boolean is cast to that type (CSV and JSON land as text). dlt's
  row ids are dropped, except where a child table joins on them; `_dlt_load_id` is kept as
  `dlt_load_id` for lineage;
- `_<dataset>__sources.yml` (with `loaded_at_field` from the dlt load id and a freshness to review) and
  `_<dataset>__models.yml`, with descriptions from the source where it has them: the dlt schema's
  table and column descriptions, else the warehouse's comments. A column with a primary-key hint
  (or named `id`) gets `unique` and a `not_null` constraint (its model the check
  `not_null_constraints`), a child table of nested data `unique_combination_of_columns` on its
  parent row and position.

Nothing is invented: what the source does not describe stays empty, and `make check` lists it.
Existing files are never overwritten unless `--force` (FORCE=1).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

INTERNAL_TABLES = frozenset({"_dlt_loads", "_dlt_version", "_dlt_pipeline_state", "_ingest_audit", "rejected_records"})
ROW_ID_COLUMNS = frozenset({"_dlt_id", "_dlt_root_id"})
LOAD_ID_COLUMN = "_dlt_load_id"
# dlt's own columns mean the same in every dataset (dlt's documentation)
DLT_COLUMNS = {
    "_dlt_load_id": "The dlt load that wrote the raw row; joins to `{dataset}._dlt_loads.load_id`.",
    "_dlt_id": "dlt's unique id of the raw row; the rows of its child tables point to it (`dlt_parent_id`).",
    "_dlt_parent_id": "The `dlt_id` of the parent row this row was unnested from.",
    "_dlt_list_idx": "The position of this element in the parent row's list (0-based).",
    "_dlt_root_id": "The `dlt_id` of the top-level row this row was unnested from.",
}

# a text column gets the first of these types that every one of its values converts to
TEXT_TYPES: list[tuple[str, str]] = [
    ("boolean", r"^(?i:true|false)$"),
    ("bigint", r"^-?[0-9]{1,18}$"),
    ("decimal", r"^-?[0-9]{1,20}(\.[0-9]{1,8})?$"),
    ("date", r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"),
    ("timestamp", r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?$"),
]


@dataclass
class Column:
    """A raw column and what staging makes of it."""

    raw_name: str
    name: str
    data_type: str
    description: str = ""
    is_key: bool = False


@dataclass
class Table:
    """A raw table of the dataset and its staging model."""

    raw_name: str
    model: str
    description: str = ""
    columns: list[Column] = field(default_factory=list)


def snake_case(name: str) -> str:
    """`OrderID` -> `order_id`, `createdAt` -> `created_at`, `Unit Price` -> `unit_price`."""
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    name = re.sub(r"[^0-9a-zA-Z]+", "_", name).strip("_").lower()
    name = re.sub(r"_+", "_", name)
    return f"c_{name}" if not name or name[0].isdigit() else name


def singular(name: str) -> str:
    """The entity of a table name, for its `id` column: `customers` -> `customer`, `categories` -> `category`."""
    if name.endswith("ies"):
        return name[:-3] + "y"
    if name.endswith(("sses", "xes", "ches", "shes")):
        return name[:-2]
    if name.endswith("s") and not name.endswith("ss"):
        return name[:-1]
    return name


def quote(name: str) -> str:
    """A SQL identifier, quoted when it is not a plain lower-case name (quotes inside doubled)."""
    return name if re.fullmatch(r"[a-z_][a-z0-9_]*", name) else '"' + name.replace('"', '""') + '"'


def yaml_text(text: str) -> str:
    """A YAML scalar for any text: JSON strings are valid YAML."""
    return json.dumps(" ".join(text.split()), ensure_ascii=False)


def dlt_schema(con: duckdb.DuckDBPyConnection, dataset: str) -> dict[str, Any]:
    """The newest dlt schema stored with the dataset (`_dlt_version`), or {} when there is none."""
    try:
        rows = con.execute(
            f"select schema from {quote(dataset)}._dlt_version order by inserted_at desc limit 1"
        ).fetchall()
    except duckdb.Error:
        return {}
    return json.loads(rows[0][0]) if rows else {}


def text_type(con: duckdb.DuckDBPyConnection, dataset: str, table: str, column: str) -> str | None:
    """The type every non-null value of a text column converts to, or None (stays text, or all null)."""
    relation = f"{quote(dataset)}.{quote(table)}"
    for data_type, pattern in TEXT_TYPES:
        value = f"trim({quote(column)})"
        sql = (
            f"select count({quote(column)}), count(*) filter (where {quote(column)} is not null "
            f"and not regexp_matches({value}, ?)) from {relation}"
        )
        present, misfits = con.execute(sql, [pattern]).fetchall()[0]
        if not present:
            return None
        if misfits:
            continue
        if data_type == "decimal":
            scale = con.execute(
                f"select max(length(split_part({value}, '.', 2))) from {relation} where {quote(column)} is not null"
            ).fetchall()[0][0]
            return f"decimal(38, {max(int(scale), 2)})"
        return data_type
    return None


def inspect(con: duckdb.DuckDBPyConnection, dataset: str) -> list[Table]:
    """The dataset's tables as staging should see them."""
    schema = dlt_schema(con, dataset).get("tables", {})
    names = [
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables where table_schema = ? order by table_name", [dataset]
        ).fetchall()
        if row[0] not in INTERNAL_TABLES and not row[0].startswith("_dlt_")
    ]
    comments = {
        (row[0], row[1]): row[2] or ""
        for row in con.execute(
            "select table_name, column_name, comment from duckdb_columns() where schema_name = ?", [dataset]
        ).fetchall()
    }
    table_comments = {
        row[0]: row[1] or ""
        for row in con.execute(
            "select table_name, comment from duckdb_tables() where schema_name = ?", [dataset]
        ).fetchall()
    }
    has_children = {parent for parent in names for child in names if child.startswith(parent + "__")}
    tables = []
    for raw_table in names:
        hints = schema.get(raw_table, {})
        column_hints = hints.get("columns", {})
        entity = singular(snake_case(raw_table).split("__")[-1])
        description = hints.get("description") or table_comments.get(raw_table, "")
        parent = next((name for name in names if raw_table.startswith(name + "__")), None)
        if parent and not description:  # a child table dlt unnested from a list of the parent's rows
            child = raw_table[len(parent) + 2 :]
            description = (
                f"The elements of the list `{child}` of `{parent}` rows, one row per element (unnested by dlt)."
            )
        table = Table(raw_table, f"stg_{snake_case(dataset)}__{snake_case(raw_table).replace('__', '_')}", description)
        raw_columns = con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = ? and table_name = ? order by ordinal_position",
            [dataset, raw_table],
        ).fetchall()
        for raw_name, data_type in raw_columns:
            if raw_name in ROW_ID_COLUMNS and raw_table not in has_children:
                continue
            hint = column_hints.get(raw_name, {})
            name = snake_case(raw_name)
            if name == "id":
                name = f"{entity}_id"
            elif raw_name.startswith("_dlt_"):
                name = raw_name[1:]  # dlt_load_id, dlt_id, dlt_parent_id, dlt_list_idx
            typed = data_type.lower()
            if typed == "varchar" and not raw_name.startswith("_dlt_"):
                typed = text_type(con, dataset, raw_table, raw_name) or typed
            description = hint.get("description") or comments.get((raw_table, raw_name), "")
            if raw_name in DLT_COLUMNS and not description:
                description = DLT_COLUMNS[raw_name].format(dataset=dataset)
            is_key = bool(hint.get("primary_key")) or snake_case(raw_name) == "id"
            table.columns.append(Column(raw_name, name, typed, description, is_key))
        tables.append(table)
    return tables


def model_sql(dataset: str, table: Table) -> str:
    """The staging model: import CTE from source(), then rename and cast every column."""
    lines = [f"        cast({quote(c.raw_name)} as {c.data_type}) as {c.name}," for c in table.columns]
    lines[-1] = lines[-1].rstrip(",")
    return (
        f"{{#- {table.raw_name} from the dlt dataset {dataset}, renamed and typed (scaffolded by make scaffold). -#}}\n"
        "\n"
        "with\n"
        "\n"
        "source as (\n"
        "\n"
        f"    select * from {{{{ source('{dataset}', '{table.raw_name}') }}}}\n"
        "\n"
        "),\n"
        "\n"
        "renamed as (\n"
        "\n"
        "    select\n" + "\n".join(lines) + "\n    from source\n"
        "\n"
        ")\n"
        "\n"
        "select * from renamed\n"
    )


def sources_yml(dataset: str, tables: list[Table]) -> str:
    out = [
        "version: 2",
        "",
        "sources:",
        f"  - name: {dataset}",
        f"    description: {yaml_text('')}",
        f"    schema: {dataset}",
        "    loader: dlt",
        "    config:",
        "      # review: how late may this source be?",
        "      freshness:",
        "        warn_after: {count: 36, period: hour}",
        "        error_after: {count: 72, period: hour}",
        "      # the time of the newest load (a dlt load id is the Unix time the load started)",
        '      loaded_at_field: "to_timestamp(cast(_dlt_load_id as double precision))"',
        "    tables:",
    ]
    for table in tables:
        out += [
            f"      - name: {table.raw_name}",
            f"        description: {yaml_text(table.description)}",
            "        columns:",
        ]
        for column in table.columns:
            out += [f"          - name: {column.raw_name}", f"            description: {yaml_text(column.description)}"]
    return "\n".join(out) + "\n"


def models_yml(tables: list[Table]) -> str:
    out = ["version: 2", "", "models:"]
    for table in tables:
        out += [f"  - name: {table.model}", f"    description: {yaml_text(table.description)}"]
        names = {column.raw_name for column in table.columns}
        model_tests = []
        if {"_dlt_parent_id", "_dlt_list_idx"} <= names:  # a dlt child table: one row per parent and position
            model_tests += [
                "      - unique_combination_of_columns:",
                "          arguments:",
                "            combination_of_columns: [dlt_parent_id, dlt_list_idx]",
            ]
        if any(column.is_key for column in table.columns):  # the key's not_null, as a constraint (CONTRIBUTING.md)
            model_tests += [
                "      - not_null_constraints:",
                "          config:",
                "            enabled: true  # a view or uncontracted model: no engine enforces the constraints",
            ]
        if model_tests:
            out += ["    data_tests:", *model_tests]
        out.append("    columns:")
        for column in table.columns:
            out += [f"      - name: {column.name}", f"        description: {yaml_text(column.description)}"]
            if column.is_key:
                out += [
                    "        constraints:",
                    "          - type: not_null",
                    "        data_tests:",
                    "          - unique",
                ]
        out.append("")
    return "\n".join(out)


def scaffold(warehouse: Path, dataset: str, project_dir: Path, force: bool = False) -> list[Path]:
    """Write the source YAML, the models' YAML and one model per table; return the files written."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", dataset):
        raise SystemExit(f"scaffold: {dataset!r} is not a dataset name (lower-case letters, digits, _)")
    if not warehouse.is_file():
        raise SystemExit(f"scaffold: no warehouse at {warehouse}: load the source first (make ingest SOURCE=...)")
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        found = con.execute("select 1 from information_schema.schemata where schema_name = ?", [dataset]).fetchall()
        if not found:
            raise SystemExit(f"scaffold: no dataset (schema) {dataset!r} in {warehouse}: load it first")
        tables = [table for table in inspect(con, dataset) if table.columns]
    finally:
        con.close()
    if not tables:
        raise SystemExit(f"scaffold: dataset {dataset!r} has no data tables yet")
    folder = project_dir / "models" / "staging" / dataset
    files = {
        folder / f"_{dataset}__sources.yml": sources_yml(dataset, tables),
        folder / f"_{dataset}__models.yml": models_yml(tables),
        **{folder / f"{table.model}.sql": model_sql(dataset, table) for table in tables},
    }
    existing = [path for path in files if path.exists()]
    if existing and not force:
        names = ", ".join(str(path.relative_to(project_dir)) for path in existing)
        raise SystemExit(f"scaffold: {names} already exist(s); nothing written (FORCE=1 / --force overwrites)")
    folder.mkdir(parents=True, exist_ok=True)
    for path, text in files.items():
        path.write_text(text)
    return list(files)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.scaffold", description=__doc__.split("\n")[0])
    parser.add_argument("--source", required=True, help="the dlt dataset (= DuckDB schema = dbt source name)")
    parser.add_argument("--force", action="store_true", help="overwrite files that exist")
    data_dir = Path(os.environ.get("DATA_DIR", "data"))
    parser.add_argument("--warehouse", type=Path, default=data_dir / "warehouse.duckdb")
    parser.add_argument("--project-dir", type=Path, default=Path("."))
    args = parser.parse_args(argv)
    written = scaffold(args.warehouse, args.source, args.project_dir, args.force)
    for path in written:
        print(f"wrote {path}")
    print(
        f"next: describe what the source did not (make check lists it), add grain tests where missing, "
        f"then make model M=stg_{args.source}__<table>"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
