"""File sources: list files with dlt's ``filesystem`` resource, load each new file exactly once.

Incremental by file: the resource state keeps every loaded file's relative path with its size and
modification time. A file is read once; a file that reappears changed is reported, not reloaded
(lake files are immutable: a changed file is an upstream incident to look at). The state is
committed together with the loaded rows, so a failed run loads the same files again next time.

Works on any fsspec location dlt's ``filesystem`` supports (local folders, s3://, gs://, az://).
"""

from __future__ import annotations

import csv
import hashlib
import inspect
import io
import itertools
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, Optional

import dlt
import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
from dlt.common.libs.pyarrow import get_column_type_from_py_arrow
from dlt.common.storages.fsspec_filesystem import FileItemDict
from dlt.extract.resource import DltResource
from dlt.extract.source import DltSource
from dlt.sources.filesystem import filesystem

from .errors import SourceError
from .lines import CORRUPT_FILE_ERRORS, iter_line_batches, read_chunks
from .settings import Paths
from .stats import SourceStats

log = logging.getLogger(__name__)

REJECTS_TABLE = "rejected_records"
"""Per dataset: input that could not be stored as data, with file, line number and reason."""

REJECTS_SCHEMA = pa.schema(
    [
        pa.field("source_table", pa.string(), nullable=False),
        pa.field("file_name", pa.string(), nullable=False),
        pa.field("line_number", pa.int64()),  # null: the reject concerns the file as a whole
        pa.field("reason", pa.string(), nullable=False),
        pa.field("raw_content", pa.string()),  # the line, invalid bytes replaced by U+FFFD
    ]
)

Reader = Callable[[FileItemDict, str, "ContentDigest"], Iterator[pa.Table]]
"""Reads one file; yields Arrow tables that already carry ``_file_name`` and ``_line_number``, and feeds
the file's (decompressed) content to the digest as it reads it."""


def file_resource(
    *,
    table_name: str,
    bucket_url: str,
    file_glob: str,
    reader: Reader,
    stats: SourceStats,
) -> DltResource:
    """Return ``filesystem(bucket_url, file_glob) | <reader>`` as a resource named ``table_name``.

    ``reader`` turns one file into Arrow tables; a file it cannot read (corrupt gzip, not parquet)
    becomes a row in ``rejected_records`` with the reason, and the rows read before the damage stay.
    A new file whose content (decompressed) equals a file loaded before, or earlier in the same run,
    is not loaded again (``x.log`` and ``x.log.gz``): the run reports it.
    """
    listing = filesystem(bucket_url=bucket_url, file_glob=file_glob).with_name(f"{table_name}_files")
    stats.listings[table_name] = f"{file_glob} under {bucket_url}"

    known_types: dict[str, str] = {}  # column -> dlt data type: of the loaded table, else of this run's first file

    def read_new_files(items: list[FileItemDict]) -> Iterator[Any]:
        state = dlt.current.resource_state()
        seen: dict[str, list[Any]] = state.setdefault("files", {})
        # content size (mod 2**32) -> content hash -> the file loaded with that content
        contents: dict[str, dict[str, str]] = state.setdefault("contents", {})
        stats.matched[table_name] = stats.matched.get(table_name, 0) + len(items)
        for item in sorted(items, key=lambda entry: entry["relative_path"]):
            name = item["relative_path"]
            stamp = [item["size_in_bytes"], item["modification_date"].isoformat()]
            if name in seen:
                if seen[name] != stamp:
                    stats.changed_files.append(name)
                continue
            stats.progress(f"{table_name}: {name}")
            first = _loaded_copy(item, name, contents)
            if first is not None:
                stats.duplicates.append((name, first))
                seen[name] = stamp
                continue
            if not known_types:  # read when a file is to be read: a run with nothing new needs no schema
                known_types.update(_loaded_types(table_name))
            digest = ContentDigest()
            stored = 0
            try:
                for table in reader(item, name, digest):
                    changed = _type_changes(table.schema, known_types)
                    if changed:  # the destination could not cast it, and the whole load would fail
                        reason = (
                            f"column type changed: {changed}; fix the file, or drop the raw table "
                            f"{table_name} to reload every file with the new type"
                        )
                        raise _Rejects([(name, None, reason, None)])
                    stats.rows_read += table.num_rows
                    stored += table.num_rows
                    yield table
            except _Rejects as rejects:  # a reader found bad records inside a readable file
                stats.rejected_files += 0 if stored else 1
                yield from _reject_rows(table_name, rejects.rows, stats)
            except CORRUPT_FILE_ERRORS + (pa.ArrowInvalid,) as exc:
                stats.rejected_files += 0 if stored else 1
                reason = f"unreadable file: {type(exc).__name__}: {exc}"
                yield from _reject_rows(table_name, [(name, None, reason, None)], stats)
            seen[name] = stamp
            if digest.complete and digest.size:  # empty files hold nothing to count twice
                contents.setdefault(str(digest.size % GZIP_SIZE_MODULO), {})[digest.hexdigest()] = name
            stats.files += 1

    reader_resource = dlt.transformer(
        read_new_files,
        name=table_name,
        write_disposition="append",
        # no column hints here: rejects are yielded from this resource too and would inherit them;
        # the Arrow schema (non-null _file_name, _line_number, line text) defines the data table
    )
    return listing | reader_resource


