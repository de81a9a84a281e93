"""Web server access logs (nginx combined, gzip, one file per day) → raw ``weblogs`` dataset.

Each new log file is decompressed while it is read and lands once in ``weblogs.access_log``: one
row per line in ``line`` plus ``_file_name`` and ``_line_number``. Parsing (regular expressions,
local time to UTC, bots) happens in dbt staging, so a truncated or odd line is kept, not lost.
"""

from __future__ import annotations

from collections.abc import Iterator

import dlt
from dlt.extract.resource import DltResource

from ..common.files import bucket_url, file_resource, raw_lines_reader
from ..common.settings import Paths
from ..common.stats import SourceStats
from ..runner import SourceSpec


@dlt.source(name="weblogs", max_table_nesting=0)
def weblogs(
    bucket_url: str = dlt.config.value,
    file_glob: str = "access.log-*",
    stats: SourceStats | None = None,
) -> Iterator[DltResource]:
    """The ``access_log`` table: one row per log line."""
    yield file_resource(
        table_name="access_log",
        bucket_url=bucket_url,
        file_glob=file_glob,
        reader=raw_lines_reader("line"),
        stats=stats or SourceStats("weblogs"),
    )


def build(paths: Paths, stats: SourceStats) -> dlt.sources.DltSource:
    """The source with the demo's log folder unless ``sources.weblogs.bucket_url`` is set."""
    url = bucket_url(
        "weblogs",
        dlt.config.get("sources.weblogs.bucket_url", str),
        paths.sources_dir / "logs" / "nginx",
        "generate the demo data with `make demo-data`",
    )
    return weblogs(bucket_url=url, stats=stats)


SPEC = SourceSpec("weblogs", "nginx access logs", build)
