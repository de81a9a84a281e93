"""Web server access logs (nginx or Apache, plain or gzip, one file per day) → raw ``weblogs`` dataset.

Each new log file matching ``sources.weblogs.file_glob`` is decompressed while it is read and lands once
in ``weblogs.access_log``: one row per line in ``line`` plus ``_file_name`` and ``_line_number``. Parsing
(regular expressions, local time to UTC, bots) happens in dbt staging, so a truncated or odd line is
kept, not lost.
"""

from __future__ import annotations

from ..common.files import demo_folder_build, file_source, raw_lines_reader
from ..common.spec import SourceSpec

weblogs = file_source("weblogs", "file_glob", {"text": raw_lines_reader("line")}, table="access_log")
"""``weblogs(file_glob, bucket_url, ...)``: the ``access_log`` table, one row per log line."""

SPEC = SourceSpec("weblogs", "web server access logs", demo_folder_build(weblogs, "logs", "nginx"))
