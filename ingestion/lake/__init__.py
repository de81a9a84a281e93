"""Data lake tables (parquet and CSV, hive-partitioned) → raw ``lake`` dataset.

- ``inventory_snapshots``: parquet files read batch by batch with Arrow; the file's own types are
  kept (``decimal(12,2)`` stays exact).
- ``fx_rates``: CSV files read with Arrow, every column as text (typed in dbt staging, so a bad value
  cannot fail the load); a row with the wrong number of fields goes to ``rejected_records``.

Both load each new file once and carry ``_file_name`` (with the ``dt=`` partition) and ``_line_number``.
"""

from __future__ import annotations

from collections.abc import Iterator

import dlt
from dlt.extract.resource import DltResource

from ..common.files import bucket_url, csv_text_reader, file_resource, parquet_reader
from ..common.settings import Paths
from ..common.stats import SourceStats
from ..runner import SourceSpec


@dlt.source(name="lake", max_table_nesting=0)
def lake(
    bucket_url: str = dlt.config.value,
    inventory_glob: str = "inventory_snapshots/**/*.parquet",
    fx_rates_glob: str = "fx_rates/**/*.csv",
    stats: SourceStats | None = None,
) -> Iterator[DltResource]:
    """The ``inventory_snapshots`` and ``fx_rates`` tables."""
    stats = stats or SourceStats("lake")
    yield file_resource(
        table_name="inventory_snapshots",
        bucket_url=bucket_url,
        file_glob=inventory_glob,
        reader=parquet_reader,
        stats=stats,
    )
    yield file_resource(
        table_name="fx_rates", bucket_url=bucket_url, file_glob=fx_rates_glob, reader=csv_text_reader, stats=stats
    )


def build(paths: Paths, stats: SourceStats) -> dlt.sources.DltSource:
    """The source with the demo's lake folder unless ``sources.lake.bucket_url`` is set."""
    url = bucket_url(
        "lake",
        dlt.config.get("sources.lake.bucket_url", str),
        paths.sources_dir / "lake",
        "generate the demo data with `make demo-data`",
    )
    return lake(bucket_url=url, stats=stats)


SPEC = SourceSpec("lake", "inventory parquet and FX rate CSV files", build)
