"""``python -m ingestion [--source NAME ...]``: load the source systems into the warehouse."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from dlt.common.configuration.exceptions import ConfigFieldMissingException

from .common.errors import SourceError, explain_missing_setting
from .common.lock import RunLock, probe
from .common.settings import Paths, default_data_dir, project_dir, uses_local_warehouse
from .runner import run
from .sources import registry

INGEST_LOCK = ".ingest.lock"
"""The file in DATA_DIR that a running ingest holds (flock) and names itself in."""


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run the pipelines; 0 when every source loaded (without warnings with --strict), else 1."""
    specs = registry()
    parser = argparse.ArgumentParser(
        prog="python -m ingestion",
        description="Load every source system raw into the DuckDB warehouse with dlt (one dataset per source).",
        epilog="sources: " + "; ".join(f"{spec.name} ({spec.description})" for spec in specs.values()),
    )
    parser.add_argument(
        "--source",
        action="append",
        metavar="NAME",
        help="load only this source (repeat or comma-separate for several); default: all",
    )
    parser.add_argument("--data-dir", type=Path, default=None, help="data folder (default: $DATA_DIR or ./data)")
    parser.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 on warnings too (a glob that matches no file, every file rejected, the same content twice)",
    )
    parser.add_argument("--list", action="store_true", help="list the sources and exit")
    args = parser.parse_args(argv)
    if args.list:
        for spec in specs.values():
            print(f"{spec.name:<12}{spec.description}")
        return 0
    names = [name.strip() for value in args.source or [] for name in value.split(",") if name.strip()]
    os.environ["DLT_PROJECT_DIR"] = str(project_dir())  # where dlt reads .dlt/config.toml and secrets.toml
    paths = Paths((args.data_dir or default_data_dir()).resolve())
    # one ingest per DATA_DIR at a time: the warehouse is opened per source, so two runs would interleave
    # on the same pipelines' state and load packages
    run_lock = RunLock(paths.data_dir / INGEST_LOCK)
    busy = run_lock.acquire()
    if busy:
        print(f"ERROR: {busy}", file=sys.stderr)
        return 1
    try:
        # one cheap probe before any pipeline starts: another process holding the warehouse (a dbt build,
        # a notebook) gets one clear line instead of every source failing the same way
        try:
            holder = probe(paths.warehouse) if uses_local_warehouse() else None
        except ConfigFieldMissingException as exc:
            print(f"ERROR {explain_missing_setting([exc], 'ingest', 'ingestion')}", file=sys.stderr)
            return 1
        if holder is not None:
            print(f"ERROR: {holder.message()}", file=sys.stderr)
            return 1
        try:
            results = run(names, paths)
        except SourceError as exc:
            print(f"ERROR: {exc}", file=sys.stderr)
            return 2
        if not all(result.ok for result in results):
            return 1
        if args.strict and any(result.warnings for result in results):
            print("ERROR: --strict: the run has warnings (see the WARNING lines above)", file=sys.stderr)
            return 1
        return 0
    finally:
        run_lock.release()


if __name__ == "__main__":
    sys.exit(main())
