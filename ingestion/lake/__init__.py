"""Data lake tables (parquet, CSV, JSON lines; hive-partitioned or not) → raw ``lake`` dataset.

One raw table per ``[sources.lake.tables.<table_name>]`` entry (``file_glob``, ``format``, optional
``bucket_url``); the demo's lake has ``inventory_snapshots`` (parquet) and ``fx_rates`` (CSV).

- ``parquet``: read batch by batch with Arrow; the file's own types are kept (``decimal(12,2)``
  stays exact, legacy INT96 timestamps become timestamps).
- ``csv``: read with Arrow, every column as text (typed in dbt staging, so a bad value cannot fail
  the load); a row with the wrong number of fields goes to ``rejected_records``.
- ``jsonl``: one row per line, the JSON text in ``document`` (parsed in dbt staging, as events are).

Each new file loads once and carries ``_file_name`` (with the ``dt=`` partition) and ``_line_number``.
"""

from __future__ import annotations

from ..common.files import csv_text_reader, demo_folder_build, file_source, parquet_reader, raw_lines_reader
from ..common.spec import SourceSpec

READERS = {"parquet": parquet_reader, "csv": csv_text_reader, "jsonl": raw_lines_reader("document")}
"""The ``format`` of a lake table → how its files are read."""


lake = file_source("lake", "tables", READERS)
"""``lake(tables, bucket_url, ...)``: one table per entry of ``sources.lake.tables``."""

SPEC = SourceSpec("lake", "lake tables: parquet, CSV and JSON lines files", demo_folder_build(lake, "lake"))
