"""Per-run figures of one source, filled while it extracts and printed in the run summary."""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

PROGRESS_EVERY_SECONDS = 5.0


def row_count(item: Any) -> int:
    """Rows in one item a dlt resource yields: an Arrow table or batch, a list of rows, or one row."""
    if isinstance(item, (pa.Table, pa.RecordBatch)):
        return int(item.num_rows)
    if isinstance(item, list):
        return len(item)
    return 0 if item is None else 1


def _zero_counts() -> dict[str, int]:
    return {"extracted": 0, "deleted": 0}


@dataclass
class SourceStats:
    """What one source did in this run (files read, rows read, records rejected)."""

    name: str
    files: int = 0
    rows_read: int = 0
    rejected: int = 0
    changed_files: list[str] = field(default_factory=list)
    extracted: defaultdict[tuple[str, str], dict[str, int]] = field(default_factory=lambda: defaultdict(_zero_counts))
    """(table, write disposition) → rows extracted and tombstones; written to ``_ingest_audit``."""
    source_rows: dict[str, int] = field(default_factory=dict)
    """Table → rows in the source system when the extract began (database sources only)."""
    notes: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    _last_progress: float = field(default_factory=time.monotonic)

    def progress(self, doing: str) -> None:
        """Print a progress line to stderr at most every few seconds during long work."""
        now = time.monotonic()
        if now - self._last_progress >= PROGRESS_EVERY_SECONDS:
            self._last_progress = now
            print(
                f"  {self.name}: {now - self.started:5.0f}s  {self.files:,} files, {self.rows_read:,} rows  ({doing})",
                file=sys.stderr,
                flush=True,
            )
