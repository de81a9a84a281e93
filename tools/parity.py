"""Parity: the same project, built from the same demo data on several engines, gives the same marts.

    python -m tools.parity [--targets dev postgres] [--scale 0.02] [--days 20] [--data-dir DIR]
    python -m tools.parity --compare-only --data-dir DIR     # compare what an earlier run built
    python -m tools.parity --targets dev spark --advance-days 2  # then a daily cycle: compare again
    python -m tools.parity --targets dev spark --data-dir DIR --rebuild spark --project-dir COPY \
        --select 'stg_oltp__customers+'                     # rebuild part of one engine, compare again

Steps (each target in its own dbt target folder, DATA_DIR/parity-<target>/):

1. ``python -m demo generate`` once into ``--data-dir`` (seeded: the same data for every engine).
2. Per target, the raw data through dlt, the same pipelines with another destination: ``dev`` (DuckDB,
   ``DATA_DIR/warehouse.duckdb``), ``postgres`` (dlt's postgres destination into the database
   ``DBT_POSTGRES_DBNAME``, created empty first; default ``shopwarehouse_parity``), ``spark`` (dlt's
   filesystem destination writing parquet under ``DATA_DIR/spark/raw``, emptied first, which the spark
   target registers as tables: macros/engine_setup.sql). Spark needs a running Thrift server: the one
   on ``DBT_SPARK_HOST``:``DBT_SPARK_PORT`` if it answers, else ``tools.spark_cluster`` starts a
   cluster under ``--data-dir`` for the run and stops it afterwards.
3. Per target, ``dbt build --target <target>`` (every seed, model, snapshot and test).
   With ``--advance-days N``, step 4, then the daily cycle: ``demo advance --days N``, per target an
   ingest of what is new (into the raw data already there) and ``dbt build`` again, so incremental
   models, snapshots and Spark's rewrite of an incremental table take the new days; then step 4 again.
4. Every model under ``models/marts`` (the star schema, the reports and the ML feature table) read
   whole from each engine and compared row by row with the first target's, after normalising types:

   - decimals exactly (money to the cent: ``12.50`` equals ``12.5``, ``12.51`` does not), except the
     quotients of ``divide_or_null`` (the columns a mart selects as ``{{ divide_or_null(...) }} as x``,
     found in its SQL): DuckDB divides decimals in DOUBLE, PostgreSQL in NUMERIC, so a quotient whose
     next digit is a 5 may round either way, and these may differ by one unit of their last place
     (``116.63`` vs ``116.64``, ``21.6262`` vs ``21.6263``), no more;
   - timestamps to the microsecond, those with a time zone as the UTC instant;
   - floats (double, real) within a relative tolerance of ``FLOAT_REL_TOL`` (absolute ``FLOAT_ABS_TOL``
     near zero): engines add a column's values in different orders;
   - everything else (text, integers, booleans, dates) exactly; null equals null only.

   Rows are compared as sorted multisets (no mart promises an order). The columns that record *when
   dlt loaded* a table (``IGNORED_COLUMNS``) differ by construction, one ingest per engine, and are
   left out, with the reason printed. The audit marts count rows of the raw layer, which a merge
   target (DuckDB, PostgreSQL) and an append target (Spark) keep differently once a load re-delivers
   rows: between the two they are compared as delivered rows (``AS_MERGED``, printed).

Prints one line per mart (rows per engine, equal?) and the first differing rows of a mart that
differs; exits 1 on any difference (rows, columns, a missing mart), 2 when a step fails.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
DBT = str(Path(PYTHON).with_name("dbt"))

FLOAT_REL_TOL = 1e-9
FLOAT_ABS_TOL = 1e-9

# mart -> columns left out of the comparison, and why
IGNORED_COLUMNS: dict[str, tuple[set[str], str]] = {
    "rpt_load_audit": ({"load_id", "loaded_at"}, "dlt's load id and time: one ingest per engine"),
    "rpt_source_reconciliation": ({"last_loaded_at"}, "when dlt last loaded the table: one ingest per engine"),
}

TARGETS = ("dev", "postgres", "spark")

# How each target's raw layer keeps a row that a later load delivers again: dlt merges it into the row
# (DuckDB, PostgreSQL) or appends a new version (Spark: the filesystem destination). The audit marts
# describe the raw layer, so they differ by construction after a load that re-delivers rows (the
# daily cycle, --advance-days); between a merge and an append target they are compared as delivered
# rows (AS_MERGED), where both say the same.
RAW_KEEPS = {"dev": "merge", "postgres": "merge", "spark": "append"}


def _load_audit_as_merged(columns: list[str], rows: list[tuple]) -> tuple[list[str], list[tuple]]:
    """rpt_load_audit per load as delivered: rows_landed + rows_superseded (a merge target counts the rows
    a later load replaced as superseded, an append target still holds them), 'superseded' as 'ok'."""
    landed, superseded, status = (columns.index(name) for name in ("rows_landed", "rows_superseded", "audit_status"))
    kept = [i for i in range(len(columns)) if i != superseded]
    out = []
    for row in rows:
        values = list(row)
        values[landed] = (values[landed] or 0) + (values[superseded] or 0)
        values[status] = "ok" if values[status] == "superseded" else values[status]
        out.append(tuple(values[i] for i in kept))
    return [columns[i] for i in kept], out


def _reconciliation_as_merged(columns: list[str], rows: list[tuple]) -> tuple[list[str], list[tuple]]:
    """rpt_source_reconciliation per table with the newest version of each row only: rows_in_raw minus
    rows_superseded_in_raw (what an append target keeps besides)."""
    in_raw, superseded_in_raw = columns.index("rows_in_raw"), columns.index("rows_superseded_in_raw")
    kept = [i for i in range(len(columns)) if i != superseded_in_raw]
    out = []
    for row in rows:
        values = list(row)
        values[in_raw] = (values[in_raw] or 0) - (values[superseded_in_raw] or 0)
        out.append(tuple(values[i] for i in kept))
    return [columns[i] for i in kept], out


AS_MERGED = {
    "rpt_load_audit": (_load_audit_as_merged, "rows_landed + rows_superseded, 'superseded' as 'ok'"),
    "rpt_source_reconciliation": (_reconciliation_as_merged, "rows_in_raw - rows_superseded_in_raw"),
}


@dataclass
class MartResult:
    """One mart on every engine."""

    name: str
    rows: dict[str, int | None] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def equal(self) -> bool:
        return not self.problems


# ---------------------------------------------------------------- normalisation


def _norm_value(value: Any) -> Any:
    """A value as a comparable, hashable Python object (see the module docstring)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, Decimal):
        return value  # compares by value (12.50 == 12.5); keeps its scale for the quotients' last place
    if isinstance(value, float):
        return ("float", value)
    if isinstance(value, int):
        return value
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value
    if isinstance(value, date | dtime):
        return value
    if isinstance(value, list | tuple):
        return tuple(_norm_value(item) for item in value)
    if isinstance(value, dict):
        return tuple(sorted((str(key), _norm_value(item)) for key, item in value.items()))
    if isinstance(value, bytes | memoryview):
        return bytes(value)
    return str(value)


