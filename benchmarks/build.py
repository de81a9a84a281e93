"""dbt build benchmark: full build at several scales, and the incremental build after one new day.

    python -m benchmarks.build --scales 1 3 [--repeats 3 1] [--days 90] [--data-root DIR] [--keep] [--json PATH]
    python -m benchmarks.build --scales 1 --repeats 1 --reuse DIR   # copy already generated demo data

Per scale, in its own data folder: generate the demo data, ingest everything
(``demo api with -- python -m ingestion``, like ``make ingest``), then

1. Full: ``dbt build`` on the freshly ingested warehouse as ``make build`` runs it (every model,
   snapshot, seed and data test; not the unit tests, ``PRODUCTION_BUILD``; the incremental facts
   built from scratch). Each repeat starts again from a copy of the warehouse as
   ingested.
2. Incremental: ``demo advance --days 1``, ingest the new day, and ``dbt build`` again (the
   incremental facts rebuild only their lookback window, views and tables as usual, every data test).
   Each repeat starts again from a copy of the fully built warehouse with the new day ingested.
   Target: incremental / full ≤ 15 %.
3. Full build at SCALE=1: target ≤ 45 s and peak RSS ≤ 2 GiB. Scaling: a larger scale's full build /
   the first scale's, target linear plus 20 % (SCALE=3 / SCALE=1 ≤ 3.6); its peak RSS ≤ 1.3x.
4. dbt's own floor: the same ``dbt build`` with ``--empty`` (every source and ref read as zero rows,
   so each node's SQL does next to nothing) on the built warehouse, last (it empties the tables):
   what dbt itself costs for this DAG (start, parse state, per-node compile, metadata queries,
   artifacts), the least any incremental build of these nodes can take. No target; it is printed
   beside the incremental build to show how much of that is data work.
5. Monitoring: the share of the full build's node time spent in the monitoring models and their
   tests (tag ``monitoring``, from ``run_results.json``), target ≤ 15 %; and its growth with the
   days monitored: the monitoring models' node time with ``monitor_check_days`` 7, 14 and 28 (each
   judged day is compared with its own reference window), target: 28 days / 7 days ≤ 4 x 1.2
   (linear plus 20 %).

``--json PATH`` also writes every figure as a record ``{benchmark, scale, metric, value, unit,
target, pass}`` (``target`` and ``pass`` null for figures without a target).

Times are the wall clock of the ``dbt`` subprocess; ``dbt parse`` runs once before the timed runs, so
every timed run uses the same partial-parse state. Peak RSS is that of the dbt process tree (DuckDB
runs inside it). The slowest nodes of the last incremental run (from ``run_results.json``) show
where the time goes. Figures are medians over ``--repeats`` runs (one value per scale; the last
applies to the remaining scales). Targets are reported as PASS/MISS, never asserted; ``--json PATH``
writes each judged figure as a record {benchmark, scale, metric, value, unit, target, pass}. A failing
``dbt build`` fails the benchmark. Each scale's
folder under ``--data-root`` (default: a temporary folder) is removed afterwards unless ``--keep``.
"""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ._measure import Measurement, Record, measure, median, verdict
from .ingest import progress, run_scales

REPO_ROOT = Path(__file__).resolve().parents[1]
"""dbt runs here (dbt_project.yml, profiles.yml)."""

DBT = str(Path(sys.executable).with_name("dbt"))
FULL_TARGET_SECONDS = 45.0
"""The full build at SCALE=1 (judged at that scale only)."""
INCREMENTAL_TARGET = 0.15
MONITORING_TARGET = 0.15
LINEAR_TOLERANCE = 1.20
PEAK_RSS_TARGET_MB = 2048.0
"""Peak RSS of the full build at SCALE=1 (judged at that scale only)."""
PEAK_RSS_GROWTH_TARGET = 1.30
"""Peak RSS at a larger scale / at the first scale."""
SLOWEST_NODES = 8
MONITORED_DAYS = (7, 14, 28)


