"""Two versions of the dbt project built side by side on the same raw data: did a change make the build faster?

    python -m benchmarks.compare_builds --base 53ebefc [--head REV] [--scale 1] [--days 90] [--rounds 2]
        [--data-root DIR] [--reuse DATA_DIR] [--json PATH]

The demo data is generated (or copied from ``--reuse``) and ingested once, then one more day is
added and ingested; both raw warehouses are kept. Each round builds every version in turn (base, then
head, alternating, so that a noisy machine slows both alike): a full ``dbt build`` (as ``make build``
runs it, without the unit tests: ``benchmarks.build.PRODUCTION_BUILD``) on a copy of the
first raw warehouse, then the raw tables are replaced by those with the new day and ``dbt build``
runs again (the incremental build). Versions are git revisions checked out as worktrees (``--head``
defaults to this working tree, uncommitted changes included); dbt is this environment's.

Printed: per version the median wall clock of the full and the incremental build, their ratio, the
peak RSS of the dbt process tree, and the median node time of the slowest models and of all tests.
A failing ``dbt build`` fails the comparison. ``--json PATH`` writes the figures as records
``{benchmark, scale, metric, value, unit, target, pass}`` (no targets: a comparison judges nothing).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ._measure import Measurement, measure
from .build import DBT, PRODUCTION_BUILD, ingest
from .ingest import prepare_data, progress

REPO_ROOT = Path(__file__).resolve().parents[1]
SLOWEST_MODELS = 8


@dataclass
class Version:
    name: str
    project_dir: Path
    full: list[Measurement] = field(default_factory=list)
    incremental: list[Measurement] = field(default_factory=list)
    node_seconds: dict[str, dict[str, list[float]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )
    """phase -> node (or 'all tests', summed per build) -> seconds of each round"""


def checkout(rev: str, where: Path) -> Path:
    """A detached worktree of rev (removed by remove_checkout)."""
    subprocess.run(["git", "-C", str(REPO_ROOT), "worktree", "add", "--detach", "--quiet", str(where), rev], check=True)
    return where


def remove_checkout(where: Path) -> None:
    subprocess.run(["git", "-C", str(REPO_ROOT), "worktree", "remove", "--force", str(where)], check=False)


def replace_raw_tables(warehouse: Path, newer: Path) -> None:
    """Every table of the raw warehouse `newer` (dlt's schemas: nothing dbt built) replaces its copy in `warehouse`."""
    import duckdb

    with duckdb.connect(str(warehouse)) as con:
        con.execute(f"attach '{newer}' as newer (read_only)")
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = 'newer' and table_type = 'BASE TABLE'"
        ).fetchall()
        for schema, table in tables:
            con.execute(f'create schema if not exists "{schema}"')
            con.execute(f'create or replace table "{schema}"."{table}" as select * from newer."{schema}"."{table}"')


def build(version: Version, run_dir: Path, phase: str) -> Measurement:
    """``dbt build`` of this version's project on run_dir's warehouse; node times kept per phase."""
    target = run_dir / f"target-{version.name}"
    cmd = [
        DBT,
        *PRODUCTION_BUILD,
        "--project-dir",
        str(version.project_dir),
        "--profiles-dir",
        str(version.project_dir),
    ]
    cmd += ["--target-path", str(target), "--log-path", str(run_dir / "logs")]
    result = measure(cmd, env={"DATA_DIR": str(run_dir)})
    seconds: dict[str, float] = defaultdict(float)
    for node in json.loads((target / "run_results.json").read_text())["results"]:
        uid = node["unique_id"]
        key = "all tests" if uid.startswith(("test.", "unit_test.")) else uid.split(".", 2)[-1]
        seconds[key] += float(node["execution_time"])
    for key, value in seconds.items():
        version.node_seconds[phase][key].append(value)
    return result


def medians(samples: dict[str, list[float]]) -> dict[str, float]:
    """Each node's median over the rounds."""
    return {key: statistics.median(values) for key, values in samples.items()}


