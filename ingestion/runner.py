"""Run the source pipelines one after another, isolate their failures, print a summary."""

from __future__ import annotations

import json
import logging
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import dlt
from dlt.common.storages.load_package import ParsedLoadJobFileName
from dlt.pipeline.exceptions import PipelineStepFailed

from .common.audit import AUDIT_TABLE, audited
from .common.errors import SourceError, explain_missing_setting, explain_type_change, root_causes
from .common.files import REJECTS_TABLE
from .common.lock import explain_lock_error, parse_lock_error
from .common.settings import PIPELINE_PREFIX, Paths, loader_file_format, make_pipeline, open_warehouse
from .common.spec import SourceSpec
from .common.stats import SourceStats
from .sources import registry


@dataclass
class SourceResult:
    """What one source's pipeline did in this run."""

    name: str
    seconds: float
    rows: dict[str, int] = field(default_factory=dict)
    files: int = 0
    rejected: int = 0
    error: str | None = None
    notes: list[str] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    """(code, message): the source loaded, but maybe not what was meant (no file matched, ...)."""
    load_id: str | None = None

    @property
    def ok(self) -> bool:
        """True when the source loaded (possibly nothing new)."""
        return self.error is None

    @property
    def status(self) -> str:
        """``ok``, ``FAILED``, or ``WARNING:`` and the warnings' codes (the summary's status column)."""
        if self.error is not None:
            return "FAILED"
        if self.warnings:
            return "WARNING:" + ",".join(dict.fromkeys(code for code, _ in self.warnings))
        return "ok"

    @property
    def total_rows(self) -> int:
        """Rows loaded into the source's data tables (not dlt's own tables, not rejects)."""
        return sum(
            count
            for table, count in self.rows.items()
            if not table.startswith("_dlt") and table not in (REJECTS_TABLE, AUDIT_TABLE)
        )


class _ArrowHintsFilter(logging.Filter):
    """Drop dlt's notice that Arrow field types differ from the schema's hints.

    Expected here: ConnectorX gives SQLite amounts as float64 for columns reflected as
    DECIMAL(12,2), and Arrow fields are nullable where the schema says NOT NULL; the destination
    applies the schema's types, which the OLTP tests check value by value.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return "when merging arrow schema with dlt schema" not in record.getMessage()


class _LockConflictFilter(logging.Filter):
    """Shorten dlt's log of a job that met the warehouse locked by another process to one line.

    dlt's loader treats DuckDB's lock conflict as transient: it logs the job's traceback (twice) and
    retries. The record keeps its level and first line; the traceback becomes the holder's PID and command.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        holder = parse_lock_error(message)
        if holder is None and record.exc_info and record.exc_info[1] is not None:
            holder = parse_lock_error(record.exc_info[1])
        if holder is not None:
            first = message.splitlines()[0].split(" with message ")[0].rstrip()
            record.msg = (
                f"{first}: the warehouse {holder.path} is locked by another process, "
                f"PID {holder.pid} ({holder.command}); dlt retries the job"
            )
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