GZIP_SIZE_MODULO = 2**32
"""A gzip file's trailer holds its content's size modulo 2**32 (ISIZE)."""


class ContentDigest:
    """Hash and size of a file's content (decompressed), filled while a reader reads it."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()
        self.size = 0
        self.complete = False  # True once the reader has read the whole content

    def update(self, chunk: bytes) -> None:
        self._hash.update(chunk)
        self.size += len(chunk)

    def hexdigest(self) -> str:
        return self._hash.hexdigest()[:32]

    def chunks(self, raw: IO[bytes], name: str) -> Iterator[bytes]:
        """``read_chunks(raw, name)``, hashing each chunk; ``complete`` when the content ended normally."""
        for chunk in read_chunks(raw, name):
            self.update(chunk)
            yield chunk
        self.complete = True


def _expected_size(item: FileItemDict, name: str) -> int | None:
    """The content size (mod 2**32) known without reading the content: the file size, a gzip trailer's ISIZE."""
    if not name.endswith(".gz"):
        return int(item["size_in_bytes"]) % GZIP_SIZE_MODULO
    try:
        with item.open(compression="disable") as raw:
            raw.seek(-4, io.SEEK_END)
            return int.from_bytes(raw.read(4), "little")
    except (OSError, ValueError):
        return None


def _loaded_copy(item: FileItemDict, name: str, contents: dict[str, dict[str, str]]) -> str | None:
    """The file loaded before with the same content as this one, or None.

    Only a file whose content size equals that of a loaded file is read (and hashed) ahead of its load;
    the others are hashed while they are read. A multi-member gzip file's trailer gives the last member's
    size only: such a file is found as a copy of a file loaded after it, not before.
    """
    size = _expected_size(item, name)
    candidates = (
        contents.get(str(size)) if size is not None else {k: v for c in contents.values() for k, v in c.items()}
    )
    if not candidates:
        return None
    digest = ContentDigest()
    try:
        with item.open(compression="disable") as raw:
            for _ in digest.chunks(raw, name):
                pass
    except CORRUPT_FILE_ERRORS:
        return None  # the reader rejects it with the reason
    return candidates.get(digest.hexdigest()) if digest.size else None


def _loaded_types(table_name: str) -> dict[str, str]:
    """The dlt data types of the columns of the table as loaded so far (empty before the first load)."""
    pipeline = dlt.current.pipeline()  # resolves dlt's pipeline configuration on each call: once here
    schema = pipeline.default_schema if pipeline.default_schema_name else None
    if schema is None or table_name not in schema.tables:
        return {}
    return {
        name: column["data_type"]
        for name, column in schema.get_table_columns(table_name).items()
        if "data_type" in column
    }