def _sort_key(value: Any) -> tuple:
    """Orders normalised values of mixed types (nulls last); floats by a rounded value, so that two
    engines' last-digit differences do not change the order."""
    if value is None:
        return (9, "")
    if isinstance(value, tuple) and len(value) == 2 and value[0] == "float":
        number = value[1]
        if math.isnan(number):
            return (1, "nan")
        return (0, float(f"{number:.6g}"))
    if isinstance(value, bool):
        return (2, int(value))
    if isinstance(value, int | Decimal):
        return (0, float(value))
    if isinstance(value, tuple):
        return (3, tuple(_sort_key(item) for item in value))
    return (4, type(value).__name__, str(value))


def _values_equal(left: Any, right: Any, quotient: bool = False) -> bool:
    if isinstance(left, tuple) and len(left) == 2 and left[0] == "float":
        if not (isinstance(right, tuple) and len(right) == 2 and right[0] == "float"):
            # a float on one engine, an integer or decimal on another: compare as numbers
            return isinstance(right, int | Decimal) and math.isclose(
                left[1], float(right), rel_tol=FLOAT_REL_TOL, abs_tol=FLOAT_ABS_TOL
            )
        a, b = left[1], right[1]
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return math.isclose(a, b, rel_tol=FLOAT_REL_TOL, abs_tol=FLOAT_ABS_TOL)
    if isinstance(right, tuple) and len(right) == 2 and right[0] == "float":
        return _values_equal(right, left)
    if isinstance(left, tuple) and isinstance(right, tuple):
        return len(left) == len(right) and all(_values_equal(a, b) for a, b in zip(left, right, strict=True))
    if isinstance(left, Decimal) and isinstance(right, Decimal):
        if left == right:
            return True
        # a quotient of divide_or_null: one unit of its last place
        places = max(-left.as_tuple().exponent, -right.as_tuple().exponent)
        return quotient and abs(left - right) <= Decimal(1).scaleb(-places)
    if isinstance(left, int | Decimal) and isinstance(right, int | Decimal) and not isinstance(left, bool):
        return Decimal(left) == Decimal(right)
    return left == right