class _TerminalJobFilter(logging.Filter):
    """Keep the first line of dlt's log of a job that failed for good, without its traceback.

    The ERROR line of the source explains the failure (see ``explain``); a traceback in the log only hides it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message.startswith("Terminal exception in job") and record.exc_info:
            error = record.exc_info[1]
            first = (str(error).strip().splitlines() or [""])[0]
            record.msg = f"{message}: {type(error).__name__}: {first}"
        elif message.startswith("Job for ") and " failed terminally " in message and "Traceback" in message:
            record.msg = message.split(" with message ")[0] + " (the ERROR line below says why)"
        else:
            return True
        record.args = None
        record.exc_info = None
        record.exc_text = None
        return True


def quiet_known_warnings() -> None:
    """Install the log filters once (idempotent)."""
    logger = logging.getLogger("dlt")
    for kind in (_ArrowHintsFilter, _LockConflictFilter, _TerminalJobFilter):
        if not any(isinstance(existing, kind) for existing in logger.filters):
            logger.addFilter(kind())


def run_source(spec: SourceSpec, paths: Paths, *, dev_mode: bool = False) -> SourceResult:
    """Extract, normalize and load one source; any failure becomes ``SourceResult.error``."""
    quiet_known_warnings()
    stats = SourceStats(spec.name)
    started = time.monotonic()
    result = SourceResult(spec.name, 0.0)
    connection = None
    try:
        # one warehouse connection for every step of the source (a lock held by another process fails here)
        connection = open_warehouse(paths)
        pipeline = make_pipeline(spec.name, paths, dev_mode=dev_mode, connection=connection)
        result.notes.extend(drop_committed_extracts(pipeline))
        result.notes.extend(undo_interrupted_appends(pipeline))
        if pipeline.config.restore_from_destination and not dev_mode:
            # what `run` does first, done before the source is built: a build may read the pipeline
            # state (adplatform's report window), and the sync may replace it (restored from the
            # destination) or wipe it (a first load killed after extract: no dataset in the warehouse)
            pipeline.sync_destination()
            # ... and `run` would sync again (a query of the state table, schemas compared, the working
            # folder written: ~0.07 s a source) unless told it did: the flag `run` sets after its own sync
            pipeline._state_restored = True
        source = spec.build(paths, stats)
        pipeline.run(audited(source, stats), loader_file_format=loader_file_format())
        trace = pipeline.last_trace
        normalize_info = trace.last_normalize_info if trace else None
        result.rows = dict(normalize_info.row_counts) if normalize_info else {}
        load_info = trace.last_load_info if trace else None
        result.load_id = load_info.loads_ids[-1] if load_info and load_info.loads_ids else None
    except Exception as exc:  # noqa: BLE001 - one source failing must not stop the others
        message = explain(spec, exc)
        result.error = message if message.startswith(f"{spec.name}:") else f"{spec.name}: {message}"
        if isinstance(exc, PipelineStepFailed) and exc.step in ("normalize", "load"):
            command = f"dlt pipeline --pipelines-dir {paths.pipelines_dir} {PIPELINE_PREFIX}{spec.name}"
            result.error += (
                f" (the {exc.step} step failed: the package stays pending and is retried on the next run;"
                f" see `{command} failed-jobs`, discard it with `{command} drop-pending-packages`)"
            )
    finally:
        if connection is not None:
            connection.close()
    result.seconds = time.monotonic() - started
    result.files = stats.files
    result.rejected = stats.rejected
    if stats.changed_files:
        shown = ", ".join(stats.changed_files[:3])
        result.notes.append(f"{len(stats.changed_files)} already-loaded file(s) changed and were not reloaded: {shown}")
    result.notes.extend(stats.notes)
    if result.ok:
        result.warnings = stats.warnings()
    return result


def drop_committed_extracts(pipeline: dlt.Pipeline) -> list[str]:
    """Delete extracted packages that dlt's normalize already committed; a note for each.

    Normalize moves a package's normalized copy to ``load/normalized`` and only then deletes the
    extracted one (``normalize/extracted/<load_id>``). A run killed during that deletion leaves both,
    the extracted one half-deleted, and every later run fails normalizing it again (FileNotFoundError)
    while the complete copy waits to be loaded. Such a leftover is safe to delete: its data is in the
    normalized (or loaded) package of the same load id.
    """
    committed = {*pipeline.list_normalized_load_packages(), *pipeline.list_completed_load_packages()}
    notes = []
    for load_id in pipeline.list_extracted_load_packages():
        if load_id in committed:
            shutil.rmtree(Path(pipeline.working_dir) / "normalize" / "extracted" / load_id)
            notes.append(f"removed the leftover extracted copy of load package {load_id} (already normalized)")
    return notes


def undo_interrupted_appends(pipeline: dlt.Pipeline) -> list[str]:
    """Delete the rows an interrupted load may already have appended; dlt then loads those jobs again.

    dlt marks a job committed by the destination (a pending transition in the package) and does not
    repeat it; a load killed between DuckDB's commit and that mark leaves the job to be loaded again by
    the next run, and an ``append`` table (the first load of the OLTP tables, the file sources' raw
    lines, the audit table) gets its rows twice. Where every job of an append table in the pending
    package is such a job (none completed, none marked), the rows carrying the package's load id can
    only come from them: they are deleted, and the repeated jobs write them once.
    """
    notes = []
    for load_id in pipeline.list_normalized_load_packages():
        package = Path(pipeline.working_dir) / "load" / "normalized" / load_id
        marked = {path.name for path in (package / ".pending_transitions").glob("*")}
        started = [job.name for job in (package / "started_jobs").glob("*.*")]
        repeated = {ParsedLoadJobFileName.parse(name).table_name for name in started if name not in marked}
        if not repeated:
            continue
        done = [job.name for job in (package / "completed_jobs").glob("*.*")] + [n for n in started if n in marked]
        committed = {ParsedLoadJobFileName.parse(name).table_name for name in done}
        tables = json.loads((package / "schema.json").read_text()).get("tables", {})
        appended = sorted(
            table
            for table in repeated - committed
            if tables.get(table, {}).get("write_disposition") == "append"
            and "_dlt_load_id" in tables[table].get("columns", {})
        )
        if not appended:
            continue
        with pipeline.sql_client() as client:
            for table in appended:
                exists = client.execute_sql(
                    "select count(*) from information_schema.tables where table_schema = %s and table_name = %s",
                    client.dataset_name,
                    table,
                )[0][0]
                if exists:
                    client.execute_sql(
                        f"delete from {client.make_qualified_table_name(table)} where _dlt_load_id = %s", load_id
                    )
        notes.append(f"load package {load_id} was interrupted: reloading {', '.join(appended)} without duplicates")
    return notes


def explain(spec: SourceSpec, exc: BaseException) -> str:
    """Turn an exception into one line naming the source, the problem and the fix."""
    chain = root_causes(exc)
    for cause in chain:
        if isinstance(cause, SourceError):
            return str(cause)
    for cause in chain:
        locked = explain_lock_error(cause)
        if locked:
            return locked
    for cause in reversed(chain):
        message = spec.explain(cause)
        if message:
            return message
    changed = explain_type_change(chain, f"{PIPELINE_PREFIX}{spec.name}") or explain_missing_setting(chain, spec.name)
    if changed:
        return changed
    root = chain[-1]
    first_line = (str(root).strip().splitlines() or [""])[0]
    return f"{type(root).__name__}: {first_line}"


def run(
    names: Sequence[str] | None, paths: Paths, *, out: TextIO = sys.stdout, err: TextIO = sys.stderr
) -> list[SourceResult]:
    """Load the named sources (all when empty) and print progress and a summary table."""
    specs = registry()
    chosen = list(names) if names else list(specs)
    unknown = [name for name in chosen if name not in specs]
    if unknown:
        raise SourceError(f"unknown source(s): {', '.join(unknown)}; choose from {', '.join(specs)}")
    results = []
    print(f"ingest → {paths.warehouse}", file=out, flush=True)
    for name in chosen:
        print(f"  {name}: loading ({specs[name].description})", file=out, flush=True)
        result = run_source(specs[name], paths)
        if result.error:
            print(f"ERROR {result.error}", file=err, flush=True)
        for note in result.notes:
            print(f"  {name}: note: {note}", file=out, flush=True)
        for _, warning in result.warnings:
            print(f"WARNING {name}: {warning}", file=err, flush=True)
        results.append(result)
    print_summary(results, out)
    return results


def print_summary(results: list[SourceResult], out: TextIO) -> None:
    """One line per source: rows, files, rejected records, seconds, rows/s, status."""
    header = f"{'source':<12}{'rows':>12}{'files':>8}{'rejected':>10}{'seconds':>9}{'rows/s':>11}  status"
    print(header, file=out)
    print("-" * len(header), file=out)
    for result in results:
        rate = result.total_rows / result.seconds if result.seconds > 0 else 0.0
        print(
            f"{result.name:<12}{result.total_rows:>12,}{result.files:>8,}{result.rejected:>10,}"
            f"{result.seconds:>9.1f}{rate:>11,.0f}  {result.status}",
            file=out,
        )
    failed = [result.name for result in results if not result.ok]
    total = sum(result.total_rows for result in results)
    seconds = sum(result.seconds for result in results)
    print(f"{'total':<12}{total:>12,}{'':>8}{sum(r.rejected for r in results):>10,}{seconds:>9.1f}", file=out)
    if failed:
        print(f"failed: {', '.join(failed)} (see the ERROR lines above)", file=out)
    warned = [result.name for result in results if result.ok and result.warnings]
    if warned:
        print(f"warnings: {', '.join(warned)} (see the WARNING lines above)", file=out)
    out.flush()