@dataclass
class ScaleResult:
    """Everything measured at one scale."""

    scale: float
    repeats: int
    full: list[Measurement] = field(default_factory=list)
    incremental: list[Measurement] = field(default_factory=list)
    nodes: int = 0
    events: int = 0
    new_events: int = 0
    slowest: list[tuple[str, float]] = field(default_factory=list)
    monitoring_seconds: float = 0.0
    node_seconds: float = 0.0
    monitoring_by_days: dict[int, float] = field(default_factory=dict)
    empty: list[Measurement] = field(default_factory=list)

    @property
    def full_seconds(self) -> float:
        """Median wall clock of the full builds."""
        return median([m.seconds for m in self.full])

    @property
    def full_peak_mb(self) -> float:
        """Highest peak RSS of the full builds."""
        return max(m.peak_rss_mb for m in self.full)

    @property
    def incremental_seconds(self) -> float:
        """Median wall clock of the incremental builds."""
        return median([m.seconds for m in self.incremental])

    @property
    def empty_seconds(self) -> float:
        """Median wall clock of the builds on empty inputs (dbt's floor)."""
        return median([m.seconds for m in self.empty])


PRODUCTION_BUILD = ("build", "--exclude-resource-type", "unit_test")
"""`dbt build` as `make build` runs it: dbt's unit tests test the SQL on fixed inputs, not the day's data,
and run in `make test`, `make slim-ci` and `make unit-test` instead (UNIT_TESTS in the Makefile)."""


def dbt_cmd(data_dir: Path, *args: str) -> list[str]:
    """A dbt command on this data folder's warehouse, with its own target and log folders."""
    return [
        DBT,
        *args,
        "--project-dir",
        str(REPO_ROOT),
        "--profiles-dir",
        str(REPO_ROOT),
        "--target-path",
        str(data_dir / "dbt-target"),
        "--log-path",
        str(data_dir / "dbt-logs"),
    ]


def run_dbt(data_dir: Path, *args: str) -> Measurement:
    """Run dbt (DATA_DIR set to data_dir) and measure wall clock and peak RSS of its process tree."""
    return measure(dbt_cmd(data_dir, *args), env={"DATA_DIR": str(data_dir)})


def ingest(data_dir: Path) -> float:
    """All sources, through the demo ad API, like ``make ingest``; returns the wall clock."""
    ingestion = [sys.executable, "-m", "ingestion", "--data-dir", str(data_dir)]
    cmd = [sys.executable, "-m", "demo", "--data-dir", str(data_dir), "api", "with", "--", *ingestion]
    return measure(cmd).seconds


def save_warehouse(data_dir: Path, name: str) -> Path:
    """Copy the warehouse file aside (the dlt state does not change between the timed builds)."""
    saved = data_dir / name
    shutil.copy2(data_dir / "warehouse.duckdb", saved)
    return saved


def restore_warehouse(data_dir: Path, saved: Path) -> None:
    """Put a saved warehouse file back."""
    (data_dir / "warehouse.duckdb.wal").unlink(missing_ok=True)
    shutil.copy2(saved, data_dir / "warehouse.duckdb")


def count(data_dir: Path, sql: str) -> int:
    """One number from the warehouse."""
    import duckdb

    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        return int(con.execute(sql).fetchall()[0][0])


def run_results(data_dir: Path) -> tuple[int, list[tuple[str, float]]]:
    """Nodes of the last dbt run, and its slowest ones (name, seconds)."""
    results = json.loads((data_dir / "dbt-target" / "run_results.json").read_text())["results"]
    timed = sorted(((r["unique_id"], float(r["execution_time"])) for r in results), key=lambda x: -x[1])
    return len(results), [(uid.split(".", 2)[-1], seconds) for uid, seconds in timed[:SLOWEST_NODES]]


def monitoring_time(data_dir: Path) -> tuple[float, float]:
    """Node seconds of the last dbt run spent on nodes tagged `monitoring`, and of every node."""
    target = data_dir / "dbt-target"
    results = json.loads((target / "run_results.json").read_text())["results"]
    nodes = json.loads((target / "manifest.json").read_text())["nodes"]
    tagged = {uid for uid, node in nodes.items() if "monitoring" in node.get("tags", [])}
    total = sum(float(r["execution_time"]) for r in results)
    return sum(float(r["execution_time"]) for r in results if r["unique_id"] in tagged), total