def _type_changes(schema: pa.Schema, known: dict[str, str]) -> str:
    """Columns of ``schema`` whose dlt data type differs from ``known`` (which learns the new columns)."""
    changes = []
    for arrow_field in schema:
        if pa.types.is_null(arrow_field.type):
            continue
        data_type = get_column_type_from_py_arrow(arrow_field.type)["data_type"]
        before = known.setdefault(arrow_field.name, data_type)
        if before != data_type:
            changes.append(f"{arrow_field.name} is {data_type} in this file, {before} in the files loaded before")
    return ", ".join(changes)


class _Rejects(Exception):
    """Raised by a reader at the end of a file with the records it could not store."""

    def __init__(self, rows: list[tuple[str, int | None, str, str | None]]) -> None:
        super().__init__(f"{len(rows)} rejected records")
        self.rows = rows


def _reject_rows(
    table_name: str, rows: list[tuple[str, int | None, str, str | None]], stats: SourceStats
) -> Iterator[Any]:
    """Yield rejects as rows of the dataset's ``rejected_records`` table."""
    stats.rejected += len(rows)
    for file_name, line_number, reason, _ in rows:
        log.warning("%s: rejected %s line %s: %s", table_name, file_name, line_number, reason)
    table = pa.Table.from_pylist(
        [
            {"source_table": table_name, "file_name": file, "line_number": line, "reason": reason, "raw_content": raw}
            for file, line, reason, raw in rows
        ],
        schema=REJECTS_SCHEMA,
    )
    yield dlt.mark.with_table_name(table, REJECTS_TABLE)


def _with_file_columns(table: pa.Table, file_name: str, numbers: pa.Array) -> pa.Table:
    """Append ``_file_name`` and ``_line_number`` to an Arrow table."""
    names = pa.array([file_name] * table.num_rows, pa.string())
    return table.append_column(pa.field("_file_name", pa.string(), nullable=False), names).append_column(
        pa.field("_line_number", pa.int64(), nullable=False), numbers
    )


def raw_lines_reader(column: str) -> Reader:
    """Reader that keeps each line of a text file (gzip or plain) as one string in ``column``."""

    def read(item: FileItemDict, name: str, digest: ContentDigest) -> Iterator[pa.Table]:
        rejects: list[tuple[str, int | None, str, str | None]] = []
        next_line = 1
        with item.open(compression="disable") as raw:
            try:
                chunks = digest.chunks(raw, name)
                first = next(chunks, b"")
                problem = not_utf8_reason(first)
                if problem:  # a UTF-16 file would land as lines of NUL-padded text: reject it whole
                    raise _Rejects([(name, None, problem, None)])
                for batch in iter_line_batches(itertools.chain([first], chunks)):
                    next_line = batch.next_line
                    rejects.extend((name, number, reason, text) for number, reason, text in batch.rejects)
                    if len(batch.lines):
                        lines = pa.Table.from_arrays(
                            [batch.lines], schema=pa.schema([pa.field(column, pa.string(), False)])
                        )
                        yield _with_file_columns(lines, name, batch.numbers)
            except CORRUPT_FILE_ERRORS as exc:
                rejects.append(
                    (name, None, f"file damaged after line {next_line - 1}: {type(exc).__name__}: {exc}", None)
                )
        if rejects:
            raise _Rejects(rejects)

    return read


