"""Detection quality of the monitoring layer, measured against injected drift with known truth.

    python -m tools.monitoring_quality [--seeds 1,2,3] [--kinds all] [--scale 0.03] [--days 30]
                                       [--drift-days 2] [--work DIR] [--json PATH]

For each seed: generate `--days` days of demo data, ingest and build once (the base); then for each
drift kind, and once without drift (stationary), a copy of the base is advanced `--drift-days` days
(`python -m demo advance --drift <kind>`), ingested and built (`dbt build --select +tag:monitoring`
without tests: a drift may break data tests, which would skip the monitoring models), and the
error-level checks of
monitoring.mon_checks are compared with the drift's ground truth in the demo manifest:

- caught: an error on one of the drift's `detect_on` (table, column) within 1 day of its start
  (the start day or the next);
- missed: not caught;
- false alarm: an error on a (table, column) the drift does not affect (its `affected` list), on a
  day from its start on; in a stationary run, every error on any judged day.

Prints one row per kind (runs, injected, caught, missed, false alarms) and a total; `--json PATH`
writes the table and every run's details. Exit 1 when a drift was missed or a false alarm raised.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
KINDS = ("channel_mix", "price", "volume_drop", "null_spike", "schema_change")
STATIONARY = "stationary"


@dataclass
class RunResult:
    seed: int
    kind: str
    start_date: str | None
    caught: bool | None  # None for a stationary run
    caught_by: list[list[str]] = field(default_factory=list)  # [check_date, table, column, measure]
    false_alarms: list[list[str]] = field(default_factory=list)
    seconds: float = 0.0


def _run(command: list[str], env: dict[str, str], log: Path) -> None:
    with open(log, "a", encoding="utf-8") as out:
        out.write(f"$ {' '.join(command)}\n")
        out.flush()
        done = subprocess.run(command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:4])} ... failed (exit {done.returncode}); see {log}")


def _env(data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(DATA_DIR=str(data_dir), DBT_USE_COLORS="false")
    env.pop("DRIFT", None)
    return env


def _ingest_and_build(data_dir: Path, log: Path) -> None:
    env = _env(data_dir)
    _run([str(BIN / "python"), "-m", "demo", "with", "--", str(BIN / "python"), "-m", "ingestion"], env, log)
    # the monitoring models and everything they read (seeds, snapshots, models), no tests: a drift may
    # fail data tests, and a failed test skips the models after it in `dbt build`
    _run(
        [
            str(BIN / "dbt"),
            "build",
            "--select",
            "+tag:monitoring",
            "--exclude",
            "resource_type:test",
            "resource_type:unit_test",
            "--project-dir",
            str(REPO),
            "--profiles-dir",
            str(REPO),
            "--target-path",
            str(data_dir / "target"),
            "--log-path",
            str(data_dir / "logs"),
            "--quiet",
        ],
        env,
        log,
    )


def _errors(warehouse: Path) -> list[tuple[str, str, str, str]]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            "select cast(check_date as varchar), table_name, column_name, measure from monitoring.mon_checks "
            "where check_status = 'error' order by 1, 2, 3, 4"
        ).fetchall()
    finally:
        con.close()
    return [tuple(row) for row in rows]


def judge(seed: int, kind: str, manifest: dict, errors: list[tuple[str, str, str, str]]) -> RunResult:
    """Compare the error-level checks of a run with the drift recorded in its manifest."""
    if kind == STATIONARY:
        return RunResult(seed, kind, None, None, false_alarms=[list(e) for e in errors])
    [drift] = [d for d in manifest.get("drift", []) if d["kind"] == kind]
    start = dt.date.fromisoformat(drift["start_date"])
    window = {start.isoformat(), (start + dt.timedelta(days=1)).isoformat()}
    detect_on = {tuple(x) for x in drift["detect_on"]}
    affected = {tuple(x) for x in drift["affected"]} | detect_on
    caught_by = [list(e) for e in errors if e[0] in window and (e[1], e[2]) in detect_on]
    false_alarms = [list(e) for e in errors if e[0] >= start.isoformat() and (e[1], e[2]) not in affected]
    return RunResult(seed, kind, drift["start_date"], bool(caught_by), caught_by, false_alarms)


def run_seed(
    seed: int, kinds: list[str], scale: float, days: int, drift_days: int, work: Path, keep: bool = False
) -> list[RunResult]:
    base = work / f"seed-{seed}" / "base"
    if base.exists():
        shutil.rmtree(base)
    base.mkdir(parents=True)
    log = base / "run.log"
    started = time.perf_counter()
    _run(
        [str(BIN / "python"), "-m", "demo", "generate", "--scale", str(scale), "--days", str(days), "--seed", str(seed)]
        + ["--quiet"],
        _env(base),
        log,
    )
    _ingest_and_build(base, log)
    print(f"  seed {seed}: base ({days} days at SCALE={scale}) in {time.perf_counter() - started:.0f}s", flush=True)
    results = []
    for kind in kinds:
        started = time.perf_counter()
        run_dir = work / f"seed-{seed}" / kind
        if run_dir.exists():
            shutil.rmtree(run_dir)
        shutil.copytree(base, run_dir, symlinks=True, ignore=shutil.ignore_patterns("target", "logs", "run.log"))
        log = run_dir / "run.log"
        drift = [] if kind == STATIONARY else ["--drift", kind]
        _run(
            [str(BIN / "python"), "-m", "demo", "advance", "--days", str(drift_days), "--quiet", *drift],
            _env(run_dir),
            log,
        )
        _ingest_and_build(run_dir, log)
        manifest = json.loads((run_dir / "manifest.json").read_text())
        result = judge(seed, kind, manifest, _errors(run_dir / "warehouse.duckdb"))
        result.seconds = round(time.perf_counter() - started, 1)
        verdict = "stationary" if result.caught is None else ("caught" if result.caught else "MISSED")
        print(
            f"  seed {seed}: {kind:<13} {verdict:<10} false alarms {len(result.false_alarms)}  ({result.seconds:.0f}s)",
            flush=True,
        )
        for alarm in result.false_alarms:
            print(f"    false alarm: {' '.join(alarm)}", flush=True)
        results.append(result)
        if not keep:
            shutil.rmtree(run_dir)  # keep the disk small; the verdict and the checks are in the result
    return results


def summarize(results: list[RunResult]) -> list[dict]:
    """One row per kind and a total: runs, injected, caught, missed, false alarms."""
    rows = []
    for kind in [*KINDS, STATIONARY]:
        mine = [r for r in results if r.kind == kind]
        if not mine:
            continue
        injected = sum(r.caught is not None for r in mine)
        caught = sum(bool(r.caught) for r in mine)
        rows.append(
            {
                "kind": kind,
                "runs": len(mine),
                "injected": injected,
                "caught": caught,
                "missed": injected - caught,
                "false_alarms": sum(len(r.false_alarms) for r in mine),
            }
        )
    total = {k: sum(row[k] for row in rows) for k in ("runs", "injected", "caught", "missed", "false_alarms")}
    rows.append({"kind": "total", **total})
    return rows


def format_table(rows: list[dict]) -> str:
    header = ("kind", "runs", "injected", "caught", "missed", "false alarms")
    body = [
        (r["kind"], str(r["runs"]), str(r["injected"]), str(r["caught"]), str(r["missed"]), str(r["false_alarms"]))
        for r in rows
    ]
    widths = [max(len(x[i]) for x in [header, *body]) for i in range(len(header))]
    return "\n".join("  ".join(v.ljust(widths[i]) for i, v in enumerate(line)) for line in [header, *body])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.monitoring_quality", description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="1,2,3", help="comma-separated seeds (default 1,2,3)")
    parser.add_argument("--kinds", default="all", help=f"comma-separated drift kinds (default all: {', '.join(KINDS)})")
    parser.add_argument("--no-stationary", action="store_true", help="skip the run without drift per seed")
    parser.add_argument("--scale", type=float, default=0.03)
    parser.add_argument("--days", type=int, default=30, help="history before the drift (at least the reference window)")
    parser.add_argument("--drift-days", type=int, default=2, help="days advanced with the drift (default 2)")
    parser.add_argument("--work", type=Path, default=None, help="working folder (default: a temporary one)")
    parser.add_argument("--json", type=Path, default=None, help="also write the table and every run as JSON")
    parser.add_argument("--keep", action="store_true", help="keep every run's data folder (in --work)")
    args = parser.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    kinds = list(KINDS) if args.kinds == "all" else [k.strip() for k in args.kinds.split(",") if k.strip()]
    unknown = set(kinds) - set(KINDS)
    if unknown:
        parser.error(f"unknown drift kind(s) {', '.join(sorted(unknown))}: one of {', '.join(KINDS)}")
    if not args.no_stationary:
        kinds.append(STATIONARY)
    started = time.perf_counter()
    work = args.work or Path(tempfile.mkdtemp(prefix="monitoring-quality-"))
    print(
        f"detection quality: seeds {seeds}, kinds {kinds}, SCALE={args.scale}, {args.days} days + "
        f"{args.drift_days} drift days, in {work}",
        flush=True,
    )
    results: list[RunResult] = []
    try:
        for seed in seeds:
            results.extend(run_seed(seed, kinds, args.scale, args.days, args.drift_days, work, args.keep))
            if not args.keep:
                shutil.rmtree(work / f"seed-{seed}", ignore_errors=True)
    finally:
        if args.work is None and not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    rows = summarize(results)
    seconds = time.perf_counter() - started
    print()
    print(format_table(rows))
    print(f"{len(results)} runs in {seconds / 60:.1f} min")
    for r in results:
        for alarm in r.false_alarms:
            print(f"  false alarm: seed {r.seed} {r.kind}: {' '.join(alarm)}")
        if r.caught is False:
            print(f"  missed: seed {r.seed} {r.kind} (start {r.start_date})")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "seeds": seeds,
            "scale": args.scale,
            "days": args.days,
            "drift_days": args.drift_days,
            "seconds": round(seconds, 1),
            "table": rows,
            "runs": [asdict(r) for r in results],
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n")
    total = rows[-1]
    return 1 if total["missed"] or total["false_alarms"] else 0


if __name__ == "__main__":
    sys.exit(main())
