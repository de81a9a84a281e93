"""Observing what the pipeline did with a case's input: its rows in every layer, error lines, the checks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .scratch import (
    FIX_WORDS,
    MARK,
    TRACEBACK,
    Case,
    Observed,
    Run,
    Scratch,
)

# --------------------------------------------------------------------------- observing a file's rows


@dataclass(frozen=True)
class Table:
    """Where a file table's rows go: raw table, rejects, base model (every row flagged), quarantine model."""

    dataset: str
    raw: str
    base: str | None
    quarantine: str | None


TABLES = {
    "events": Table("events", "events", "staging.base_events__events", "quarantine.qrt_events__events"),
    "reviews": Table("documents", "reviews", "staging.base_documents__reviews", "quarantine.qrt_documents__reviews"),
    "access_log": Table("weblogs", "access_log", "staging.base_weblogs__requests", "quarantine.qrt_weblogs__requests"),
    "fx_rates": Table("lake", "fx_rates", "staging.base_lake__fx_rates", "quarantine.qrt_lake__fx_rates"),
    "inventory_snapshots": Table(
        "lake",
        "inventory_snapshots",
        "staging.base_lake__inventory_snapshots",
        "quarantine.qrt_lake__inventory_snapshots",
    ),
}


def _has_table(ctx: Scratch, qualified: str) -> bool:
    schema, name = qualified.split(".")
    return bool(
        ctx.query("select 1 from information_schema.tables where table_schema = ? and table_name = ?", schema, name)
    )


def _file_rows(ctx: Scratch, table_key: str, case: str) -> dict[str, Any]:
    """Counts and reasons of the rows of the case's file in every layer."""
    table = TABLES[table_key]
    like = f"%{MARK}-{case}.%"
    rows: dict[str, Any] = {"raw": 0, "valid": 0, "quarantined": [], "rejected_lines": [], "rejected_file": []}
    raw = f"{table.dataset}.{table.raw}"
    if _has_table(ctx, raw):
        rows["raw"] = ctx.query(f"select count(*) from {raw} where _file_name like ?", like)[0][0]
    rejects = f"{table.dataset}.rejected_records"
    if _has_table(ctx, rejects):
        for line, reason in ctx.query(
            f"select line_number, reason from {rejects} where file_name like ? and source_table = ? order by 1",
            like,
            table.raw,
        ):
            rows["rejected_lines" if line is not None else "rejected_file"].append(reason)
    if table.base and _has_table(ctx, table.base):
        columns = {
            name
            for (name,) in ctx.query(
                "select column_name from information_schema.columns where table_schema || '.' || table_name = ?",
                table.base,
            )
        }
        valid = "is_valid" if "is_valid" in columns else "true"
        rows["valid"] = ctx.query(f"select count(*) from {table.base} where _file_name like ? and {valid}", like)[0][0]
    if table.quarantine and _has_table(ctx, table.quarantine):
        reason_col = "invalid_reason"
        rows["quarantined"] = [
            reason
            for (reason,) in ctx.query(
                f"select {reason_col} from {table.quarantine} where _file_name like ? "
                f"and {reason_col} <> 'rejected_at_load' order by _line_number",
                like,
            )
        ]
    return rows


def _no_traceback(run: Run | None) -> list[str]:
    if run is not None and TRACEBACK in run.output:
        return ["a Python traceback in the output"]
    return []


