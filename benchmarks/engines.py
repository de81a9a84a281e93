"""Engine benchmark: the same dbt build on each target of profiles.yml, at several scales.

    python -m benchmarks.engines --scales 0.1 1 [--targets dev postgres spark] [--days 90] [--json PATH]

Per scale, in its own data folder: generate the demo data once, then per target ingest it with dlt
(the target's destination, as ``make parity`` does) and time one full ``dbt build --target <target>``
(every seed, model, snapshot and test). Reports seconds per engine and scale, and the growth ratio
between the largest and the smallest scale (the data grows by their quotient). ``--json PATH``
writes records ``{benchmark, scale, metric, value, unit, target, pass}`` as the other benchmarks do
(``target``: the upper bound): the metric names the engine (``postgres.build_seconds``); the
seconds are measurements without a target (``target`` and ``pass`` null); the growth ratio's target
is linear growth plus 20 % (scale quotient x 1.2, as for the DuckDB build benchmark). With ``spark``
and no Thrift server answering, a local standalone cluster is started for the run (its start time is
the record ``spark.cluster_start_seconds``) and stopped afterwards.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from tools import parity


def bench(scales: list[float], targets: list[str], days: int, root: Path, keep: bool) -> list[dict]:
    records: list[dict] = []
    started_spark = False
    if "spark" in targets and not parity.spark_running():
        root.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        parity.spark_cluster("up", root)
        started_spark = True
        seconds = time.monotonic() - started
        print(f"spark cluster started in {seconds:.1f}s", flush=True)
        records.append(_record(0, "spark.cluster_start_seconds", seconds))
    try:
        _bench_scales(scales, targets, days, root, keep, records)
    finally:
        if started_spark:
            parity.spark_cluster("down", root)
    return records


def _record(scale: float, metric: str, value: float) -> dict:
    return {
        "benchmark": "engines",
        "scale": scale,
        "metric": metric,
        "value": round(value, 2),
        "unit": "s",
        "target": None,
        "pass": None,
    }


def _bench_scales(scales: list[float], targets: list[str], days: int, root: Path, keep: bool, records: list) -> None:
    for scale in scales:
        data_dir = root / f"scale-{scale:g}"
        if data_dir.exists():
            shutil.rmtree(data_dir)
        data_dir.mkdir(parents=True)
        env = dict(parity.os.environ, DATA_DIR=str(data_dir))
        cmd = [parity.PYTHON, "-m", "demo", "generate", "--scale", str(scale), "--days", str(days)]
        parity._run(cmd, env, data_dir / "generate.log")
        dbname = f"shopwarehouse_bench_{str(scale).replace('.', '_')}"
        for target in targets:
            started = time.monotonic()
            ingest_seconds = parity.ingest(target, data_dir, dbname)
            build_seconds = parity.build(target, data_dir, dbname, parity.ROOT)
            print(
                f"scale {scale:g} {target:<9} ingest {ingest_seconds:7.1f}s  dbt build {build_seconds:7.1f}s"
                f"  (total {time.monotonic() - started:.1f}s)",
                flush=True,
            )
            for metric, value in (("ingest_seconds", ingest_seconds), ("build_seconds", build_seconds)):
                records.append(_record(scale, f"{target}.{metric}", value))
            if target == "postgres":
                parity.drop_postgres_database(dbname)
        if not keep:
            # the cluster started for the run keeps its folders in root/spark, not in a scale's folder
            shutil.rmtree(data_dir, ignore_errors=True)
    if len(scales) > 1:
        low, high = min(scales), max(scales)
        for target in targets:
            by_scale = {r["scale"]: r["value"] for r in records if r["metric"] == f"{target}.build_seconds"}
            ratio = by_scale[high] / by_scale[low]
            bound = round(high / low * 1.2, 3)
            print(f"{target}: dbt build at scale {high:g} / scale {low:g} = {ratio:.2f} (data x{high / low:g})")
            records.append(
                {
                    "benchmark": "engines",
                    "scale": high,
                    "metric": f"{target}.build_growth_vs_scale_{low:g}",
                    "value": round(ratio, 3),
                    "unit": "ratio",
                    "target": bound,
                    "pass": ratio <= bound,
                }
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.engines", description=__doc__.splitlines()[0])
    parser.add_argument("--scales", nargs="+", type=float, default=[0.1, 1.0])
    parser.add_argument("--targets", nargs="+", default=["dev", "postgres", "spark"], choices=list(parity.TARGETS))
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--data-root", type=Path)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--json", type=Path, help="write the records as a JSON list")
    args = parser.parse_args(argv)
    root = args.data_root or Path(tempfile.mkdtemp(prefix="bench-engines-"))
    try:
        records = bench(args.scales, args.targets, args.days, root.resolve(), args.keep)
    except RuntimeError as error:
        print(f"benchmark failed: {error}", file=sys.stderr)
        return 2
    if args.json:
        args.json.write_text(json.dumps(records, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
