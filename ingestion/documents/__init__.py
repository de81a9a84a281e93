"""Document store export (mongoexport JSON lines, relaxed Extended JSON) → raw ``documents`` dataset.

One raw table per collection configured as ``[sources.documents.collections.<name>]`` (``file_glob``,
optional ``bucket_url``); the demo's review service exports one, ``reviews``. Each new export file is
read once: one row per line with the document as text in ``document`` plus ``_file_name`` and
``_line_number``. dlt does not flatten documents into columns or child tables, so a schema change
upstream (``body`` → ``text``) cannot break the load; ``$oid``/``$date``/``$numberDecimal`` are
unwrapped in dbt staging.
"""

from __future__ import annotations

from ..common.files import demo_folder_build, file_source, raw_lines_reader
from ..common.spec import SourceSpec

documents = file_source("documents", "collections", {"jsonl": raw_lines_reader("document")})
"""``documents(collections, bucket_url, ...)``: one table per collection, one row per exported document line."""

SPEC = SourceSpec(
    "documents", "document store exports, one table per collection", demo_folder_build(documents, "documents")
)
