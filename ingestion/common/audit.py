"""Per-load audit records: how many rows each table's extract yielded, written in the same load package.

Every source's resources get a counting step; after the source is extracted, a second (one-resource)
source with the same schema yields one ``_ingest_audit`` row per table that received rows. dlt puts
both into the one load package (same schema name, same extract call), so the counts are committed
with the data they describe: a load that is killed and retried lands its counts with its rows, and
``_ingest_audit._dlt_load_id`` is the load the rows landed in. dbt's audit marts compare these counts
with the rows found in the raw tables (``rpt_load_audit``, ``rpt_source_reconciliation``).

A run that extracts nothing writes no audit row (re-running an ingest with nothing new changes nothing).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import dlt
from dlt.extract.items import TableNameMeta
from dlt.extract.resource import DltResource
from dlt.extract.source import DltSource

from .stats import SourceStats, row_count

AUDIT_TABLE = "_ingest_audit"
"""Per dataset: one row per load and table, the counts the extract saw."""

AUDIT_COLUMNS: dict[str, Any] = {
    "table_name": {"data_type": "text", "nullable": False},
    "write_disposition": {"data_type": "text", "nullable": False},
    "rows_extracted": {"data_type": "bigint", "nullable": False},
    "rows_deleted": {"data_type": "bigint", "nullable": False},
    "source_rows_before_extract": {"data_type": "bigint", "nullable": True},
    "extracted_at": {"data_type": "timestamp", "nullable": False},
}


def _is_tombstone_resource(resource: DltResource) -> bool:
    """A resource whose rows delete (dlt's ``hard_delete`` column hint), e.g. the OLTP tombstones."""
    columns = resource.columns
    return isinstance(columns, dict) and any(
        isinstance(hint, dict) and hint.get("hard_delete") for hint in columns.values()
    )


def _disposition(resource: DltResource) -> str:
    disposition = resource.write_disposition
    return str(disposition.get("disposition", "append") if isinstance(disposition, dict) else disposition)


def audited(source: DltSource, stats: SourceStats) -> list[DltSource]:
    """Return ``[source, audit source]`` for one ``pipeline.run`` call; counts go to ``stats.extracted``."""
    for resource in source.resources.selected.values():
        default_table = resource.table_name if isinstance(resource.table_name, str) else resource.name
        kind = "deleted" if _is_tombstone_resource(resource) else "extracted"
        disposition = _disposition(resource)

        def count(item: Any, meta: Any, table: str = default_table, kind: str = kind, how: str = disposition) -> Any:
            target = meta.table_name if isinstance(meta, TableNameMeta) else table
            # rows sent to another table (rejects) were appended there, whatever the resource's disposition
            entry = stats.extracted[(target, "append" if target != table else how)]
            entry[kind] += row_count(item)
            return item

        resource.add_map(count)

    @dlt.resource(name=AUDIT_TABLE, write_disposition="append", columns=AUDIT_COLUMNS)
    def audit_rows() -> Iterator[list[dict[str, Any]]]:
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        rows = [
            {
                "table_name": table,
                "write_disposition": disposition,
                "rows_extracted": counts["extracted"],
                "rows_deleted": counts["deleted"],
                "source_rows_before_extract": stats.source_rows.get(table),
                "extracted_at": now,
            }
            for (table, disposition), counts in sorted(stats.extracted.items())
            if counts["extracted"] or counts["deleted"]
        ]
        if rows:
            yield rows

    return [source, DltSource(source.schema, source.section, [audit_rows])]