def normalise_rows(rows: Iterable[Sequence[Any]]) -> list[tuple]:
    """Rows with normalised values, sorted."""
    normalised = [tuple(_norm_value(value) for value in row) for row in rows]
    normalised.sort(key=lambda row: tuple(_sort_key(value) for value in row))
    return normalised


def compare_rows(
    reference: list[tuple],
    other: list[tuple],
    columns: Sequence[str],
    limit: int = 3,
    quotients: frozenset[str] = frozenset(),
) -> list[str]:
    """Differences between two sorted, normalised row lists (empty: equal); ``quotients``: the columns
    that are divide_or_null quotients."""
    problems: list[str] = []
    if len(reference) != len(other):
        problems.append(f"{len(reference)} rows vs {len(other)}")
    for index, (left, right) in enumerate(zip(reference, other, strict=False)):
        differing = [
            f"{columns[i]}: {_show(left[i])} vs {_show(right[i])}"
            for i in range(len(columns))
            if not _values_equal(left[i], right[i], columns[i] in quotients)
        ]
        if differing:
            problems.append(f"row {index + 1}: " + "; ".join(differing))
            if len(problems) >= limit:
                break
    return problems


def _show(value: Any) -> str:
    if isinstance(value, tuple) and len(value) == 2 and value[0] == "float":
        return repr(value[1])
    return repr(value)


# ---------------------------------------------------------------- engines


def _dbt_env(target: str, data_dir: Path, pg_dbname: str) -> dict[str, str]:
    env = dict(os.environ)
    env["DATA_DIR"] = str(data_dir)
    env["DBT_POSTGRES_DBNAME"] = pg_dbname
    env["DBT_USE_COLORS"] = "false"
    env["DBT_TARGET_PATH"] = str(data_dir / f"parity-{target}")
    env["SPARK_RAW_DIR"] = str(spark_raw_dir(data_dir))
    return env


def spark_raw_dir(data_dir: Path) -> Path:
    """Where the spark target's raw parquet files go (dlt's filesystem destination)."""
    return data_dir / "spark" / "raw"


def _spark_address() -> tuple[str, int]:
    return os.environ.get("DBT_SPARK_HOST", "127.0.0.1"), int(os.environ.get("DBT_SPARK_PORT", "10000"))


