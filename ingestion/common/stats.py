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
    listings: dict[str, str] = field(default_factory=dict)
    """File table → where its files are looked for (``<glob> under <bucket URL>``)."""
    matched: dict[str, int] = field(default_factory=dict)
    """File table → files its glob listed in this run (loaded before or not)."""
    rejected_files: int = 0
    """New files of which nothing could be stored (every record of them rejected)."""
    duplicates: list[tuple[str, str]] = field(default_factory=list)
    """(file, file with the same content loaded before or earlier in this run): not loaded."""
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

    def warnings(self) -> list[tuple[str, str]]:
        """``(code, message)`` for each run that succeeded but may not have done what was meant."""
        found = [
            ("no-file-matched", f"no file matches {where}; check the glob and bucket_url of table {table}")
            for table, where in self.listings.items()
            if not self.matched.get(table)
        ]
        if self.files and self.rejected_files == self.files:
            found.append(
                (
                    "all-files-rejected",
                    f"all {self.files} new file(s) were rejected, nothing loaded (see {self.name}.rejected_records)",
                )
            )
        if self.duplicates:
            shown = "; ".join(f"{file} has the content of {first}" for file, first in self.duplicates[:3])
            more = f" and {len(self.duplicates) - 3} more" if len(self.duplicates) > 3 else ""
            count = len(self.duplicates)
            found.append(("duplicate-content", f"{count} file(s) not loaded, same content as another: {shown}{more}"))
        return found
