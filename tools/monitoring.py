"""Print the newest day's monitoring checks from the built warehouse; exit 1 when one is at error level.

    python -m tools.monitoring [--warehouse PATH] [--all] [--json PATH] [--report PATH]

`make monitor` runs it after building the monitoring models (models/monitoring). It reads
`monitoring.mon_checks` (read-only, so a running build is not blocked once it has committed): by
default the checks that warn or error plus a count per status; `--all` lists every check of the day.
`--json PATH` writes the day's checks as a list of records for other tools; `--report PATH` writes
the HTML report with its charts (tools/monitoring_report.py; `make monitor`: DATA_DIR/reports/monitoring.html).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from tools.warehouse_lock import default_warehouse

STATUS_ORDER = {"error": 0, "warn": 1, "ok": 2}


@dataclass(frozen=True)
class Check:
    check_date: str
    table_name: str
    column_name: str
    measure: str
    measure_value: float
    warn_threshold: float
    error_threshold: float
    check_status: str
    current_rows: int


def read_latest_checks(warehouse: Path) -> list[Check]:
    """The checks of the newest check date, worst status first; [] when nothing has been judged yet."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            """
            select cast(check_date as varchar), table_name, column_name, measure, measure_value,
                   warn_threshold, error_threshold, check_status, current_rows
            from monitoring.mon_checks
            where is_latest_check
            order by table_name, column_name, measure
            """
        ).fetchall()
    except duckdb.CatalogException as error:
        message = f"no monitoring.mon_checks in {warehouse}: run `make monitor` (or dbt build) first ({error})"
        raise SystemExit(message) from None
    finally:
        con.close()
    checks = [Check(*row) for row in rows]
    return sorted(checks, key=lambda check: STATUS_ORDER[check.check_status])


def format_checks(checks: list[Check], show_all: bool = False) -> str:
    """A plain-text table (table, column, measure, value, threshold, status) and a count per status."""
    if not checks:
        return "no checks yet: the monitored tables need more history than monitor_reference_days (28 by default)"
    shown = checks if show_all else [check for check in checks if check.check_status != "ok"]
    header = ("table", "column", "measure", "value", "threshold", "status", "rows")
    body = [
        (
            check.table_name,
            check.column_name,
            check.measure,
            f"{check.measure_value:.4f}",
            f"{check.error_threshold if check.check_status == 'error' else check.warn_threshold:.4f}",
            check.check_status.upper() if check.check_status != "ok" else "ok",
            f"{check.current_rows:,}",
        )
        for check in shown
    ]
    widths = [max(len(str(row[i])) for row in [header, *body]) for i in range(len(header))]
    lines = [f"monitoring checks of {checks[0].check_date}"]
    if body:
        lines.append("  ".join(value.ljust(widths[i]) for i, value in enumerate(header)))
        lines.extend("  ".join(value.ljust(widths[i]) for i, value in enumerate(row)) for row in body)
    counts = {status: sum(check.check_status == status for check in checks) for status in STATUS_ORDER}
    lines.append(
        f"{len(checks)} checks: {counts['ok']} ok, {counts['warn']} warn, {counts['error']} error"
        + ("" if show_all or body else " (--all lists them)")
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.monitoring", description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, default=None, help="default: $DATA_DIR/warehouse.duckdb")
    parser.add_argument("--all", action="store_true", help="list every check of the day, not only warn and error")
    parser.add_argument("--json", type=Path, default=None, help="also write the day's checks as JSON records")
    parser.add_argument("--report", type=Path, default=None, help="also write the HTML report with charts there")
    args = parser.parse_args(argv)
    warehouse = args.warehouse or default_warehouse()
    if not warehouse.exists():
        print(f"no warehouse at {warehouse}: run make run (or make ingest build) first", file=sys.stderr)
        return 2
    checks = read_latest_checks(warehouse)
    print(format_checks(checks, show_all=args.all))
    if args.json:
        args.json.write_text(json.dumps([asdict(check) for check in checks], indent=2) + "\n")
    if args.report:
        from tools.monitoring_report import write_report

        print(f"report: {write_report(warehouse, args.report)}")
    return 1 if any(check.check_status == "error" for check in checks) else 0


if __name__ == "__main__":
    sys.exit(main())
