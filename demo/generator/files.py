"""Writers for the file-based source systems: lake events, nginx logs, document exports, lake tables.

Every writer produces byte-identical files for identical input (gzip without name or mtime, sorted
keys where order is not meaningful, parquet without timestamps in its metadata).
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

GZIP_LEVEL = 1  # fast; the content, not the compression ratio, is what the demo is about


class GzipLinesWriter:
    """Streams text lines into a deterministic .gz file (no file name, mtime 0)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._tmp = path.with_name(path.name + ".partial")
        self._raw = open(self._tmp, "wb")  # noqa: SIM115 - closed in close()
        self._gz = gzip.GzipFile(filename="", mode="wb", fileobj=self._raw, compresslevel=GZIP_LEVEL, mtime=0)
        self._text = io.TextIOWrapper(self._gz, encoding="utf-8", newline="\n", write_through=False)
        self.lines = 0

    def write_lines(self, lines: Sequence[str]) -> None:
        if lines:
            self._text.write("\n".join(lines))
            self._text.write("\n")
            self.lines += len(lines)

    def close(self) -> None:
        self._text.close()
        self._raw.close()
        os.replace(self._tmp, self.path)


def write_gzip_lines(path: Path, lines: Sequence[str]) -> None:
    writer = GzipLinesWriter(path)
    writer.write_lines(lines)
    writer.close()


def write_text_lines(path: Path, lines: Sequence[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".partial")
    with open(tmp, "w", encoding="utf-8", newline="\n") as handle:
        for line in lines:
            handle.write(line)
            handle.write("\n")
    os.replace(tmp, path)


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]], append: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    new_file = not append or not path.exists()
    with open(path, "a" if append else "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        if new_file:
            writer.writerow(header)
        writer.writerows(rows)


def write_parquet(path: Path, table: pa.Table) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".partial")
    pq.write_table(table, tmp, compression="zstd", write_statistics=True)
    os.replace(tmp, path)


def write_json(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".partial")
    tmp.write_text(json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def partition_dir(root: Path, day: dt.date) -> Path:
    """Hive-style daily partition folder: root/dt=YYYY-MM-DD."""
    return root / f"dt={day.isoformat()}"
