"""Lake files: parquet keeps its types (exact decimals), CSV lands as text, bad CSV rows are quarantined."""

from __future__ import annotations

import datetime as dt
import json
import os
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
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


def test_tables_by_configuration_parquet_with_int96_csv_and_json_lines(
    tmp_path: Path, ingest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lake folder nobody here wrote: three tables, one per config entry, each in its own format."""
    lake = tmp_path / "their_lake"
    (lake / "sensor_readings" / "day=1").mkdir(parents=True)
    readings = pa.table(
        {
            "sensor": ["a", "b", "c"],
            "read_at": pa.array(
                [dt.datetime(2025, 1, 1, 0, 0, 1), dt.datetime(2025, 6, 30, 23, 59, 59, 123456), None],
                pa.timestamp("us"),
            ),
            "reading": pa.array([Decimal("1.05"), Decimal("-0.50"), Decimal("123456.78")], pa.decimal128(9, 2)),
        }
    )
    pq.write_table(
        readings, lake / "sensor_readings" / "day=1" / "part-0.parquet", use_deprecated_int96_timestamps=True
    )
    assert (
        pq.ParquetFile(lake / "sensor_readings" / "day=1" / "part-0.parquet").schema.column(1).physical_type == "INT96"
    )
    (lake / "stores").mkdir()
    (lake / "stores" / "stores.csv").write_text('store_id,name,opened\n1,"Berlin, Mitte",2020-01-01\n2,Köln,\n')
    (lake / "clicks").mkdir()
    clicks = ['{"id": 1, "page": "/"}', '{"id": 2, "page": "/cart", "extra": {"nested": true}}']
    (lake / "clicks" / "2025-01-01.jsonl").write_text("\n".join(clicks) + "\n")
    monkeypatch.setenv("SOURCES__LAKE__BUCKET_URL", str(lake))
    monkeypatch.setenv(
        "SOURCES__LAKE__TABLES",
        json.dumps(
            {
                "sensor_readings": {"file_glob": "sensor_readings/**/*.parquet", "format": "parquet"},
                "stores": {"file_glob": "stores/*.csv", "format": "csv"},
                "clicks": {"file_glob": "clicks/*.jsonl", "format": "jsonl"},
            }
        ),
    )
    data_dir = tmp_path / "data"

    result = ingest(data_dir, "lake")

    assert result.ok, result.error
    assert result.status == "ok" and result.files == 3
    landed = query(data_dir, "select sensor, read_at, reading, _line_number from lake.sensor_readings order by 1")
    utc = dt.UTC  # dlt lands parquet timestamps as timestamp with time zone; naive ones are UTC
    assert landed == [
        ("a", dt.datetime(2025, 1, 1, 0, 0, 1, tzinfo=utc), Decimal("1.05"), 1),
        ("b", dt.datetime(2025, 6, 30, 23, 59, 59, 123456, tzinfo=utc), Decimal("-0.50"), 2),
        ("c", None, Decimal("123456.78"), 3),
    ]
    assert scalar(data_dir, "select typeof(any_value(reading)) from lake.sensor_readings") == "DECIMAL(9,2)"
    assert query(data_dir, "select store_id, name, opened, _line_number from lake.stores order by 1") == [
        ("1", "Berlin, Mitte", "2020-01-01", 2),
        ("2", "Köln", "", 3),
    ]
    assert query(data_dir, "select _line_number, document from lake.clicks order by 1") == list(
        enumerate(clicks, start=1)
    )


def test_a_lake_table_with_an_unknown_format_names_the_setting(
    tmp_path: Path, ingest, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCES__LAKE__BUCKET_URL", str(tmp_path))
    monkeypatch.setenv("SOURCES__LAKE__TABLES", '{"orders": {"file_glob": "*.xlsx", "format": "excel"}}')

    result = ingest(tmp_path / "data", "lake")

    assert not result.ok
    assert result.error == "lake: sources.lake.tables.orders.format must be one of parquet, csv, jsonl, not 'excel'"


def test_object_storage_without_credentials_names_the_settings(
    tmp_path: Path, ingest, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [name for name in os.environ if name.startswith("AWS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))  # no ~/.aws profile either
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("SOURCES__LAKE__BUCKET_URL", "s3://their-bucket/lake")

    result = ingest(tmp_path / "data", "lake")

    assert not result.ok
    assert result.error == (
        "lake: no credentials for the bucket (AwsCredentials): set SOURCES__LAKE__CREDENTIALS__AWS_ACCESS_KEY_ID "
        "and SOURCES__LAKE__CREDENTIALS__AWS_SECRET_ACCESS_KEY, or aws_access_key_id, aws_secret_access_key under "
        "[sources.lake.credentials] in .dlt/secrets.toml"
    )
    assert "Missing" not in result.error


def test_a_parquet_file_copied_under_another_name_loads_once(
    tmp_path: Path, ingest, monkeypatch: pytest.MonkeyPatch
) -> None:
    lake = tmp_path / "lake"
    (lake / "prices").mkdir(parents=True)
    prices = pa.table({"sku": ["a", "b"], "price": pa.array([Decimal("1.10"), Decimal("2.20")], pa.decimal128(6, 2))})
    pq.write_table(prices, lake / "prices" / "2025-01-01.parquet")
    (lake / "prices" / "2025-01-01 (copy).parquet").write_bytes((lake / "prices" / "2025-01-01.parquet").read_bytes())
    pq.write_table(prices.slice(0, 1), lake / "prices" / "2025-01-02.parquet")
    monkeypatch.setenv("SOURCES__LAKE__BUCKET_URL", str(lake))
    monkeypatch.setenv("SOURCES__LAKE__TABLES", '{"prices": {"file_glob": "prices/*.parquet", "format": "parquet"}}')
    data_dir = tmp_path / "data"

    result = ingest(data_dir, "lake")

    assert result.ok, result.error
    assert result.files == 2 and result.status == "WARNING:duplicate-content"
    assert "prices/2025-01-01.parquet has the content of prices/2025-01-01 (copy).parquet" in result.warnings[0][1]
    assert query(data_dir, "select _file_name, count(*) from lake.prices group by 1 order by 1") == [
        ("prices/2025-01-01 (copy).parquet", 2),
        ("prices/2025-01-02.parquet", 1),
    ]