def drop_spark_schemas(data_dir: Path, pg_dbname: str, project_dir: Path = ROOT) -> None:
    """Drop every schema the project writes or registers on the Spark cluster (``dbt parse`` names them),
    so that the build starts empty as on the other engines: incremental models and snapshots would
    otherwise grow from an earlier run's tables. The raw files stay (dropping an external table keeps them)."""
    env = _dbt_env("spark", data_dir, pg_dbname)
    cmd = [DBT, "parse", "--target", "spark", "--project-dir", str(project_dir), "--profiles-dir", str(project_dir)]
    _run(cmd, env, data_dir / "parity-spark-parse.log")
    manifest = json.loads((data_dir / "parity-spark" / "manifest.json").read_text())
    schemas = {node["schema"] for node in manifest["nodes"].values() if node.get("schema")}
    schemas |= {source["schema"] for source in manifest["sources"].values()}
    from pyhive import hive

    host, port = _spark_address()
    connection = hive.connect(host=host, port=port, username=os.environ.get("DBT_SPARK_USER", "dbt"))
    try:
        cursor = connection.cursor()
        for schema in sorted(schemas):
            if schema.lower() != "default":
                cursor.execute(f"drop schema if exists `{schema}` cascade")
    finally:
        connection.close()


def spark_running() -> bool:
    """Whether a Spark Thrift server answers on the spark target's address."""
    import socket

    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(_spark_address()) == 0


def spark_cluster(action: str, data_dir: Path) -> None:
    """``python -m tools.spark_cluster up|down`` with its folders under ``data_dir``."""
    env = dict(os.environ, DATA_DIR=str(data_dir))
    _run([PYTHON, "-m", "tools.spark_cluster", action], env, data_dir / f"parity-spark-{action}.log")


def _postgres_dsn(dbname: str) -> dict[str, Any]:
    return {
        "host": os.environ.get("DBT_POSTGRES_HOST", "127.0.0.1"),
        "port": int(os.environ.get("DBT_POSTGRES_PORT", "5432")),
        "user": os.environ.get("DBT_POSTGRES_USER", "postgres"),
        "password": os.environ.get("DBT_POSTGRES_PASSWORD", ""),
        "dbname": dbname,
    }


def _recreate_postgres_database(dbname: str) -> None:
    import psycopg2
    from psycopg2 import sql

    connection = psycopg2.connect(**_postgres_dsn("postgres"))
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(dbname)))
        cursor.execute(sql.SQL("create database {}").format(sql.Identifier(dbname)))
    connection.close()


def drop_postgres_database(dbname: str) -> None:
    """Drop the parity database (``--drop``)."""
    import psycopg2
    from psycopg2 import sql

    connection = psycopg2.connect(**_postgres_dsn("postgres"))
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(dbname)))
    connection.close()


def _run(cmd: list[str], env: dict[str, str], log: Path) -> float:
    """Run a step, its output into ``log``; raise with the log's tail when it fails. Returns seconds."""
    started = time.monotonic()
    with log.open("w") as handle:
        completed = subprocess.run(cmd, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, check=False)
    seconds = time.monotonic() - started
    if completed.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-40:])
        raise RuntimeError(f"{' '.join(cmd)} failed (exit {completed.returncode}); log {log}:\n{tail}")
    return seconds


