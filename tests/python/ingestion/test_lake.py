"""Lake files: parquet keeps its types (exact decimals), CSV lands as text, bad CSV rows are quarantined."""

from __future__ import annotations

from decimal import Decimal

import pyarrow.parquet as pq
from ingest_helpers import demo, manifest, query, scalar


def test_parquet_and_csv_land_with_exact_values(generated, ingest) -> None:
    data_dir = generated(4)
    truth = manifest(data_dir)["lake"]

    result = ingest(data_dir, "lake")

    assert result.ok, result.error
    assert result.files == truth["inventory_snapshots"]["files"] + truth["fx_rates"]["files"]
    assert scalar(data_dir, "select count(*) from lake.inventory_snapshots") == truth["inventory_snapshots"]["rows"]
    assert scalar(data_dir, "select count(*) from lake.fx_rates") == truth["fx_rates"]["rows"]
    files = sorted((data_dir / "sources" / "lake" / "inventory_snapshots").glob("dt=*/*.parquet"))
    expected = sum((value.as_py() for path in files for value in pq.read_table(path)["list_price_usd"]), Decimal(0))
    assert scalar(data_dir, "select sum(list_price_usd) from lake.inventory_snapshots") == expected
    assert scalar(data_dir, "select typeof(any_value(list_price_usd)) from lake.inventory_snapshots") == "DECIMAL(12,2)"
    csv = (data_dir / "sources" / "lake" / "fx_rates" / "dt=2025-01-02" / "fx_rates.csv").read_text().splitlines()
    landed = query(
        data_dir,
        "select _line_number, rate_date, currency, usd_per_unit from lake.fx_rates "
        "where _file_name = 'fx_rates/dt=2025-01-02/fx_rates.csv' order by 1",
    )
    assert landed == [(number, *line.split(",")) for number, line in enumerate(csv, start=1) if number > 1]


def test_bad_csv_rows_are_rejected_with_line_and_reason(generated, ingest) -> None:
    data_dir = generated(2)
    folder = data_dir / "sources" / "lake" / "fx_rates" / "dt=2025-01-03"
    folder.mkdir()
    (folder / "fx_rates.csv").write_text(
        "rate_date,currency,usd_per_unit\n2025-01-03,USD,1.000000\n2025-01-03,EUR\n2025-01-03,GBP,1.25,x\n"
        "2025-01-03,GBP,1.250000\n"
    )
    result = ingest(data_dir, "lake")
    assert result.ok, result.error
    assert result.rejected == 2
    rejects = query(data_dir, "select line_number, reason, raw_content from lake.rejected_records order by 1")
    assert [row[0] for row in rejects] == [3, 4]
    assert "fields" in rejects[0][1] and rejects[0][2] == "2025-01-03,EUR"
    landed = query(
        data_dir,
        "select _line_number, currency from lake.fx_rates where _file_name = 'fx_rates/dt=2025-01-03/fx_rates.csv' "
        "order by 1",
    )
    assert landed == [(2, "USD"), (5, "GBP")]


def test_advance_loads_new_partitions_once(generated, ingest) -> None:
    data_dir = generated(3)
    assert ingest(data_dir, "lake").ok
    assert ingest(data_dir, "lake").files == 0
    demo(data_dir, "advance", "--days", "2")
    assert ingest(data_dir, "lake").files == 4
    truth = manifest(data_dir)["lake"]
    assert scalar(data_dir, "select count(*) from lake.inventory_snapshots") == truth["inventory_snapshots"]["rows"]
    assert scalar(data_dir, "select count(*) from lake.fx_rates") == truth["fx_rates"]["rows"]