def report(versions: list[Version], scale: float, rounds: int) -> list[dict[str, object]]:
    records: list[dict[str, object]] = []

    def rec(metric: str, value: float, unit: str) -> None:
        records.append(
            {"benchmark": "compare_builds", "scale": scale, "metric": metric, "value": round(value, 4), "unit": unit}
            | {"target": None, "pass": None}
        )

    print(f"\ndbt build, SCALE {scale:g}, median of {rounds} round(s), versions alternating")
    print(f"{'version':<10} {'full s':>8} {'incr. s':>8} {'incr./full':>11} {'full peak MB':>13} {'incr. peak MB':>14}")
    for v in versions:
        full = statistics.median(m.seconds for m in v.full)
        incr = statistics.median(m.seconds for m in v.incremental)
        full_mb = max(m.peak_rss_mb for m in v.full)
        incr_mb = max(m.peak_rss_mb for m in v.incremental)
        print(f"{v.name:<10} {full:>8.1f} {incr:>8.1f} {incr / full:>11.3f} {full_mb:>13,.0f} {incr_mb:>14,.0f}")
        for metric, value, unit in (
            ("full_seconds", full, "s"),
            ("incremental_seconds", incr, "s"),
            ("incremental_over_full", incr / full, "ratio"),
            ("full_peak_rss_mb", full_mb, "MB"),
            ("incremental_peak_rss_mb", incr_mb, "MB"),
        ):
            rec(f"{v.name}_{metric}", value, unit)
    base, head = versions
    for phase in ("full", "incremental"):
        ratio = statistics.median(m.seconds for m in getattr(head, phase)) / statistics.median(
            m.seconds for m in getattr(base, phase)
        )
        print(f"head / base, {phase} build: {ratio:.3f}")
        rec(f"head_over_base_{phase}", ratio, "ratio")
    for phase in ("full", "incremental"):
        base_nodes = medians(base.node_seconds[phase])
        head_nodes = medians(head.node_seconds[phase])
        models = [key for key in base_nodes if key != "all tests"]
        slowest = sorted(models, key=lambda key: -max(base_nodes[key], head_nodes.get(key, 0)))
        print(f"\nnode seconds, {phase} build (median)       {base.name:>8} {head.name:>8}")
        for key in ["all tests", *slowest[:SLOWEST_MODELS]]:
            print(f"  {key:<40} {base_nodes.get(key, 0):>8.2f} {head_nodes.get(key, 0):>8.2f}")
            for v, nodes in ((base, base_nodes), (head, head_nodes)):
                rec(f"{v.name}_{phase}_node_seconds:{key}", nodes.get(key, 0.0), "s")
    return records


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", required=True, help="git revision to compare against")
    parser.add_argument("--head", help="git revision (default: this working tree as it is)")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--data-root", type=Path, help="where the data and checkouts go (default: a temporary folder)")
    parser.add_argument("--reuse", type=Path, help="a DATA_DIR with demo data to copy instead of generating")
    parser.add_argument("--json", type=Path, help="write the figures as JSON records")
    args = parser.parse_args(argv)

    root = args.data_root or Path(tempfile.mkdtemp(prefix="compare-builds-"))
    root.mkdir(parents=True, exist_ok=True)
    checkouts = [checkout(args.base, root / "base")]
    head_dir = REPO_ROOT
    if args.head:
        head_dir = checkout(args.head, root / "head")
        checkouts.append(head_dir)
    versions = [Version("base", checkouts[0]), Version("head", head_dir)]
    try:
        data_dir = root / "data"
        prepare_data(data_dir, args.scale, args.days, args.reuse)
        progress(f"ingest: {ingest(data_dir):.0f} s")
        first = root / "raw-first.duckdb"
        shutil.copy2(data_dir / "warehouse.duckdb", first)
        measure([sys.executable, "-m", "demo", "--data-dir", str(data_dir), "advance", "--days", "1", "--quiet"])
        progress(f"one more day: ingest {ingest(data_dir):.0f} s")
        newer = data_dir / "warehouse.duckdb"
        for round_number in range(1, args.rounds + 1):
            for version in versions:
                run_dir = root / f"run-{version.name}"
                shutil.rmtree(run_dir, ignore_errors=True)
                run_dir.mkdir()
                shutil.copy2(first, run_dir / "warehouse.duckdb")
                full = build(version, run_dir, "full")
                replace_raw_tables(run_dir / "warehouse.duckdb", newer)
                incremental = build(version, run_dir, "incremental")
                version.full.append(full)
                version.incremental.append(incremental)
                progress(
                    f"round {round_number}: {version.name}: full {full.seconds:.1f} s ({full.peak_rss_mb:,.0f} MB), "
                    f"incremental {incremental.seconds:.1f} s ({incremental.peak_rss_mb:,.0f} MB)"
                )
        records = report(versions, args.scale, args.rounds)
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(records, indent=2) + "\n")
            print(f"{len(records)} figures written to {args.json}")
    finally:
        for where in checkouts:
            remove_checkout(where)
        if not args.data_root:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