def ingest(target: str, data_dir: Path, pg_dbname: str, fresh: bool = True) -> float:
    """Load the demo data into the target's raw schemas with dlt: into empty ones (``fresh``), or, after
    ``demo advance``, what is new since the last load, as a daily run does."""
    env = _dbt_env(target, data_dir, pg_dbname)
    if target == "postgres":
        if fresh:
            _recreate_postgres_database(pg_dbname)
        dsn = _postgres_dsn(pg_dbname)
        env["INGESTION__DESTINATION"] = "postgres"
        env["DESTINATION__POSTGRES__CREDENTIALS__HOST"] = dsn["host"]
        env["DESTINATION__POSTGRES__CREDENTIALS__PORT"] = str(dsn["port"])
        env["DESTINATION__POSTGRES__CREDENTIALS__USERNAME"] = dsn["user"]
        env["DESTINATION__POSTGRES__CREDENTIALS__PASSWORD"] = dsn["password"]
        env["DESTINATION__POSTGRES__CREDENTIALS__DATABASE"] = pg_dbname
    elif target == "spark":
        import shutil

        raw = spark_raw_dir(data_dir)
        if fresh and raw.exists():
            shutil.rmtree(raw)
        raw.mkdir(parents=True, exist_ok=True)
        env["INGESTION__DESTINATION"] = "filesystem"
        env["INGESTION__LOADER_FILE_FORMAT"] = "parquet"
        env["DESTINATION__FILESYSTEM__BUCKET_URL"] = str(raw)
        if fresh:
            drop_spark_schemas(data_dir, pg_dbname)
    elif target != "dev":
        raise ValueError(f"no ingest for target {target!r} here")
    cmd = [PYTHON, "-m", "demo", "with", "--", PYTHON, "-m", "ingestion"]
    return _run(cmd, env, data_dir / f"parity-{target}-ingest.log")


def build(target: str, data_dir: Path, pg_dbname: str, project_dir: Path, select: Sequence[str] = ()) -> float:
    """``dbt build --target <target>`` (``dbt run --select ...`` with ``select``); returns seconds."""
    env = _dbt_env(target, data_dir, pg_dbname)
    verb = ["run", "--select", *select] if select else ["build"]
    cmd = [DBT, *verb, "--target", target, "--project-dir", str(project_dir), "--profiles-dir", str(project_dir)]
    return _run(cmd, env, data_dir / f"parity-{target}-build.log")


QUOTIENT = re.compile(r"divide_or_null\([^{}]*\)\s*\}\}\s+as\s+(\w+)", re.IGNORECASE)


def marts(data_dir: Path, target: str) -> dict[str, tuple[str, str, frozenset[str]]]:
    """mart name -> (schema, table, quotient columns) of every model under models/marts, from the target's
    manifest."""
    manifest = json.loads((data_dir / f"parity-{target}" / "manifest.json").read_text())
    found = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] == "model" and node["original_file_path"].startswith("models/marts/"):
            quotients = frozenset(name.lower() for name in QUOTIENT.findall(node.get("raw_code") or ""))
            found[node["name"]] = (node["schema"], node["alias"] or node["name"], quotients)
    return dict(sorted(found.items()))


def read_table(target: str, data_dir: Path, pg_dbname: str, schema: str, table: str) -> tuple[list[str], list]:
    """Column names (lower case) and all rows of one table."""
    if target == "dev":
        import duckdb

        with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as connection:
            connection.execute("set time zone 'UTC'")
            cursor = connection.execute(f'select * from "{schema}"."{table}"')
            columns = [column[0].lower() for column in cursor.description]
            return columns, cursor.fetchall()
    if target == "postgres":
        import psycopg2

        connection = psycopg2.connect(**_postgres_dsn(pg_dbname))
        try:
            with connection.cursor() as cursor:
                cursor.execute("set time zone 'UTC'")
                cursor.execute(f'select * from "{schema}"."{table}"')
                columns = [column[0].lower() for column in cursor.description]
                return columns, cursor.fetchall()
        finally:
            connection.close()
    if target == "spark":
        from pyhive import hive

        host, port = _spark_address()
        connection = hive.connect(
            host=host,
            port=port,
            username=os.environ.get("DBT_SPARK_USER", "dbt"),
            configuration={"set:hiveconf:spark.sql.session.timeZone": "UTC"},
        )
        try:
            cursor = connection.cursor()
            cursor.execute(f"select * from `{schema}`.`{table}`")
            columns = [column[0].split(".")[-1].lower() for column in cursor.description]
            types = [column[1] for column in cursor.description]
            return columns, [_spark_row(row, types) for row in cursor.fetchall()]
        finally:
            connection.close()
    raise ValueError(f"cannot read target {target!r}")


