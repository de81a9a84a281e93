"""Per-run figures of one source, filled while it extracts and printed in the run summary."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field

PROGRESS_EVERY_SECONDS = 5.0


@dataclass
class SourceStats:
    """What one source did in this run (files read, rows read, records rejected)."""

    name: str
    files: int = 0
    rows_read: int = 0
    rejected: int = 0
    changed_files: list[str] = field(default_factory=list)
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
