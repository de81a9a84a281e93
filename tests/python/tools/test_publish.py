"""tools.publish on a tiny warehouse: what it copies, the atomic swap, and a warehouse locked by a build."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[3]
if str(REPO) not in sys.path:  # `pytest` run without `python -m` (which puts the repo first)
    sys.path.insert(0, str(REPO))

from tools import publish  # noqa: E402


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A DATA_DIR whose warehouse has a marts table, a marts view and a staging table."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"))
    try:
        con.execute("create schema marts; create schema staging")
        con.execute("create table marts.fct_orders as select 1 as order_id, 12.34::decimal(18, 2) as net_amount")
        con.execute("create view marts.rpt_orders as select count(*) as orders from marts.fct_orders")
        con.execute("create table staging.stg_orders as select 1 as order_id")
    finally:
        con.close()
    return data_dir


def _manifest(tmp_path: Path) -> Path:
    node = {
        "resource_type": "model",
        "schema": "marts",
        "alias": "fct_orders",
        "name": "fct_orders",
        "description": "One row per order.",
        "columns": {"net_amount": {"description": "Captured minus refunded."}, "gone": {"description": "Not built."}},
    }
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({"nodes": {"model.shop.fct_orders": node}}))
    return path


def test_publish_copies_the_marts_with_types_and_comments(data_dir: Path, tmp_path: Path) -> None:
    assert publish.main(["--data-dir", str(data_dir), "--manifest", str(_manifest(tmp_path))]) == 0
    snapshot = data_dir / "published" / "warehouse.duckdb"
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        tables = "select schema_name, table_name from duckdb_tables() where schema_name <> 'main' order by all"
        assert con.execute(tables).fetchall() == [
            ("marts", "fct_orders"),
            ("marts", "rpt_orders"),
        ]  # a view, as a table
        assert con.execute("select net_amount from warehouse.marts.fct_orders").fetchall() == [(Decimal("12.34"),)]
        comment = "select comment from duckdb_columns() where table_name = 'fct_orders' and column_name = 'net_amount'"
        assert con.execute(comment).fetchall() == [("Captured minus refunded.",)]
        info = "select table_name, row_count from main.snapshot_info order by 1"
        assert con.execute(info).fetchall() == [("marts.fct_orders", 1), ("marts.rpt_orders", 1)]
    finally:
        con.close()
    assert [path.name for path in snapshot.parent.iterdir()] == ["warehouse.duckdb"]


def test_publish_swaps_the_file_under_an_open_reader(data_dir: Path) -> None:
    assert publish.main(["--data-dir", str(data_dir)]) == 0
    snapshot = data_dir / "published" / "warehouse.duckdb"
    reader = duckdb.connect(str(snapshot), read_only=True)
    try:
        writer = duckdb.connect(str(data_dir / "warehouse.duckdb"))
        writer.execute("insert into marts.fct_orders values (2, 1.00)")
        writer.close()
        assert publish.main(["--data-dir", str(data_dir)]) == 0
        assert reader.execute("select count(*) from marts.fct_orders").fetchall() == [(1,)]  # its old file
    finally:
        reader.close()
    fresh = duckdb.connect(str(snapshot), read_only=True)
    try:
        assert fresh.execute("select count(*) from marts.fct_orders").fetchall() == [(2,)]
    finally:
        fresh.close()


def test_publish_during_a_build_fails_clearly_and_keeps_the_old_snapshot(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert publish.main(["--data-dir", str(data_dir)]) == 0
    snapshot = data_dir / "published" / "warehouse.duckdb"
    before = snapshot.stat().st_ino
    capsys.readouterr()
    # a build holds the warehouse's write lock (DuckDB locks per process: the build is another process)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print(1, flush=True); "
         "time.sleep(60)", str(data_dir / "warehouse.duckdb")],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "1"
        assert publish.main(["--data-dir", str(data_dir)]) == 1
    finally:
        holder.kill()
        holder.wait()
    assert "is a dbt build running?" in capsys.readouterr().err
    assert snapshot.stat().st_ino == before
    assert [path.name for path in snapshot.parent.iterdir()] == ["warehouse.duckdb"]


def test_publish_without_a_warehouse_says_what_to_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert publish.main(["--data-dir", str(tmp_path)]) == 1
    assert "run `make build` first" in capsys.readouterr().err