def _spark_row(row: Sequence[Any], types: Sequence[str]) -> tuple:
    """A row from PyHive as the other engines' drivers give it: PyHive returns decimals, dates and
    timestamps as text (the Thrift protocol's strings), and floats as floats."""
    values = []
    for value, type_name in zip(row, types, strict=True):
        if value is None or not isinstance(value, str):
            values.append(value)
        elif type_name == "DECIMAL_TYPE":
            values.append(Decimal(value))
        elif type_name == "DATE_TYPE":
            values.append(date.fromisoformat(value))
        elif type_name == "TIMESTAMP_TYPE":
            values.append(datetime.fromisoformat(value))
        else:
            values.append(value)
    return tuple(values)


def _comparable(mart: str, columns: list[str], rows: list[tuple], as_merged: bool) -> tuple[list[str], list[tuple]]:
    """A mart's rows normalised for comparison, as delivered rows (AS_MERGED) when asked."""
    if as_merged:
        columns, rows = AS_MERGED[mart][0](columns, rows)
    return columns, normalise_rows(rows)


def compare(targets: Sequence[str], data_dir: Path, pg_dbname: str) -> list[MartResult]:
    """Every mart of the first target compared with the same mart on each other target."""
    reference_target = targets[0]
    results = []
    for name, (schema, table, quotients) in marts(data_dir, reference_target).items():
        result = MartResult(name)
        ignored, _ = IGNORED_COLUMNS.get(name, (set(), ""))
        tables: dict[str, tuple[list[str], list[tuple]]] = {}
        for target in targets:
            try:
                columns, rows = read_table(target, data_dir, pg_dbname, schema, table)
            except Exception as error:  # a missing table is a difference, not a crash
                result.rows[target] = None
                result.problems.append(f"{target}: cannot read {schema}.{table}: {str(error).splitlines()[0]}")
                continue
            keep = [i for i, column in enumerate(columns) if column not in ignored]
            tables[target] = ([columns[i] for i in keep], [tuple(row[i] for i in keep) for row in rows])
            result.rows[target] = len(rows)

        if reference_target in tables:
            references: dict[bool, tuple[list[str], list[tuple]]] = {}  # as_merged -> the reference's rows
            for target in targets[1:]:
                if target not in tables:
                    continue
                as_merged = name in AS_MERGED and RAW_KEEPS[target] != RAW_KEEPS[reference_target]
                if as_merged not in references:
                    references[as_merged] = _comparable(name, *tables[reference_target], as_merged)
                ref_columns, ref_rows = references[as_merged]
                columns, rows = _comparable(name, *tables[target], as_merged)
                if columns != ref_columns:
                    missing = sorted(set(ref_columns) - set(columns))
                    extra = sorted(set(columns) - set(ref_columns))
                    result.problems.append(
                        f"{target}: columns differ (missing {missing}, extra {extra})"
                        if missing or extra
                        else f"{target}: column order differs"
                    )
                    if missing or extra:
                        continue
                    order = [columns.index(column) for column in ref_columns]
                    rows = normalise_rows([tuple(row[i] for i in order) for row in rows])
                result.problems.extend(
                    f"{target}: {problem}" for problem in compare_rows(ref_rows, rows, ref_columns, quotients=quotients)
                )
        results.append(result)
    return results


