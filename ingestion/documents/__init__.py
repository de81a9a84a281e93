"""Review service export (mongoexport JSON lines, relaxed Extended JSON) → raw ``documents`` dataset.

Each new export file is read once into ``documents.reviews``: one row per line with the document
as text in ``document`` plus ``_file_name`` and ``_line_number``. dlt does not flatten documents
into columns or child tables, so a schema change upstream (``body`` → ``text``) cannot break the
load; ``$oid``/``$date``/``$numberDecimal`` are unwrapped in dbt staging.
"""

from __future__ import annotations

from collections.abc import Iterator

import dlt
from dlt.extract.resource import DltResource

from ..common.files import bucket_url, file_resource, raw_lines_reader
from ..common.settings import Paths
from ..common.stats import SourceStats
from ..runner import SourceSpec


@dlt.source(name="documents", max_table_nesting=0)
def documents(
    bucket_url: str = dlt.config.value,
    file_glob: str = "reviews/*.json",
    stats: SourceStats | None = None,
) -> Iterator[DltResource]:
    """The ``reviews`` table: one row per exported document line."""
    yield file_resource(
        table_name="reviews",
        bucket_url=bucket_url,
        file_glob=file_glob,
        reader=raw_lines_reader("document"),
        stats=stats or SourceStats("documents"),
    )


def build(paths: Paths, stats: SourceStats) -> dlt.sources.DltSource:
    """The source with the demo's export folder unless ``sources.documents.bucket_url`` is set."""
    url = bucket_url(
        "documents",
        dlt.config.get("sources.documents.bucket_url", str),
        paths.sources_dir / "documents",
        "generate the demo data with `make demo-data`",
    )
    return documents(bucket_url=url, stats=stats)


SPEC = SourceSpec("documents", "review documents exported from the document store", build)
