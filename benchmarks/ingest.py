"""Ingestion benchmark: dlt ingest against DuckDB's own loaders, incremental run and peak memory.

    python -m benchmarks.ingest --scales 1 3 [--repeats 3 1] [--days 90] [--data-root DIR] [--keep] [--json PATH]
    python -m benchmarks.ingest --scales 1 --repeats 1 --reuse DIR   # copy already generated demo data

Everything is measured side by side in one run, per scale, on the same files:

1. File sources (events, documents, weblogs, lake): ``python -m ingestion --source X`` into an empty
   warehouse, against DuckDB reading the same files into a table of a file-backed database
   (``read_json`` / ``read_csv`` / ``read_parquet``). Target for a source of at least 1M rows: ingest /
   native ≤ 1.5.
2. OLTP: ``python -m ingestion --source oltp`` against the fastest direct extraction of every table of
   ``shop.sqlite`` (ConnectorX → Arrow → DuckDB; ADBC SQLite too when ``adbc_driver_sqlite`` is
   installed). Target ≤ 2.0.
3. Incremental: the full ingest of all sources (``python -m demo api with -- python -m ingestion``,
   like ``make ingest``), then ``demo advance --days 1`` and the same command again. Target: the second
   run takes ≤ 10 % of the full one (wall clock; each repeat starts again from a copy of the full
   load's warehouse and dlt state). A last run with nothing new shows the floor (start-up, API server):
   target ≤ 3 s wall, and ≤ 0.3 s per source (its in-process seconds: the fixed cost of a source).
4. Peak RSS of the full ingest (whole process tree: ``api with``, the API server and the ingestion).
   Targets: ≤ 1.5 GiB, and each larger scale within 20 % of the first scale.

Ingest seconds are the in-process ``seconds`` column of the ingestion summary table (these give the
ratios); ``wall`` is the subprocess wall clock including interpreter start and imports. Native DuckDB
seconds run in this process and include opening and closing (checkpointing) the database file.
Figures are medians over ``--repeats`` runs (one value per scale; the last applies to the remaining
scales). Targets are reported as PASS/MISS, never asserted; ``--json PATH`` writes each judged figure
as a record {benchmark, scale, metric, value, unit, target, pass}; a failed ingest exits 1. Each scale
works in its own folder under ``--data-root`` (default: a temporary folder), removed afterwards unless
``--keep``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import socket
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from ._measure import Record, measure, median, verdict, write_records

REPO_ROOT = Path(__file__).resolve().parents[1]
"""Subprocesses run here, so dlt reads the project's ``.dlt/config.toml``."""

FILE_SOURCES = ("events", "documents", "weblogs", "lake")
ALL_SOURCES = ("oltp", *FILE_SOURCES)
RATIO_TARGET = 1.5
"""A file source with at least RATIO_MIN_ROWS rows: ingest seconds / DuckDB's own loader on the same files."""
RATIO_MIN_ROWS = 1_000_000
OLTP_RATIO_TARGET = 2.0
"""OLTP: ingest seconds / the fastest direct extraction (ConnectorX or ADBC -> Arrow -> DuckDB)."""
INCREMENTAL_TARGET = 0.10
IDLE_TARGET_SECONDS = 3.0
"""A run with nothing new (all sources, like `make ingest`), wall clock."""
FIXED_COST_TARGET_SECONDS = 0.3
"""Per source, in-process seconds of the run with nothing new: the fixed cost of a source."""
RSS_TARGET_MB = 1536.0  # 1.5 GiB in MiB, the unit _measure reports
RSS_GROWTH_TARGET = 1.20
SCRUBBED_ENV_PREFIXES = ("SOURCES__", "DESTINATION__", "INGESTION__")
"""Inherited settings that would point the ingestion elsewhere than the benchmark's data folder."""


@dataclass(frozen=True)
class IngestRun:
    """One ``python -m ingestion`` subprocess: wall clock, peak tree RSS and its summary table."""

    wall: float
    peak_mb: float
    seconds: dict[str, float]
    rows: dict[str, int]
    failed: list[str]
    errors: str

    @property
    def total_rows(self) -> int:
        """Rows loaded by all sources."""
        return sum(self.rows.values())