def parquet_reader(item: FileItemDict, name: str, digest: ContentDigest) -> Iterator[pa.Table]:
    """Read a parquet file batch by batch, keeping its own (typed) schema."""
    with item.open(compression="disable") as raw:
        for _ in digest.chunks(raw, name):  # parquet is read from its footer on: hash the bytes first
            pass
        raw.seek(0)
        parquet = pq.ParquetFile(raw)
        first = 1
        for batch in parquet.iter_batches(batch_size=256_000):
            table = pa.Table.from_batches([batch])
            numbers = pa.array(np.arange(first, first + table.num_rows, dtype=np.int64))
            first += table.num_rows
            yield _with_file_columns(table, name, numbers)


def csv_text_reader(item: FileItemDict, name: str, digest: ContentDigest) -> Iterator[pa.Table]:
    """Read a CSV file with a header, every column as text (types are applied in dbt staging).

    ``_line_number`` is the data row's line in the file (the header is line 1). Rows with the
    wrong number of fields are rejected with their line, not dropped.
    """
    rejects: list[tuple[str, int | None, str, str | None]] = []

    def on_invalid(row: pa_csv.InvalidRow) -> str:
        rejects.append(
            (name, row.number, f"CSV row has {row.actual_columns} fields, expected {row.expected_columns}", row.text)
        )
        return "skip"

    with item.open(compression="disable") as raw:
        content = b"".join(digest.chunks(raw, name))
    first_line = content.split(b"\n", 1)[0]
    problem = not_utf8_reason(content[:4096])
    try:
        header = next(csv.reader([first_line.decode("utf-8").rstrip("\r")]), [])
    except UnicodeDecodeError as exc:
        problem = (
            problem or f"the header is not valid UTF-8 ({exc.reason} at byte {exc.start}); convert the file to UTF-8"
        )
    if problem:
        raise _Rejects([(name, None, problem, None)])
    table = pa_csv.read_csv(
        io.BytesIO(content),
        read_options=pa_csv.ReadOptions(use_threads=False),
        parse_options=pa_csv.ParseOptions(invalid_row_handler=on_invalid, newlines_in_values=False),
        convert_options=pa_csv.ConvertOptions(
            column_types={column: pa.string() for column in header}, strings_can_be_null=False
        ),
    )
    if table.num_rows:
        skipped = {number for _, number, _, _ in rejects}
        numbers = [line for line in range(2, 2 + table.num_rows + len(skipped)) if line not in skipped]
        yield _with_file_columns(table, name, pa.array(numbers, pa.int64()))
    if rejects:
        raise _Rejects(rejects)


BYTE_ORDER_MARKS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


def not_utf8_reason(head: bytes) -> str | None:
    """Why a file that starts with ``head`` is not UTF-8 text (a UTF-16/32 export), or None."""
    for mark, encoding in BYTE_ORDER_MARKS:
        if head.startswith(mark):
            return f"the file is {encoding} (byte-order mark), not UTF-8; convert it: iconv -f {encoding} -t UTF-8"
    if b"\x00" in head[:4096]:
        return "the file has NUL bytes: UTF-16/32 without a byte-order mark, or not text; convert it to UTF-8"
    return None


def _env_name(source: str, *keys: str) -> str:
    """The environment variable of ``sources.<source>.<keys>``."""
    return "__".join(["SOURCES", source, *keys]).upper()


def resolve_bucket_url(source: str, configured: str | None, demo_folder: str | None) -> str:
    """Return the configured bucket URL, else the demo's folder; a missing local folder is an error."""
    url = configured or demo_folder
    if not url:
        raise SourceError(f"{source}: no folder; set sources.{source}.bucket_url ({_env_name(source, 'bucket_url')})")
    local = url[len("file://") :] if url.startswith("file://") else url if "://" not in url else None
    if local is not None and not Path(local).is_dir():
        hint = "generate the demo data with `make demo-data` or set" if not configured else "check"
        raise SourceError(f"{source}: folder {local} does not exist; {hint} SOURCES__{source.upper()}__BUCKET_URL")
    return url if "://" in url else Path(url).resolve().as_uri()


