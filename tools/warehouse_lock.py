"""Is the DuckDB warehouse free? One clear line instead of dbt's stack trace when another process holds it.

    python -m tools.warehouse_lock check [PATH]     # PATH: default $DATA_DIR/warehouse.duckdb (./data)

Exits 0 when the file is free (or does not exist yet), 1 with one line on stderr naming the file, the PID
and command line of the process that holds it and what to do. `make build` runs it before `dbt build`; the
dbt command itself is unchanged. A plain `dbt build` is not wrapped: DuckDB's own error (with the holder's
PID) then ends dbt's output, after a Python traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ingestion.common.lock import probe


def default_warehouse() -> Path:
    """The file profiles.yml points dbt at: $DATA_DIR/warehouse.duckdb (DATA_DIR defaults to ./data)."""
    return Path(os.environ.get("DATA_DIR") or "data") / "warehouse.duckdb"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.warehouse_lock", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="exit 1 with a clear message when another process holds the file")
    check.add_argument("path", nargs="?", type=Path, default=None, help="default: $DATA_DIR/warehouse.duckdb")
    args = parser.parse_args(argv)
    holder = probe((args.path or default_warehouse()).resolve())
    if holder is None:
        return 0
    print(f"ERROR: {holder.message()}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