@dataclass
class SourceFigures:
    """Repeated measurements of one source at one scale."""

    ingest: list[float] = field(default_factory=list)
    wall: list[float] = field(default_factory=list)
    native: list[float] = field(default_factory=list)
    peak_mb: list[float] = field(default_factory=list)
    rows: int = 0
    native_rows: int = 0
    native_method: str = "DuckDB"
    failed: bool = False


@dataclass
class ScaleResult:
    """Everything measured at one scale."""

    scale: float
    repeats: int
    sources: dict[str, SourceFigures]
    full_wall: list[float] = field(default_factory=list)
    full_peak_mb: list[float] = field(default_factory=list)
    full_rows: int = 0
    incremental_wall: list[float] = field(default_factory=list)
    incremental_rows: int = 0
    idle_wall: float = 0.0
    idle_seconds: dict[str, float] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)


ScaleResultT = TypeVar("ScaleResultT")
"""What one benchmark measures at one scale (each benchmark module has its own ScaleResult)."""


def progress(message: str) -> None:
    """One progress line, flushed at once."""
    print(message, flush=True)


def parse_summary(text: str) -> tuple[dict[str, float], dict[str, int], list[str]]:
    """Per-source ``seconds`` and ``rows``, and the failed sources, from the summary of ``python -m ingestion``.

    Columns are found by their header (``source … rows … seconds … status``), not by position.
    """
    lines = text.splitlines()
    start = next(
        (
            i
            for i, line in enumerate(lines)
            if line.split()[:1] == ["source"] and {"rows", "seconds"} <= set(line.split())
        ),
        None,
    )
    if start is None:
        raise ValueError("no summary table in the output")
    names = lines[start].split()
    seconds: dict[str, float] = {}
    rows: dict[str, int] = {}
    failed: list[str] = []
    for line in lines[start + 2 :]:
        values = line.split()
        if not values or values[0] == "total":
            break
        row = dict(zip(names, values, strict=False))
        seconds[row["source"]] = float(row["seconds"].replace(",", ""))
        rows[row["source"]] = int(row["rows"].replace(",", ""))
        if row.get("status", "ok").startswith("FAILED"):  # WARNING:<codes> is a loaded source
            failed.append(row["source"])
    return seconds, rows, failed


def run_ingest(cmd: list[str], log: Path) -> IngestRun:
    """Run cmd with ``measure`` (wall clock, peak tree RSS) and parse the summary it prints.

    A small ``sh`` (about 1 MB, counted in the peak) sends stdout to ``log`` and stderr to ``log.err``
    and always exits 0, so a run where a source failed is still measured; the summary says which.
    """
    err = log.with_name(log.name + ".err")
    measured = measure(["/bin/sh", "-c", '"$@" >"$0" 2>"$0.err" || true', str(log), *cmd])
    errors = err.read_text(encoding="utf-8", errors="replace") if err.exists() else ""
    try:
        seconds, rows, failed = parse_summary(log.read_text(encoding="utf-8", errors="replace"))
    except (OSError, ValueError):
        raise RuntimeError(f"{' '.join(cmd)} printed no summary; its stderr ends with:\n{errors[-2000:]}") from None
    error_lines = [line for line in errors.splitlines() if line.startswith(("ERROR", "error"))]
    return IngestRun(measured.seconds, measured.peak_rss_mb, seconds, rows, failed, "\n".join(error_lines))


def reset_warehouse(data_dir: Path) -> None:
    """Delete the warehouse and dlt's pipeline state: the next ingest is a full load."""
    for name in ("warehouse.duckdb", "warehouse.duckdb.wal"):
        (data_dir / name).unlink(missing_ok=True)
    shutil.rmtree(data_dir / "pipelines", ignore_errors=True)