def bench_scale(data_dir: Path, scale: float, repeats: int) -> ScaleResult:
    """Ingest, the full builds, one more day, the incremental builds (on a prepared data folder)."""
    tag = f"[SCALE={scale:g}]"
    result = ScaleResult(scale, repeats)
    progress(f"{tag} ingest: {ingest(data_dir):.0f} s")
    parsed = run_dbt(data_dir, "parse")
    progress(f"{tag} dbt parse (untimed for the builds): {parsed.seconds:.1f} s")
    ingested = save_warehouse(data_dir, "bench-ingested.duckdb")
    for run in range(1, repeats + 1):
        if run > 1:
            restore_warehouse(data_dir, ingested)
        full = run_dbt(data_dir, *PRODUCTION_BUILD)
        result.full.append(full)
        progress(f"{tag} run {run}/{repeats} full dbt build: {full.seconds:.1f} s, peak {full.peak_rss_mb:,.0f} MB")
    ingested.unlink()
    result.monitoring_seconds, result.node_seconds = monitoring_time(data_dir)
    for days in MONITORED_DAYS:
        run_dbt(data_dir, "run", "--select", "tag:monitoring", "--vars", f"{{monitor_check_days: {days}}}")
        result.monitoring_by_days[days] = monitoring_time(data_dir)[0]
        progress(f"{tag} monitoring models with {days} days judged: {result.monitoring_by_days[days]:.2f} s node time")
    run_dbt(data_dir, "run", "--select", "tag:monitoring")  # back to the project's default before the new day
    result.events = count(data_dir, "select count(*) from marts.fct_events")

    advanced = measure([sys.executable, "-m", "demo", "--data-dir", str(data_dir), "advance", "--days", "1", "--quiet"])
    progress(f"{tag} demo advance --days 1: {advanced.seconds:.1f} s; ingest: {ingest(data_dir):.0f} s")
    raw_events = count(data_dir, "select count(*) from events.events")
    new_day = save_warehouse(data_dir, "bench-new-day.duckdb")
    for run in range(1, repeats + 1):
        if run > 1:
            restore_warehouse(data_dir, new_day)
        incremental = run_dbt(data_dir, *PRODUCTION_BUILD)
        result.incremental.append(incremental)
        progress(
            f"{tag} run {run}/{repeats} incremental dbt build after one day: {incremental.seconds:.1f} s, "
            f"peak {incremental.peak_rss_mb:,.0f} MB"
        )
    new_day.unlink()
    result.nodes, result.slowest = run_results(data_dir)
    result.new_events = count(data_dir, "select count(*) from marts.fct_events") - result.events
    progress(f"{tag} {raw_events:,} raw event lines after the new day, {result.new_events:,} new events in fct_events")
    for run in range(1, repeats + 1):
        empty = run_dbt(data_dir, *PRODUCTION_BUILD, "--empty")
        result.empty.append(empty)
        progress(f"{tag} run {run}/{repeats} dbt build --empty (dbt's floor): {empty.seconds:.1f} s")
    return result