def report(results: Sequence[MartResult], targets: Sequence[str], out=sys.stdout) -> None:
    """The table: mart, rows per engine, equal?; then the differences."""
    width = max([len("mart")] + [len(result.name) for result in results])
    header = f"{'mart':<{width}}  " + "  ".join(f"{target:>10}" for target in targets) + "  equal"
    print(header, file=out)
    print("-" * len(header), file=out)
    for result in results:
        counts = "  ".join(
            f"{'-' if result.rows.get(target) is None else result.rows[target]:>10}" for target in targets
        )
        print(f"{result.name:<{width}}  {counts}  {'yes' if result.equal else 'NO'}", file=out)
    different = [result for result in results if not result.equal]
    for result in different:
        print(f"\n{result.name}:", file=out)
        for problem in result.problems:
            print(f"  {problem}", file=out)
    ignored = [f"{name}: {', '.join(sorted(columns))} ({why})" for name, (columns, why) in IGNORED_COLUMNS.items()]
    print("\nnot compared: " + "; ".join(ignored), file=out)
    if len({RAW_KEEPS[target] for target in targets}) > 1:
        merged = [f"{name}: {why}" for name, (_, why) in AS_MERGED.items()]
        print(
            "raw layer: dlt merges on "
            + ", ".join(t for t in targets if RAW_KEEPS[t] == "merge")
            + ", appends on "
            + ", ".join(t for t in targets if RAW_KEEPS[t] == "append")
            + "; compared as delivered rows: "
            + "; ".join(merged),
            file=out,
        )
    print(
        f"floats within rel {FLOAT_REL_TOL:g} / abs {FLOAT_ABS_TOL:g}; decimals exact to the cent, "
        "divide_or_null quotients "
        "to one unit of the last place; timestamps to the microsecond (UTC)",
        file=out,
    )
    verdict = "PARITY: every mart equal" if not different else f"PARITY FAILED: {len(different)} mart(s) differ"
    print(f"\n{verdict} on {', '.join(targets)}", file=out)


def ingest_and_build(args: argparse.Namespace, data_dir: Path, timings: dict, fresh: bool = True) -> None:
    """Per target: the ingest (``fresh``: into empty raw schemas; else what is new) and ``dbt build``,
    timed into ``timings`` (keys ``ingest_<target>``/``build_<target>``, ``_incremental`` when not fresh)."""
    suffix, label = ("", "") if fresh else ("_incremental", " (incremental)")
    for target in args.targets:
        print(f"parity: {target}: ingest{label}", flush=True)
        timings[f"ingest_{target}{suffix}"] = ingest(target, data_dir, args.postgres_dbname, fresh=fresh)
        print(f"parity: {target}: dbt build{label}", flush=True)
        timings[f"build_{target}{suffix}"] = build(target, data_dir, args.postgres_dbname, args.project_dir.resolve())
        print(f"parity: {target}: built in {timings[f'build_{target}{suffix}']:.1f}s", flush=True)


def advance(args: argparse.Namespace, data_dir: Path, results: list[MartResult], timings: dict) -> list[MartResult]:
    """The daily cycle on every engine: report the full build's comparison, advance the demo, load what
    is new, build again (incremental), and return the second comparison (with the first's differences)."""
    report(results, args.targets)
    print(f"\nparity: demo advance --days {args.advance_days}, then an incremental ingest and build", flush=True)
    env = dict(os.environ, DATA_DIR=str(data_dir))
    cmd = [PYTHON, "-m", "demo", "advance", "--days", str(args.advance_days)]
    timings["advance"] = _run(cmd, env, data_dir / "parity-advance.log")
    ingest_and_build(args, data_dir, timings, fresh=False)
    after = compare(args.targets, data_dir, args.postgres_dbname)
    print(f"\nafter demo advance --days {args.advance_days} and an incremental build:")
    return carry_over(results, after)