def ingestion_cmd(data_dir: Path, source: str | None = None) -> list[str]:
    """``python -m ingestion`` for one source (no ad API needed) or for all of them through ``api with``."""
    ingest = [sys.executable, "-m", "ingestion", "--data-dir", str(data_dir)]
    if source is not None:
        return [*ingest, "--source", source]
    return [sys.executable, "-m", "demo", "--data-dir", str(data_dir), "api", "with", "--", *ingest]


# --- DuckDB's own loaders ------------------------------------------------------------------------------


def native_queries(sources: Path) -> dict[str, list[str]]:
    """Per file source: the DuckDB statements that read the same files the ingestion reads."""
    unit_separator = "\x1f"  # a byte no log line holds: every line is one VARCHAR value
    return {
        "events": [
            f"create table events as select * from read_json('{sources}/lake/events/**/*.jsonl.gz', "
            "format='newline_delimited', ignore_errors=true)"
        ],
        "documents": [
            f"create table reviews as select * from read_json('{sources}/documents/reviews/*.json', "
            "format='newline_delimited', ignore_errors=true)"
        ],
        "weblogs": [
            f"create table access_log as select * from read_csv('{sources}/logs/nginx/access.log-*', "
            f"columns={{'line': 'VARCHAR'}}, delim='{unit_separator}', quote='', escape='', header=false, "
            "auto_detect=false)"
        ],
        "lake": [
            "create table inventory_snapshots as select * from "
            f"read_parquet('{sources}/lake/inventory_snapshots/**/*.parquet')",
            f"create table fx_rates as select * from read_csv('{sources}/lake/fx_rates/**/*.csv')",
        ],
    }


def fresh_database(path: Path) -> None:
    """Delete a DuckDB database file and its WAL."""
    path.unlink(missing_ok=True)
    path.with_name(path.name + ".wal").unlink(missing_ok=True)


def count_rows(path: Path) -> int:
    """Rows in all tables of a DuckDB database file."""
    import duckdb

    with duckdb.connect(str(path), read_only=True) as con:
        tables = [name for (name,) in con.execute("select table_name from duckdb_tables()").fetchall()]
        return sum(con.execute(f'select count(*) from "{name}"').fetchone()[0] for name in tables)


def time_native(path: Path, statements: list[str]) -> tuple[float, int]:
    """Seconds to open a new database file, run statements and close it; then the rows it holds."""
    import duckdb

    fresh_database(path)
    started = time.perf_counter()
    con = duckdb.connect(str(path))
    for statement in statements:
        con.execute(statement)
    con.close()
    seconds = time.perf_counter() - started
    rows = count_rows(path)
    fresh_database(path)
    return seconds, rows


def oltp_queries(database: Path) -> dict[str, str]:
    """One ``select`` per table of the SQLite database, NUMERIC/DECIMAL columns cast to REAL.

    SQLite stores them with REAL affinity but keeps ``0`` as INTEGER, which ConnectorX refuses;
    the ingestion casts the same way (``ingestion/oltp/helpers.py``).
    """
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as con:
        tables = [
            name
            for (name,) in con.execute(
                "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name"
            )
        ]
        queries = {}
        for table in tables:
            columns = con.execute(f'pragma table_info("{table}")').fetchall()
            selected = ", ".join(
                f'cast("{name}" as real) as "{name}"'
                if declared.upper().startswith(("NUMERIC", "DECIMAL"))
                else f'"{name}"'
                for _, name, declared, *_ in columns
            )
            queries[table] = f'select {selected} from "{table}"'
    return queries


def time_direct(path: Path, queries: dict[str, str], fetch: Callable[[str], object]) -> tuple[float, int]:
    """Seconds to fetch every table as Arrow and create it in a new DuckDB file; then the rows it holds."""
    import duckdb

    fresh_database(path)
    started = time.perf_counter()
    con = duckdb.connect(str(path))
    for table, query in queries.items():
        con.register("extracted", fetch(query))
        con.execute(f'create table "{table}" as select * from extracted')
        con.unregister("extracted")
    con.close()
    seconds = time.perf_counter() - started
    rows = count_rows(path)
    fresh_database(path)
    return seconds, rows


