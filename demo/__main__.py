"""Command line of the demo source systems.

python -m demo generate [--scale 0.1] [--days 90] [--seed 42] [--clean-data] [--oltp-url URL]
python -m demo advance  [--days 1] [--oltp-url URL] [--drift KIND [--drift-size X]]
python -m demo summary
python -m demo api {serve,start,stop,status,with} ...
python -m demo with -- <command>    # the command with the demo's settings exported (make ingest)
python -m demo kpis [--check]       # conversion, ROAS, CAC from the built warehouse
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
from pathlib import Path

from .paths import SourcePaths, data_dir_from_env


def _summary_lines(manifest: dict) -> list[str]:
    g, o, e, w, r = (manifest[k] for k in ("generator", "orders", "events", "web_logs", "reviews"))
    ads = manifest["ad_platform"]
    return [
        f"demo shop {g['start_date']} .. {g['end_date']} ({g['days']} days, SCALE={g['scale']}, seed={g['seed']}, "
        f"dirty={'on' if g['dirty'] else 'off'})",
        f"  OLTP       {sum(manifest['oltp']['row_counts'].values()):>10,} rows in {manifest['oltp']['target']}; "
        f"orders {o['orders']:,}, gross " + ", ".join(f"{cur} {v}" for cur, v in o["gross_total"].items()),
        f"  events     {e['lines']:>10,} lines in {e['files']} files; {e['sessions']:,} sessions, "
        f"{e['pending_late']:,} late events still in flight",
        f"  web logs   {w['lines']:>10,} lines in {w['files']} files ({w['bot']:,} bot, {w['truncated']:,} truncated)",
        f"  reviews    {r['lines']:>10,} lines ({r['schema_v1']:,} v1 + {r['schema_v2']:,} v2 documents)",
        f"  ad API     {ads['final']['rows']:>10,} campaign-days, {ads['campaigns']} campaigns",
        f"  lake       {manifest['lake']['inventory_snapshots']['rows']:>10,} inventory rows, "
        f"{manifest['lake']['fx_rates']['rows']} FX rates",
    ]


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--data-dir")
    known, rest = pre.parse_known_args(argv)
    if rest and rest[0] == "api":  # the ad platform API has its own command line
        from .adplatform.cli import main as api_main

        data_dir_args = ["--data-dir", known.data_dir] if known.data_dir and len(rest) > 1 else []
        return api_main(rest[1:2] + data_dir_args + rest[2:])
    if rest and rest[0] == "with":  # a command (the ingestion) with the demo's own settings exported
        from .exports import run_with

        data_dir = Path(known.data_dir) if known.data_dir else data_dir_from_env()
        try:
            return run_with(data_dir, rest[1:])
        except ValueError as exc:
            print(f"demo: {exc}", file=sys.stderr)
            return 2
    if rest and rest[0] == "kpis":  # figures read from the built warehouse, not from the generator
        from .kpis import main as kpis_main

        return kpis_main((["--data-dir", known.data_dir] if known.data_dir else []) + rest[1:])
    parser = argparse.ArgumentParser(prog="python -m demo", description="The demo shop's source systems.")
    parser.add_argument("--data-dir", help="where to write (default: $DATA_DIR or ./data)")
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="write N days of demo data from scratch")
    gen.add_argument(
        "--scale",
        type=float,
        default=float(os.environ.get("SCALE", 0.1)),
        help="size: 1 = ~30k orders and ~1.5M events over 90 days (default $SCALE or 0.1)",
    )
    gen.add_argument("--days", type=int, default=int(os.environ.get("DAYS", 90)))
    gen.add_argument("--seed", type=int, default=int(os.environ.get("SEED", 42)))
    gen.add_argument("--no-dirty", action="store_true", help="no injected bad records")
    gen.add_argument("--dirty-rate", type=float, default=0.01)
    gen.add_argument(
        "--oltp-url",
        default=os.environ.get("DEMO_OLTP_URL"),
        help="SQLAlchemy URL of a PostgreSQL/MariaDB database for the OLTP tables (default: SQLite)",
    )
    gen.add_argument("--quiet", action="store_true")
    adv = sub.add_parser("advance", help="simulate the next day(s) on top of existing demo data")
    adv.add_argument("--days", type=int, default=int(os.environ.get("DAYS", 1)))
    adv.add_argument("--oltp-url", default=os.environ.get("DEMO_OLTP_URL"))
    adv.add_argument("--quiet", action="store_true")
    adv.add_argument(
        "--drift",
        default=os.environ.get("DRIFT") or None,
        help="inject a drift from the first new day on: channel_mix, price, volume_drop, null_spike, schema_change "
        "(ground truth in the manifest's `drift`; default $DRIFT or none)",
    )
    adv.add_argument("--drift-size", type=float, default=None, help="the drift's size (default: the kind's own)")
    sub.add_parser("summary", help="print what the demo data holds (from its manifest)")
    sub.add_parser("kpis", help="conversion, ROAS, CAC of the built warehouse (python -m demo kpis --help)")
    args = parser.parse_args(argv)
    data_dir = data_dir_from_env(args.data_dir)
    paths = SourcePaths(data_dir)
    try:
        from . import generator

        if args.command == "generate":
            print(
                f"generating {args.days} days of demo data at SCALE={args.scale} into {paths.sources}", file=sys.stderr
            )
            result = generator.generate(
                data_dir,
                days=args.days,
                scale=args.scale,
                seed=args.seed,
                dirty=not args.no_dirty,
                dirty_rate=args.dirty_rate,
                oltp_url=args.oltp_url or None,
                quiet=args.quiet,
            )
        elif args.command == "advance":
            result = generator.advance(
                data_dir,
                days=args.days,
                oltp_url=args.oltp_url or None,
                quiet=args.quiet,
                drift=args.drift,
                drift_size=args.drift_size,
            )
        else:
            if not paths.manifest.exists():
                raise FileNotFoundError(f"no demo data in {data_dir}: run `make demo-data` first")
            print("\n".join(_summary_lines(json.loads(paths.manifest.read_text()))))
            return 0
    except (FileNotFoundError, ValueError) as exc:
        print(f"demo: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - a database that is down etc.: one line, not a traceback
        if os.environ.get("DEMO_DEBUG"):
            raise
        print(
            f"demo: {args.command} failed: {type(exc).__name__}: {str(exc).splitlines()[0]} "
            "(set DEMO_DEBUG=1 for the traceback)",
            file=sys.stderr,
        )
        return 1
    print("\n".join(_summary_lines(result.manifest)))
    print(
        f"  {args.command}: {result.days} day(s) {result.first_day} .. {result.last_day} in {result.seconds:.1f}s, "
        f"peak RSS {_peak_rss_mb():.0f} MB; manifest: {paths.manifest}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