def carry_over(full: Sequence[MartResult], incremental: list[MartResult]) -> list[MartResult]:
    """The incremental comparison, where a mart that differed after the full build stays a difference
    (marked so) even if the next day's build made it equal."""
    differed = {result.name: result for result in full if not result.equal}
    for result in incremental:
        if result.name in differed and result.equal:
            result.problems = [f"(the full build differed) {problem}" for problem in differed[result.name].problems]
    for name in differed.keys() - {result.name for result in incremental}:
        incremental.append(differed[name])
    return incremental


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.parity", description=__doc__.splitlines()[0])
    parser.add_argument("--targets", nargs="+", default=["dev", "postgres"], choices=TARGETS)
    parser.add_argument("--data-dir", type=Path, default=Path(os.environ.get("DATA_DIR", "data")) / "parity")
    parser.add_argument("--scale", default="0.02")
    parser.add_argument("--days", default="20")
    parser.add_argument("--seed", default="42")
    parser.add_argument("--project-dir", type=Path, default=ROOT, help="the dbt project (default: this checkout)")
    parser.add_argument("--postgres-dbname", default=os.environ.get("DBT_POSTGRES_DBNAME", "shopwarehouse_parity"))
    parser.add_argument("--compare-only", action="store_true", help="compare what an earlier run built")
    parser.add_argument(
        "--rebuild",
        nargs="+",
        choices=TARGETS,
        help="on an earlier run's data: only rebuild these targets (no generate, no ingest), then compare",
    )
    parser.add_argument(
        "--select", nargs="+", default=[], help="with --rebuild: `dbt run --select` these nodes instead of a build"
    )
    parser.add_argument(
        "--advance-days",
        type=int,
        default=0,
        help="after the comparison: `demo advance` this many days, ingest what is new and `dbt build` again on"
        " each target (incremental models and snapshots take the new days), and compare again",
    )
    parser.add_argument("--keep-database", action="store_true", help="keep the PostgreSQL database afterwards")
    parser.add_argument("--json", type=Path, help="write the per-step seconds and the result as JSON")
    args = parser.parse_args(argv)

    data_dir: Path = args.data_dir.resolve()
    timings: dict[str, float] = {}
    started_spark = False
    try:
        if "spark" in args.targets and not spark_running():
            data_dir.mkdir(parents=True, exist_ok=True)
            print("parity: spark: starting a local cluster (tools.spark_cluster)", flush=True)
            started = time.monotonic()
            spark_cluster("up", data_dir)
            started_spark = True
            timings["spark_cluster_up"] = time.monotonic() - started
        if args.rebuild:
            for target in args.rebuild:
                print(f"parity: {target}: dbt {'run' if args.select else 'build'} (rebuild)", flush=True)
                timings[f"build_{target}"] = build(
                    target, data_dir, args.postgres_dbname, args.project_dir.resolve(), args.select
                )
        elif not args.compare_only:
            if (data_dir / "warehouse.duckdb").exists() or (data_dir / "sources").exists():
                import shutil

                for child in data_dir.iterdir():
                    if child.name != "spark":  # a cluster started for this run lives there
                        shutil.rmtree(child) if child.is_dir() else child.unlink()
            data_dir.mkdir(parents=True, exist_ok=True)
            env = dict(os.environ, DATA_DIR=str(data_dir))
            generate = [PYTHON, "-m", "demo", "generate", "--scale", args.scale, "--days", args.days]
            timings["generate"] = _run([*generate, "--seed", args.seed], env, data_dir / "parity-generate.log")
            ingest_and_build(args, data_dir, timings)
        results = compare(args.targets, data_dir, args.postgres_dbname)
        if args.advance_days > 0 and not args.rebuild and not args.compare_only:
            results = advance(args, data_dir, results, timings)
    except (RuntimeError, OSError) as error:
        print(f"parity: {error}", file=sys.stderr)
        return 2
    finally:
        if started_spark:
            try:
                spark_cluster("down", data_dir)
            except Exception as error:  # noqa: BLE001 - a failed cleanup must not hide the result
                print(f"parity: could not stop the Spark cluster: {error}", file=sys.stderr)
        if "postgres" in args.targets and not args.keep_database and not args.compare_only and not args.rebuild:
            try:
                drop_postgres_database(args.postgres_dbname)
            except Exception as error:  # noqa: BLE001 - a failed cleanup must not hide the result
                print(f"parity: could not drop database {args.postgres_dbname}: {error}", file=sys.stderr)
    report(results, args.targets)
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "targets": list(args.targets),
                    "scale": float(args.scale),
                    "days": int(args.days),
                    "seconds": timings,
                    "marts": [
                        {"mart": result.name, "rows": result.rows, "equal": result.equal, "problems": result.problems}
                        for result in results
                    ],
                },
                indent=2,
            )
        )
    return 0 if all(result.equal for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
