"""Read text files (plain or gzip) as raw lines into Arrow tables, streaming and without parsing.

Schema-on-read: a line is kept byte for byte (minus its newline) so a cut-off JSON document or a
truncated log line lands as it was and is flagged in dbt staging. Only a line that is not valid
UTF-8 cannot be stored as text; it is returned as a reject with its line number and reason.
"""

from __future__ import annotations

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


READ_BYTES = 1024 * 1024
"""Compressed bytes read per step: a damaged gzip file still gives every line before the damage."""


def read_chunks(raw: IO[bytes], name: str, chunk_bytes: int = CHUNK_BYTES) -> Iterator[bytes]:
    """Yield the (decompressed, for ``.gz``) content of ``raw`` in chunks of about ``chunk_bytes``.

    Gzip is decompressed incrementally (multi-member files included), so the data before a cut or
    corrupt spot is yielded before ``EOFError``/``zlib.error`` is raised.
    """
    if not name.endswith(".gz"):
        while chunk := raw.read(chunk_bytes):
            yield chunk
        return
    decompressor = zlib.decompressobj(wbits=31)
    in_member = False  # fed data to a gzip member whose end marker has not come yet
    pending: list[bytes] = []
    size = 0
    try:
        while compressed := raw.read(READ_BYTES):
            while compressed:
                out = decompressor.decompress(compressed)
                in_member = True
                pending.append(out)
                size += len(out)
                if decompressor.eof:  # a file may hold several gzip members one after another
                    compressed = decompressor.unused_data
                    decompressor = zlib.decompressobj(wbits=31)
                    in_member = False
                else:
                    compressed = b""
            if size >= chunk_bytes:
                yield b"".join(pending)
                pending, size = [], 0
    except zlib.error:
        if pending:
            yield b"".join(pending)
        raise
    if pending:
        yield b"".join(pending)
    if in_member:
        raise EOFError("compressed file ended before the end-of-stream marker was reached")


def iter_line_batches(chunks: Iterator[bytes]) -> Iterator[LineBatch]:
    """Yield the lines of a stream of byte chunks in batches (one per chunk).

    Lines end at ``\\n``; a final line without a newline is still a line, an empty file has none.
    Errors of ``chunks`` (a damaged gzip file) propagate after the lines read before them.
    """
    first_line = 1
    rest = b""
    for chunk in chunks:
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
