"""Clickstream events (JSON lines, gzip, hive-partitioned) → raw ``events`` dataset.

Each new file under the events folder is read once, line by line, into ``events.events``: the line
as text in ``event`` plus ``_file_name`` and ``_line_number``. Nothing is parsed here (schema-on-read):
duplicates, cut-off JSON and odd values land as they came and are flagged in dbt staging.
"""

from __future__ import annotations

from collections.abc import Iterator

import dlt
from dlt.extract.resource import DltResource

from ..common.files import bucket_url, file_resource, raw_lines_reader
from ..common.settings import Paths
from ..common.stats import SourceStats
from ..runner import SourceSpec


@dlt.source(name="events", max_table_nesting=0)
def events(
    bucket_url: str = dlt.config.value,
    file_glob: str = "**/*.jsonl.gz",
    stats: SourceStats | None = None,
) -> Iterator[DltResource]:
    """The ``events`` table: one row per line of every new file matching ``file_glob``."""
    yield file_resource(
        table_name="events",
        bucket_url=bucket_url,
        file_glob=file_glob,
        reader=raw_lines_reader("event"),
        stats=stats or SourceStats("events"),
    )


def build(paths: Paths, stats: SourceStats) -> dlt.sources.DltSource:
    """The source with the demo's events folder unless ``sources.events.bucket_url`` is set."""
    url = bucket_url(
        "events",
        dlt.config.get("sources.events.bucket_url", str),
        paths.sources_dir / "lake" / "events",
        "generate the demo data with `make demo-data`",
    )
    return events(bucket_url=url, stats=stats)


SPEC = SourceSpec("events", "clickstream JSON lines from the lake", build)
