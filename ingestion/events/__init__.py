"""Clickstream events (JSON lines, gzip, hive-partitioned) → raw ``events`` dataset.

Each new file matching ``sources.events.file_glob`` is read once, line by line, into ``events.events``:
the line as text in ``event`` plus ``_file_name`` and ``_line_number``. Nothing is parsed here
(schema-on-read): duplicates, cut-off JSON and odd values land as they came and are flagged in dbt staging.
"""

from __future__ import annotations

from ..common.files import demo_folder_build, file_source, raw_lines_reader
from ..common.spec import SourceSpec

events = file_source("events", "file_glob", {"jsonl": raw_lines_reader("event")}, table="events")
"""``events(file_glob, bucket_url, ...)``: the ``events`` table, one row per line."""

SPEC = SourceSpec("events", "clickstream JSON lines from the lake", demo_folder_build(events, "lake", "events"))