def direct_extractors(database: Path) -> dict[str, Callable[[str], object]]:
    """Ways to read a query of the SQLite database into an Arrow table: ConnectorX, and ADBC when installed."""
    import connectorx

    extractors: dict[str, Callable[[str], object]] = {
        "connectorx": lambda query: connectorx.read_sql(f"sqlite://{database}", query, return_type="arrow")
    }
    if importlib.util.find_spec("adbc_driver_sqlite") is not None:
        import adbc_driver_sqlite.dbapi

        def adbc(query: str) -> object:
            with adbc_driver_sqlite.dbapi.connect(str(database)) as con, con.cursor() as cursor:
                cursor.execute(query)
                return cursor.fetch_arrow_table()

        extractors["adbc"] = adbc
    return extractors


# --- data folders --------------------------------------------------------------------------------------


def prepare_data(data_dir: Path, scale: float, days: int, reuse: Path | None) -> float:
    """Fill data_dir with demo sources (generated, or copied from reuse); return the scale of the data."""
    data_dir.mkdir(parents=True)
    if reuse is not None:
        progress(f"  copying the demo data of {reuse}")
        shutil.copytree(reuse / "sources", data_dir / "sources")
        shutil.copy2(reuse / "manifest.json", data_dir / "manifest.json")
        if (reuse / ".demo_state").is_dir():
            shutil.copytree(reuse / ".demo_state", data_dir / ".demo_state")
        return float(json.loads((data_dir / "manifest.json").read_text())["generator"]["scale"])
    progress(f"  generating SCALE={scale:g}, {days} days into {data_dir}")
    generated = measure(
        [
            sys.executable,
            "-m",
            "demo",
            "--data-dir",
            str(data_dir),
            "generate",
            "--scale",
            str(scale),
            "--days",
            str(days),
            "--quiet",
        ]
    )
    progress(f"  generated in {generated.seconds:.0f} s")
    return scale


