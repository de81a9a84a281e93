"""Read text files (plain or gzip) as raw lines into Arrow tables, streaming and without parsing.

Schema-on-read: a line is kept byte for byte (minus its newline) so a cut-off JSON document or a
truncated log line lands as it was and is flagged in dbt staging. Only a line that is not valid
UTF-8 cannot be stored as text; it is returned as a reject with its line number and reason.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

CHUNK_BYTES = 16 * 1024 * 1024
"""Bytes of decompressed text split per Arrow batch: bounds memory whatever the file size."""


@dataclass(frozen=True)
class LineBatch:
    """Consecutive lines of one file: ``lines[i]`` is line number ``first_line + i``."""

    lines: pa.Array  # utf8, the text of each line without its newline
    numbers: pa.Array  # int64, the 1-based line number of each entry of ``lines``
    rejects: list[tuple[int, str, str]]  # (line number, reason, line with invalid bytes replaced)
    next_line: int  # number of the line after this batch


def open_text(raw: IO[bytes], name: str) -> IO[bytes]:
    """Wrap a binary file object so ``.gz`` files are decompressed while they are read."""
    return gzip.GzipFile(fileobj=raw, mode="rb") if name.endswith(".gz") else raw


def iter_line_batches(stream: IO[bytes], chunk_bytes: int = CHUNK_BYTES) -> Iterator[LineBatch]:
    """Yield the lines of ``stream`` in batches of about ``chunk_bytes``.

    Lines end at ``\\n``; a final line without a newline is still a line, an empty file has none.
    Raises ``OSError``/``EOFError``/``zlib.error`` for a corrupt or truncated gzip stream: the caller
    decides what a broken file means (see ``ingestion.common.files``).
    """
    first_line = 1
    rest = b""
    while True:
        chunk = stream.read(chunk_bytes)
        if not chunk:
            break
        data = rest + chunk if rest else chunk
        cut = data.rfind(b"\n")
        if cut < 0:
            rest = data
            continue
        rest = data[cut + 1 :]
        batch = _split(data[:cut], first_line)
        first_line = batch.next_line
        yield batch
    if rest:
        yield _split(rest, first_line)


def _split(block: bytes, first_line: int) -> LineBatch:
    """Split a block of complete lines (without the last newline) into a UTF-8 Arrow array."""
    parts = pc.split_pattern(pa.array([block], pa.large_binary()), pattern=b"\n").flatten()
    end = first_line + len(parts)
    try:
        text = parts.cast(pa.large_string()).cast(pa.string())
        return LineBatch(text, pa.array(np.arange(first_line, end, dtype=np.int64)), [], end)
    except pa.ArrowInvalid:
        pass  # some line is not UTF-8: sort the lines one by one (rare, so Python speed is fine)
    good: list[str] = []
    numbers: list[int] = []
    rejects: list[tuple[int, str, str]] = []
    for number, raw in enumerate(parts.to_pylist(), start=first_line):
        try:
            good.append(raw.decode("utf-8"))
            numbers.append(number)
        except UnicodeDecodeError as exc:
            reason = f"not valid UTF-8 ({exc.reason} at byte {exc.start})"
            rejects.append((number, reason, raw.decode("utf-8", errors="replace")))
    return LineBatch(pa.array(good, pa.string()), pa.array(numbers, pa.int64()), rejects, end)


CORRUPT_FILE_ERRORS = (OSError, EOFError, zlib.error)
"""What reading a damaged gzip file raises (gzip.BadGzipFile is an OSError)."""