def file_check(
    table_key: str, expected: str, reason: str | None = None, *, raw_contains: str | None = None
) -> Callable[[Scratch, Case], Observed]:
    """Check of a file case: the outcome, the reason, no traceback, input = valid + quarantined + rejected."""

    def check(ctx: Scratch, case: Case) -> Observed:
        problems = _no_traceback(ctx.ingest) + _no_traceback(ctx.dbt)
        source = TABLES[table_key].dataset
        error = ctx.ingest.error_line(source) if ctx.ingest else None
        if error:
            return Observed("error", error, False, problems + ["the source failed in the shared ingest"])
        rows = _file_rows(ctx, table_key, case.id)
        rejected = rows["rejected_lines"] + rows["rejected_file"]
        if rejected:
            outcome, message = "rejected", "; ".join(dict.fromkeys(rejected))
        elif rows["quarantined"]:
            outcome, message = "quarantine", ", ".join(dict.fromkeys(rows["quarantined"]))
        else:
            outcome, message = "accepted", case.expectation
        if outcome != expected:
            problems.append(f"expected {expected}, got {outcome}")
        if reason and reason not in message:
            problems.append(f"expected the reason to mention {reason!r}")
        total = ctx.inputs.get(case.id)
        accounted = rows["valid"] + len(rows["quarantined"]) + len(rows["rejected_lines"])
        if total is not None and accounted != total and not rows["rejected_file"]:
            problems.append(
                f"rows lost: {total} in the file, {rows['valid']} valid + {len(rows['quarantined'])} quarantined"
                f" + {len(rows['rejected_lines'])} rejected"
            )
        if total is None and not rows["rejected_file"]:
            problems.append("a damaged file must leave a file-level reject")
        if raw_contains:
            table = TABLES[table_key]
            hits = ctx.query(
                f"select count(*) from {table.dataset}.{table.raw} where _file_name like ? and {raw_contains}",
                f"%{MARK}-{case.id}.%",
            )[0][0]
            if not hits:
                problems.append(f"not kept raw: no row with {raw_contains}")
        detail = f" (rows: {rows['valid']} valid, {len(rows['quarantined'])} quarantined, {len(rejected)} rejected)"
        return Observed(outcome, message + detail, not problems, problems)

    return check


def oltp_new_column_check(ctx: Scratch, case: Case) -> Observed:
    problems = _no_traceback(ctx.ingest) + _no_traceback(ctx.dbt)
    error = ctx.ingest.error_line("oltp") if ctx.ingest else None
    if error:
        return Observed("error", error, False, problems + ["expected accepted"])
    kept = ctx.query("select count(*) from oltp.categories where badinput_banner = 'winter sale'")[0][0]
    if kept != ctx.inputs[case.id]:
        problems.append(f"raw oltp.categories.badinput_banner holds {kept} of {ctx.inputs[case.id]} values")
    if not _has_table(ctx, "staging.stg_oltp__categories"):
        problems.append("stg_oltp__categories did not build")
    message = f"new column kept in raw oltp.categories.badinput_banner ({kept} rows); staging unchanged"
    return Observed("accepted" if not problems else "error", message, not problems, problems)


def oltp_future_check(ctx: Scratch, case: Case) -> Observed:
    problems = _no_traceback(ctx.ingest)
    error = ctx.ingest.error_line("oltp") if ctx.ingest else None
    if error and "future" in error:
        return Observed("error", error, True, problems)
    note = (
        next((line.strip() for line in ctx.ingest.stdout.splitlines() if "future" in line), None)
        if ctx.ingest
        else None
    )
    if note:
        return Observed("accepted", note, not problems, problems)
    return Observed("accepted", "loaded without any message", False, problems + ["silent: no note or error"])


def error_observed(run: Run | None, source: str, needle: str) -> Observed:
    """Check an ``error`` outcome: exit code 1, one ERROR line naming the source, a fix, no traceback."""
    if run is None:
        return Observed("accepted", "not run", False, ["not run"])
    problems = _no_traceback(run)
    line = run.error_line(source)
    if line is None:
        tail = (run.stderr.strip().splitlines() or run.stdout.strip().splitlines() or ["no output"])[-1]
        return Observed("accepted" if run.returncode == 0 else "error", tail[:300], False, problems + ["no ERROR line"])
    if run.returncode != 1:
        problems.append(f"exit code {run.returncode}, expected 1")
    if needle.lower() not in line.lower():
        problems.append(f"expected the message to mention {needle!r}")
    if not any(word in line.lower() for word in FIX_WORDS):
        problems.append("the message does not say what to do")
    return Observed("error", line, not problems, problems)