def snapshot(data_dir: Path, target: Path) -> None:
    """Copy the warehouse and the pipeline state (to restore the same state before each incremental run)."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir()
    shutil.copy2(data_dir / "warehouse.duckdb", target / "warehouse.duckdb")
    shutil.copytree(data_dir / "pipelines", target / "pipelines")


def restore(data_dir: Path, saved: Path) -> None:
    """Put a snapshot back in place."""
    reset_warehouse(data_dir)
    shutil.copy2(saved / "warehouse.duckdb", data_dir / "warehouse.duckdb")
    shutil.copytree(saved / "pipelines", data_dir / "pipelines")


def free_port() -> int:
    """A free local TCP port for the demo ad API (so a server already running on 8765 is not reused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- the benchmark -------------------------------------------------------------------------------------


def bench_scale(data_dir: Path, scale: float, repeats: int) -> ScaleResult:
    """All measurements on one prepared data folder (its sources are advanced by one day at the end)."""
    sources = data_dir / "sources"
    native_db = data_dir / "native.duckdb"
    logs = data_dir / "bench-logs"
    logs.mkdir(exist_ok=True)
    queries = native_queries(sources)
    table_queries = oltp_queries(sources / "shop.sqlite")
    extractors = direct_extractors(sources / "shop.sqlite")
    result = ScaleResult(scale, repeats, {name: SourceFigures() for name in ALL_SOURCES})
    direct: dict[str, list[float]] = {name: [] for name in extractors}
    tag = f"[SCALE={scale:g}]"

    for run in range(1, repeats + 1):
        for name in ALL_SOURCES:
            figures = result.sources[name]
            reset_warehouse(data_dir)
            ingest = run_ingest(ingestion_cmd(data_dir, name), logs / f"{name}-{run}.log")
            figures.ingest.append(ingest.seconds[name])
            figures.wall.append(ingest.wall)
            figures.peak_mb.append(ingest.peak_mb)
            figures.rows = ingest.rows[name]
            note_failures(result, ingest, f"{name} alone, run {run}")
            figures.failed = figures.failed or bool(ingest.failed)
            if name == "oltp":
                timings = []
                for method, fetch in extractors.items():
                    seconds, figures.native_rows = time_direct(native_db, table_queries, fetch)
                    direct[method].append(seconds)
                    timings.append(f"{method} {seconds:.1f} s")
                native = ", ".join(timings)
            else:
                seconds, figures.native_rows = time_native(native_db, queries[name])
                figures.native.append(seconds)
                native = f"DuckDB {seconds:.1f} s"
            progress(
                f"{tag} run {run}/{repeats} {name:<9} ingest {ingest.seconds[name]:6.1f} s "
                f"(wall {ingest.wall:5.1f} s, peak {ingest.peak_mb:,.0f} MB, {figures.rows:,} rows"
                f"{', FAILED' if ingest.failed else ''}); {native}"
            )
    fastest = min(direct, key=lambda method: median(direct[method]))
    result.sources["oltp"].native = direct[fastest]
    result.sources["oltp"].native_method = f"{fastest} -> Arrow -> DuckDB"

    saved = data_dir / "bench-snapshot"
    for run in range(1, repeats + 1):
        reset_warehouse(data_dir)
        full = run_ingest(ingestion_cmd(data_dir), logs / f"full-{run}.log")
        result.full_wall.append(full.wall)
        result.full_peak_mb.append(full.peak_mb)
        result.full_rows = full.total_rows
        note_failures(result, full, f"full ingest, run {run}")
        progress(
            f"{tag} run {run}/{repeats} full ingest (all sources, api with): wall {full.wall:.1f} s, "
            f"peak {full.peak_mb:,.0f} MB, {full.total_rows:,} rows; {per_source(full)}"
        )
    if repeats > 1:
        snapshot(data_dir, saved)

    advanced = measure([sys.executable, "-m", "demo", "--data-dir", str(data_dir), "advance", "--days", "1", "--quiet"])
    progress(f"{tag} demo advance --days 1: {advanced.seconds:.1f} s")
    for run in range(1, repeats + 1):
        if run > 1:
            restore(data_dir, saved)
        incremental = run_ingest(ingestion_cmd(data_dir), logs / f"incremental-{run}.log")
        result.incremental_wall.append(incremental.wall)
        result.incremental_rows = incremental.total_rows
        note_failures(result, incremental, f"incremental ingest, run {run}")
        progress(
            f"{tag} run {run}/{repeats} incremental ingest after one day: wall {incremental.wall:.1f} s, "
            f"{incremental.total_rows:,} rows; {per_source(incremental)}"
        )
    shutil.rmtree(saved, ignore_errors=True)
    idle = run_ingest(ingestion_cmd(data_dir), logs / "idle.log")
    result.idle_wall = idle.wall
    result.idle_seconds = idle.seconds
    note_failures(result, idle, "run with nothing new")
    progress(
        f"{tag} run with nothing new (the floor: start-up, API server, listing): wall {idle.wall:.1f} s, "
        f"{idle.total_rows:,} rows; {per_source(idle)}"
    )
    return result


def per_source(run: IngestRun) -> str:
    """``name seconds`` of each source of a run, failed ones marked."""
    return ", ".join(
        f"{name} {seconds:.1f} s{' FAILED' if name in run.failed else ''}" for name, seconds in run.seconds.items()
    )


def note_failures(result: ScaleResult, run: IngestRun, what: str) -> None:
    """Remember (and show at once) the sources that failed in a run, with the ingestion's error lines."""
    if run.failed:
        message = f"{what}: {', '.join(run.failed)} FAILED: {run.errors or 'see the ingestion output'}"
        result.failures.append(message)
        progress(f"  {message}")


def ratio_target(name: str, rows: int) -> float | None:
    """The judged ratio to the native loader: OLTP always, a file source from RATIO_MIN_ROWS rows on."""
    if name == "oltp":
        return OLTP_RATIO_TARGET
    return RATIO_TARGET if rows >= RATIO_MIN_ROWS else None


def report(result: ScaleResult, base: ScaleResult) -> list[Record]:
    """The figures of one scale next to their targets; the judged ones as records (``--json``)."""
    records: list[Record] = []

    def judged(metric: str, value: float, unit: str, target: float) -> str:
        records.append(Record("ingest", result.scale, metric, value, unit, target))
        return verdict(value, target)

    print()
    print(
        f"SCALE={result.scale:g}: medians of {result.repeats} run(s). ingest s: in-process seconds from the "
        "ingestion summary (the ratio uses these); wall s: the subprocess incl. interpreter start; native s: "
        "DuckDB loading the same files into a file-backed database, for oltp the fastest direct extraction. "
        f"A file source's ratio is judged from {RATIO_MIN_ROWS:,} rows on"
    )
    header = (
        f"{'source':<10}{'rows':>11}{'native rows':>12}{'ingest s':>10}{'wall s':>8}{'native s':>10}"
        f"{'ratio':>7}{'target':>8}  {'result':<6}{'peak MB':>9}  native"
    )
    print(header)
    print("-" * len(header))
    for name in (*FILE_SOURCES, "oltp"):
        figures = result.sources[name]
        ingest, native = median(figures.ingest), median(figures.native)
        ratio = ingest / native
        target = ratio_target(name, figures.rows)
        outcome = "-" if target is None else judged(f"{name}_vs_native", ratio, "ratio", target)
        outcome = "FAILED" if figures.failed else outcome
        shown_target = "-" if target is None else "≤ " + format(target, ".1f")
        print(
            f"{name:<10}{figures.rows:>11,}{figures.native_rows:>12,}{ingest:>10.1f}{median(figures.wall):>8.1f}"
            f"{native:>10.2f}{ratio:>7.2f}{shown_target:>8}  {outcome:<6}"
            f"{max(figures.peak_mb):>9,.0f}  {figures.native_method}"
        )
    full_wall, inc_wall = median(result.full_wall), median(result.incremental_wall)
    ratio = inc_wall / full_wall
    failed = any(failure.startswith(("full", "incremental")) for failure in result.failures)
    outcome = judged("incremental_vs_full", ratio, "ratio", INCREMENTAL_TARGET)
    print(
        f"incremental (wall clock of `demo api with -- python -m ingestion`, all sources): full {full_wall:.1f} s "
        f"({result.full_rows:,} rows), after advance --days 1 {inc_wall:.1f} s ({result.incremental_rows:,} rows): "
        f"ratio {ratio:.3f}, target ≤ {INCREMENTAL_TARGET:.2f}: {'FAILED' if failed else outcome}"
    )
    idle = judged("nothing_new_wall", result.idle_wall, "s", IDLE_TARGET_SECONDS)
    fixed = ", ".join(
        f"{name} {seconds:.2f} s {judged(f'fixed_cost_{name}', seconds, 's', FIXED_COST_TARGET_SECONDS)}"
        for name, seconds in result.idle_seconds.items()
    )
    print(
        f"a run with nothing new: wall {result.idle_wall:.1f} s ({result.idle_wall / full_wall:.3f} of the full run), "
        f"target ≤ {IDLE_TARGET_SECONDS:.0f} s: {idle}; per source (fixed cost, target ≤ "
        f"{FIXED_COST_TARGET_SECONDS} s): {fixed}"
    )
    peak = max(result.full_peak_mb)
    line = (
        f"peak RSS of the full ingest (whole process tree incl. the API server): {peak:,.0f} MB, the max of "
        f"{len(result.full_peak_mb)} run(s) (median {median(result.full_peak_mb):,.0f} MB), "
        f"target ≤ {RSS_TARGET_MB:,.0f} MB (1.5 GiB): "
        f"{judged('full_peak_rss', peak, 'MB', RSS_TARGET_MB)}"
    )
    if result is not base:
        growth = peak / max(base.full_peak_mb)
        line += (
            f"; SCALE={result.scale:g} / SCALE={base.scale:g}: {growth:.2f}, target ≤ {RSS_GROWTH_TARGET:.2f}: "
            f"{judged(f'full_peak_rss_vs_scale_{base.scale:g}', growth, 'ratio', RSS_GROWTH_TARGET)}"
        )
    print(line)
    for failure in result.failures:
        print(f"FAILED {failure}")
    return records


def repeats_for(repeats: list[int], index: int) -> int:
    """Repeats of the index-th scale: the matching value of --repeats, else its last value."""
    return repeats[min(index, len(repeats) - 1)]


def run_scales(
    name: str,
    description: str,
    argv: list[str] | None,
    bench_scale: Callable[[Path, float, int], ScaleResultT],
    report_all: Callable[[list[ScaleResultT]], list[Record]],
) -> int:
    """The command line every benchmark shares: per scale, prepare demo data in its own folder, run
    `bench_scale(data_dir, scale, repeats)`, remove the folder (unless --keep); then `report_all`, whose
    judged figures ``--json PATH`` writes. Exit 1 when a measured run failed (``failures`` of a result;
    a failing dbt build raises at once)."""
    parser = argparse.ArgumentParser(prog=f"python -m benchmarks.{name}", description=description)
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 3.0])
    parser.add_argument(
        "--repeats",
        type=int,
        nargs="+",
        default=[3, 1],
        help="timed runs per scale, one value per scale, the last one for the remaining scales (default: 3 1)",
    )
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--data-root", type=Path, default=None, help="folder for the per-scale data (default: temp)")
    parser.add_argument("--keep", action="store_true", help="keep the data folders")
    parser.add_argument(
        "--reuse", type=Path, default=None, help="copy the demo data of this DATA_DIR instead of generating (one scale)"
    )
    parser.add_argument("--json", type=Path, default=None, metavar="PATH", help="write the judged figures here")
    args = parser.parse_args(argv)
    if args.reuse is not None and len(args.scales) != 1:
        parser.error("--reuse takes one scale")
    if args.reuse is not None and not (args.reuse / "sources" / "shop.sqlite").is_file():
        parser.error(f"--reuse {args.reuse}: no demo data there (sources/shop.sqlite missing)")
    if min(args.repeats) < 1:
        parser.error("--repeats must be at least 1")
    reuse = args.reuse.resolve() if args.reuse else None
    root = args.data_root.resolve() if args.data_root else Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
    root.mkdir(parents=True, exist_ok=True)
    os.chdir(REPO_ROOT)
    scrubbed = sorted(var for var in os.environ if var.startswith(SCRUBBED_ENV_PREFIXES))
    for var in scrubbed:
        del os.environ[var]
    os.environ["DEMO_ADPLATFORM_PORT"] = str(free_port())
    print(
        f"{name} benchmark: SCALE {', '.join(f'{s:g}' for s in args.scales)}, {args.days} days, data under {root}, "
        f"{os.cpu_count()} CPUs, {sys.platform}" + (f"; ignoring {', '.join(scrubbed)}" if scrubbed else ""),
        flush=True,
    )
    results: list[ScaleResultT] = []
    started = time.perf_counter()
    try:
        for index, scale in enumerate(args.scales):
            data_dir = root / f"scale-{scale:g}"
            if data_dir.exists():
                parser.error(f"{data_dir} already exists: remove it or pick another --data-root")
            try:
                actual = prepare_data(data_dir, scale, args.days, reuse)
                results.append(bench_scale(data_dir, actual, repeats_for(args.repeats, index)))
            finally:
                if not args.keep:
                    shutil.rmtree(data_dir, ignore_errors=True)
    finally:
        if args.keep:
            print(f"data kept under {root}", flush=True)
        elif args.data_root is None:
            shutil.rmtree(root, ignore_errors=True)
    records = report_all(results) if results else []
    print(f"\nbenchmark took {(time.perf_counter() - started) / 60:.1f} min")
    write_records(args.json, records)
    failed = [failure for result in results for failure in getattr(result, "failures", [])]
    return 1 if failed else 0


def report_scales(results: list[ScaleResult]) -> list[Record]:
    """Each scale's report, ratios against the first scale; all their judged figures."""
    return [record for result in results for record in report(result, results[0])]


def main(argv: list[str] | None = None) -> int:
    return run_scales("ingest", __doc__.splitlines()[0], argv, bench_scale, report_scales)


if __name__ == "__main__":
    raise SystemExit(main())
