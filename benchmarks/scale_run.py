"""`make run` at a large scale on one machine: each phase's time and peak memory, and their growth.

    python -m benchmarks.scale_run --scales 1 10 [--days 90] [--data-root DIR] [--keep] [--json PATH]

Per scale, in its own data folder, the phases of ``make run`` one after the other, each as the make
target users run (``make <phase> DATA_DIR=<folder> SCALE=<scale>``, with ``DEMO_CHECKS=1`` like
``make run``):

1. ``demo-data``: generate the demo shop's source systems;
2. ``ingest``: every source into the warehouse with dlt;
3. ``build``: ``dbt build`` (every model, snapshot, seed and test, the demo's own checks too), save the
   manifest, publish;
4. ``docs-generate``: the dbt docs site with its catalog.

A failing phase (a failing dbt test included) fails the benchmark at once: a run is only reported
when everything passed.

Judged (issue "Performance", SCALE=10 on one laptop): at every scale but the smallest, each phase's
and the whole run's time over the smallest scale's (whatever order the scales ran in), target at
most the data ratio plus 5 % (10.5x for SCALE=10 over SCALE=1); at every scale, each phase's peak
RSS (the whole process tree of the make target, DuckDB inside it) at most 4 GiB. The table also
shows the rows the run produced (events in ``marts.fct_events``, rows in the OLTP source database)
so the scale is visible.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from demo.paths import SourcePaths

from ._measure import Measurement, Record, measure, verdict, write_records
from .build import count
from .ingest import progress

REPO_ROOT = Path(__file__).resolve().parents[1]
PHASES = ("demo-data", "ingest", "build", "docs-generate")
GROWTH_TOLERANCE = 1.05
"""A phase's time at a larger scale / the first scale's, at most the data ratio times this."""
PEAK_RSS_TARGET_MB = 4096.0


@dataclass
class ScaleRun:
    """The phases of one `make run` at one scale."""

    scale: float
    phases: dict[str, Measurement] = field(default_factory=dict)
    events: int = 0
    database_rows: int = 0

    @property
    def seconds(self) -> float:
        return sum(m.seconds for m in self.phases.values())

    @property
    def peak_rss_mb(self) -> float:
        return max(m.peak_rss_mb for m in self.phases.values())


def database_rows(data_dir: Path) -> int:
    """Rows in every table of the demo's OLTP database (SQLite, the embedded default)."""
    path = SourcePaths(data_dir).oltp_sqlite
    if not path.is_file():
        return 0
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as con:
        tables = [r[0] for r in con.execute("select name from sqlite_master where type = 'table'")]
        return sum(con.execute(f'select count(*) from "{t}"').fetchone()[0] for t in tables)


def run_scale(data_dir: Path, scale: float, days: int) -> ScaleRun:
    """Every phase of `make run` at this scale in data_dir, measured one by one."""
    result = ScaleRun(scale)
    for phase in PHASES:
        cmd = ["make", "--no-print-directory", "-C", str(REPO_ROOT), phase]
        cmd += [f"DATA_DIR={data_dir}", f"SCALE={scale:g}", f"DAYS={days}", "DEMO_CHECKS=1"]
        result.phases[phase] = measure(cmd)
        m = result.phases[phase]
        progress(
            f"[SCALE={scale:g}] make {phase}: {m.seconds:.1f} s, peak {m.peak_rss_mb:,.0f} MB "
            f"(largest process {m.largest_process_mb:,.0f} MB: {m.largest_process})"
        )
    result.events = count(data_dir, "select count(*) from marts.fct_events")
    result.database_rows = database_rows(data_dir)
    progress(f"[SCALE={scale:g}] {result.events:,} events in fct_events, {result.database_rows:,} OLTP database rows")
    return result


def report(results: list[ScaleRun]) -> list[Record]:
    """The table of phases per scale, growth over the first scale, peak memory; the judged figures."""
    records: list[Record] = []

    def judged(scale: float, metric: str, value: float, unit: str, target: float) -> str:
        records.append(Record("scale_run", scale, metric, value, unit, target))
        return verdict(value, target)

    results = sorted(results, key=lambda result: result.scale)
    base = results[0]
    print()
    print("make run by phase (wall clock of the make target; peak RSS of its process tree)")
    header = f"{'scale':>6}{'phase':>15}{'seconds':>10}{'growth':>9}{'target':>9}  {'result':<7}{'peak MB':>9}  ≤ 4 GiB"
    print(header)
    print("-" * len(header))
    for result in results:
        linear = result.scale / base.scale
        rows = [*result.phases.items(), ("whole run", Measurement(result.seconds, result.peak_rss_mb))]
        for phase, m in rows:
            name = phase.replace("-", "_").replace(" ", "_")
            growth_cells = f"{'':>9}{'':>9}  {'':<7}"
            if result is not base:
                growth = m.seconds / (base.phases[phase].seconds if phase in base.phases else base.seconds)
                target = linear * GROWTH_TOLERANCE
                verdict_ = judged(result.scale, f"{name}_seconds_vs_scale_{base.scale:g}", growth, "ratio", target)
                growth_cells = f"{growth:>9.2f}{'≤ ' + format(target, '.1f'):>9}  {verdict_:<7}"
            rss = judged(result.scale, f"{name}_peak_rss", m.peak_rss_mb, "MB", PEAK_RSS_TARGET_MB)
            print(f"{result.scale:>6g}{phase:>15}{m.seconds:>10.1f}{growth_cells}{m.peak_rss_mb:>9,.0f}  {rss}")
        print(f"{'':>6}{'':>15}  {result.events:,} events in fct_events, {result.database_rows:,} OLTP database rows")
        for phase, m in result.phases.items():
            print(f"{'':>6}{phase:>15}  largest process {m.largest_process_mb:,.0f} MB: {m.largest_process}")
    return records


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale_run", description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 10.0])
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--data-root", type=Path, default=None, help="folder for the per-scale data (default: temp)")
    parser.add_argument("--keep", action="store_true", help="keep the data folders")
    parser.add_argument("--json", type=Path, default=None, help="also write the judged figures here")
    args = parser.parse_args(argv)
    root = args.data_root or Path(tempfile.mkdtemp(prefix="bench-scale-run-"))
    results = []
    for scale in args.scales:
        data_dir = (root / f"scale-{scale:g}").resolve()
        shutil.rmtree(data_dir, ignore_errors=True)
        data_dir.mkdir(parents=True)
        try:
            results.append(run_scale(data_dir, scale, args.days))
        finally:
            if not args.keep:
                shutil.rmtree(data_dir, ignore_errors=True)
    if args.data_root is None and not args.keep:
        shutil.rmtree(root, ignore_errors=True)
    write_records(args.json, report(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