def report(results: list[ScaleResult]) -> list[Record]:
    """The table of figures, the scaling ratio, and where the incremental build spends its time; the judged
    figures as records (``--json``)."""
    records: list[Record] = []

    def judged(scale: float, metric: str, value: float, unit: str, target: float) -> str:
        records.append(Record("build", scale, metric, value, unit, target))
        return verdict(value, target)

    print()
    print(
        "dbt build (wall clock of the dbt process, medians; peak RSS of its process tree). full: every node on "
        "a freshly ingested warehouse; incremental: after `demo advance --days 1` and an ingest"
    )
    header = (
        f"{'scale':>6}{'events':>12}{'runs':>6}{'full s':>9}{'incr. s':>9}{'incr./full':>12}{'target':>8}  "
        f"{'result':<7}{'full peak MB':>13}{'incr. peak MB':>14}"
    )
    print(header)
    print("-" * len(header))
    for result in results:
        ratio = result.incremental_seconds / result.full_seconds
        print(
            f"{result.scale:>6g}{result.events:>12,}{result.repeats:>6}{result.full_seconds:>9.1f}"
            f"{result.incremental_seconds:>9.1f}{ratio:>12.3f}{'≤ ' + format(INCREMENTAL_TARGET, '.2f'):>8}  "
            f"{judged(result.scale, 'incremental_vs_full', ratio, 'ratio', INCREMENTAL_TARGET):<7}"
            f"{result.full_peak_mb:>13,.0f}{max(m.peak_rss_mb for m in result.incremental):>14,.0f}"
        )
    for result in results:
        if result.scale == 1:
            print(
                f"full build at SCALE=1: {result.full_seconds:.1f} s, target ≤ {FULL_TARGET_SECONDS:.0f} s: "
                f"{judged(1, 'full_seconds', result.full_seconds, 's', FULL_TARGET_SECONDS)}; peak RSS "
                f"{result.full_peak_mb:,.0f} MB, target ≤ {PEAK_RSS_TARGET_MB:,.0f} MB: "
                f"{judged(1, 'full_peak_rss', result.full_peak_mb, 'MB', PEAK_RSS_TARGET_MB)}"
            )
    base = results[0]
    for result in results[1:]:
        growth = result.full_seconds / base.full_seconds
        linear = result.scale / base.scale
        target = linear * LINEAR_TOLERANCE
        rss_growth = result.full_peak_mb / base.full_peak_mb
        rss_metric = f"full_peak_rss_vs_scale_{base.scale:g}"
        print(
            f"full build SCALE={result.scale:g} / SCALE={base.scale:g}: {growth:.2f} (data {linear:.1f}x; "
            f"target ≤ {target:.2f}, linear + {LINEAR_TOLERANCE - 1:.0%}): "
            f"{judged(result.scale, f'full_seconds_vs_scale_{base.scale:g}', growth, 'ratio', target)}; peak RSS "
            f"{rss_growth:.2f}x, target ≤ {PEAK_RSS_GROWTH_TARGET:.2f}: "
            f"{judged(result.scale, rss_metric, rss_growth, 'ratio', PEAK_RSS_GROWTH_TARGET)}"
        )
    for result in results:
        records.append(Record("build", result.scale, "full_build_seconds", result.full_seconds, "s"))
        records.append(Record("build", result.scale, "incremental_build_seconds", result.incremental_seconds, "s"))
    for result in results:
        floor = result.empty_seconds
        print(
            f"dbt's floor at SCALE={result.scale:g} (the same build on empty inputs, --empty): {floor:.1f} s "
            f"= {floor / result.full_seconds:.3f} of the full build; of the incremental build's "
            f"{result.incremental_seconds:.1f} s, {max(result.incremental_seconds - floor, 0.0):.1f} s are data work"
        )
        records.append(Record("build", result.scale, "empty_build_seconds", floor, "s"))
        records.append(Record("build", result.scale, "empty_vs_full", floor / result.full_seconds, "ratio"))
    for result in results:
        share = result.monitoring_seconds / result.node_seconds if result.node_seconds else 0.0
        print(
            f"monitoring (tag:monitoring) at SCALE={result.scale:g}: {result.monitoring_seconds:.1f} s of "
            f"{result.node_seconds:.1f} s node time in the full build = {share:.1%} "
            f"(target ≤ {MONITORING_TARGET:.0%}): "
            f"{judged(result.scale, 'monitoring_share', share, 'ratio', MONITORING_TARGET)}"
        )
        records.append(Record("build", result.scale, "monitoring_seconds", result.monitoring_seconds, "s"))
        if result.monitoring_by_days:
            by_days = result.monitoring_by_days
            first, last = min(by_days), max(by_days)
            growth = by_days[last] / by_days[first] if by_days[first] else 0.0
            target = last / first * LINEAR_TOLERANCE
            print(
                f"monitoring models by days judged at SCALE={result.scale:g}: "
                + ", ".join(f"{d} days {t:.2f} s" for d, t in sorted(by_days.items()))
                + f"; {last} / {first} days: {growth:.2f} (linear {last / first:.1f}; target ≤ {target:.2f}): "
                f"{judged(result.scale, f'monitoring_growth_{last}_over_{first}_days', growth, 'ratio', target)}"
            )
            for days, seconds in sorted(by_days.items()):
                records.append(Record("build", result.scale, f"monitoring_seconds_{days}_days_judged", seconds, "s"))
    for result in results:
        print(f"\nslowest nodes of the incremental build at SCALE={result.scale:g} ({result.nodes} nodes):")
        for name, seconds in result.slowest:
            print(f"  {seconds:7.2f} s  {name}")
    return records


def main(argv: list[str] | None = None) -> int:
    return run_scales("build", __doc__.splitlines()[0], argv, bench_scale, report)


if __name__ == "__main__":
    raise SystemExit(main())
