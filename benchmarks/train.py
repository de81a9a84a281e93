"""`make train` benchmark: wall clock and peak RSS of one training run at SCALE=1 (targets: < 2 min, < 2 GB).

    python -m benchmarks.train [--scale 1] [--days 90] [--repeats 1] [--reuse DATA_DIR] [--json PATH]

Prepares a data folder (generate the demo, ingest like ``make ingest``, ``dbt build`` of the churn
model's snapshots and everything they need), or with ``--reuse`` copies the warehouse, manifest and
oracle of a DATA_DIR already built that way. Each timed run is ``python -m ml train`` (what ``make
train`` runs) on a fresh MLflow store: read the point-in-time snapshots, train the candidate and the
baseline, evaluate, log and register in MLflow, gate. Wall clock and peak RSS are those of its process
tree (``_measure``); figures are medians over ``--repeats``. Targets are reported as PASS/MISS, never
asserted. ``--json PATH`` writes the records ``{benchmark, scale, metric, value, unit, target, pass}``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from ._measure import measure, median
from .build import dbt_cmd
from .ingest import free_port, progress, verdict

REPO_ROOT = Path(__file__).resolve().parents[1]
SECONDS_TARGET = 120.0
RSS_TARGET_MB = 2048.0


def prepare(data_dir: Path, scale: float, days: int) -> None:
    """Demo data, ingest, and the dbt build the training set needs."""
    env = {"DATA_DIR": str(data_dir)}
    step = measure(
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
        ],
        env,
    )
    progress(f"[SCALE={scale:g}] generate: {step.seconds:.0f} s")
    ingestion = [sys.executable, "-m", "ingestion", "--data-dir", str(data_dir)]
    step = measure([sys.executable, "-m", "demo", "--data-dir", str(data_dir), "api", "with", "--", *ingestion], env)
    progress(f"[SCALE={scale:g}] ingest: {step.seconds:.0f} s")
    build = dbt_cmd(
        data_dir,
        "build",
        "--select",
        "+mrt_customer_snapshots_weekly",
        "--exclude-resource-type",
        "unit_test",
        "--indirect-selection",
        "cautious",
    )
    step = measure(build, env)
    progress(f"[SCALE={scale:g}] dbt build of the snapshots and their parents: {step.seconds:.0f} s")


def reuse(source: Path, data_dir: Path) -> None:
    """Copy what training reads from an already built DATA_DIR."""
    if not (source / "warehouse.duckdb").is_file():
        raise SystemExit(f"--reuse {source}: no warehouse.duckdb there")
    data_dir.mkdir(parents=True)
    shutil.copy2(source / "warehouse.duckdb", data_dir / "warehouse.duckdb")
    if (source / "manifest.json").is_file():
        shutil.copy2(source / "manifest.json", data_dir / "manifest.json")
    if (source / ".demo_state" / "oracle").is_dir():
        shutil.copytree(source / ".demo_state" / "oracle", data_dir / ".demo_state" / "oracle")


def records(scale: float, seconds: float, peak_mb: float, summary: dict[str, object], rows: int) -> list[dict]:
    def record(metric: str, value: float, unit: str, target: float | None) -> dict:
        passed = None if target is None else value <= target
        return {
            "benchmark": "train",
            "scale": scale,
            "metric": metric,
            "value": round(value, 3),
            "unit": unit,
            "target": target,
            "pass": passed,
        }

    metrics = summary["metrics"]
    assert isinstance(metrics, dict)
    return [
        record("train_seconds", seconds, "s", SECONDS_TARGET),
        record("train_peak_rss_mb", peak_mb, "MB", RSS_TARGET_MB),
        record("training_rows", float(rows), "rows", None),
        record("held_out_roc_auc", float(metrics["roc_auc"]), "auc", None),
        *([record("oracle_roc_auc", float(summary["oracle_auc"]), "auc", None)] if summary["oracle_auc"] else []),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.train", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--data-root", type=Path, default=None, help="folder for the data (default: temp)")
    parser.add_argument("--reuse", type=Path, default=None, help="copy the warehouse of this built DATA_DIR")
    parser.add_argument("--keep", action="store_true", help="keep the data folder")
    parser.add_argument("--json", type=Path, default=None, help="write the result records to this file")
    args = parser.parse_args(argv)
    root = args.data_root.resolve() if args.data_root else Path(tempfile.mkdtemp(prefix="bench-train-"))
    data_dir = root / f"scale-{args.scale:g}"
    os.chdir(REPO_ROOT)
    os.environ["DEMO_ADPLATFORM_PORT"] = str(free_port())
    print(
        f"train benchmark: SCALE {args.scale:g}, {args.days} days, data under {root}, {os.cpu_count()} CPUs", flush=True
    )
    started = time.perf_counter()
    try:
        if args.reuse:
            reuse(args.reuse.resolve(), data_dir)
        else:
            prepare(data_dir, args.scale, args.days)
        runs = []
        for run in range(1, args.repeats + 1):
            shutil.rmtree(data_dir / "mlflow", ignore_errors=True)
            shutil.rmtree(data_dir / "ml", ignore_errors=True)
            m = measure([sys.executable, "-m", "ml", "--data-dir", str(data_dir), "train"], {"DATA_DIR": str(data_dir)})
            runs.append(m)
            progress(
                f"[SCALE={args.scale:g}] run {run}/{args.repeats} make train: {m.seconds:.1f} s, "
                f"peak {m.peak_rss_mb:,.0f} MB"
            )
        summary = json.loads((data_dir / "ml" / "last_train.json").read_text())
    finally:
        if not args.keep:
            shutil.rmtree(root if args.data_root is None else data_dir, ignore_errors=True)
    seconds, peak = median([m.seconds for m in runs]), max(m.peak_rss_mb for m in runs)
    out = records(args.scale, seconds, peak, summary, int(summary["train_rows"]))
    print()
    print(f"{'metric':<20}{'value':>12}{'unit':>7}{'target':>10}  result")
    for r in out:
        target = "" if r["target"] is None else f"≤ {r['target']:g}"
        result = "" if r["pass"] is None else verdict(r["value"], r["target"])
        print(f"{r['metric']:<20}{r['value']:>12,.3f}{r['unit']:>7}{target:>10}  {result}")
    if args.json:
        args.json.write_text(json.dumps(out, indent=2) + "\n")
        print(f"records written to {args.json}")
    print(f"\nbenchmark took {(time.perf_counter() - started) / 60:.1f} min")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