def file_tables(
    source: str,
    key: str,
    entries: dict[str, Any],
    readers: dict[str, Reader],
    *,
    bucket_url: str | None,
    demo_folder: str | None,
    stats: SourceStats,
) -> Iterator[DltResource]:
    """One resource per entry of ``sources.<source>.<key>``: ``{table: {file_glob, format, bucket_url}}``.

    ``format`` picks the reader (the first of ``readers`` when there is one only, else required); an
    entry's ``bucket_url`` replaces the source's. Every problem names the setting to fix.
    """
    if not isinstance(entries, dict) or not entries:
        raise SourceError(
            f"{source}: no {key} configured; add a [sources.{source}.{key}.<name>] entry with file_glob "
            "to .dlt/config.toml"
        )
    for table_name, entry in entries.items():
        setting = f"sources.{source}.{key}.{table_name}"
        if not isinstance(entry, dict) or not entry.get("file_glob"):
            raise SourceError(f'{source}: {setting} needs file_glob (e.g. file_glob = "{table_name}/**/*")')
        unknown = sorted(set(entry) - {"file_glob", "format", "bucket_url"})
        if unknown:
            raise SourceError(f"{source}: {setting} has unknown setting(s) {', '.join(unknown)}")
        kind = entry.get("format") or (next(iter(readers)) if len(readers) == 1 else None)
        if kind not in readers:
            raise SourceError(f"{source}: {setting}.format must be one of {', '.join(readers)}, not {kind!r}")
        yield file_resource(
            table_name=table_name,
            bucket_url=resolve_bucket_url(source, entry.get("bucket_url") or bucket_url, demo_folder),
            file_glob=str(entry["file_glob"]),
            reader=readers[kind],
            stats=stats,
        )


def file_source(name: str, setting: str, readers: dict[str, Reader], *, table: str | None = None) -> Any:
    """A ``@dlt.source`` function ``name(<setting>, bucket_url=None, demo_folder=None, stats=None)``.

    ``setting`` is injected from ``sources.<name>.<setting>``: a table of entries
    (``[sources.<name>.<setting>.<table_name>]``, see ``file_tables``), or, with ``table``, the
    ``file_glob`` of that one table. ``bucket_url`` is injected from ``sources.<name>.bucket_url`` too;
    ``demo_folder`` (used without bucket_url) and ``stats`` are passed by the runner.
    """

    def source(**arguments: Any) -> Iterator[DltResource]:
        value = arguments[setting]
        yield from file_tables(
            name,
            setting,
            {table: {"file_glob": value}} if table else value,
            readers,
            bucket_url=arguments["bucket_url"],
            demo_folder=arguments["demo_folder"],
            stats=arguments["stats"] or SourceStats(name),
        )

    keyword = inspect.Parameter.KEYWORD_ONLY
    source.__signature__ = inspect.Signature(  # type: ignore[attr-defined] - dlt injects by the signature
        [
            inspect.Parameter(setting, keyword, default=dlt.config.value, annotation=str if table else dict[str, Any]),
            inspect.Parameter("bucket_url", keyword, default=None, annotation=Optional[str]),  # noqa: UP045
            inspect.Parameter("demo_folder", keyword, default=None, annotation=Optional[str]),  # noqa: UP045
            inspect.Parameter("stats", keyword, default=None, annotation=Optional[SourceStats]),  # noqa: UP045
        ]
    )
    source.__name__ = source.__qualname__ = name
    return dlt.source(name=name, section=name, max_table_nesting=0)(source)


def demo_folder_build(source: Callable[..., DltSource], *parts: str) -> Callable[[Paths, SourceStats], DltSource]:
    """``build`` of a file source: the demo's folder ``DATA_DIR/sources/<parts>`` when no bucket_url is set.

    Every setting (bucket_url, globs, tables) reaches ``source`` through dlt's injection.
    """

    def build(paths: Paths, stats: SourceStats) -> DltSource:
        return source(demo_folder=str(paths.sources_dir.joinpath(*parts)), stats=stats)

    return build
