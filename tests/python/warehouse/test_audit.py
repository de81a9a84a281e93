"""The audit trail: every row that enters is accounted for, and the build fails when one is not.

On the session warehouse the audit marts reconcile every raw table, and the ingestion's extract
counts agree with independent counts (the source files' lines, the source database's rows). On a
copy, rows are lost, duplicated and skipped on purpose; `dbt build` of the audit models must then
fail, and the marts must say which table, which load and how many rows.
"""

from __future__ import annotations

import gzip
import sqlite3
import subprocess
from pathlib import Path

import duckdb
from warehouse_helpers import DBT, PYTHON, REPO, Warehouse, run

AUDIT_MODELS = [
    "stg_audit__extract_counts",
    "stg_audit__loads",
    "stg_audit__raw_row_counts",
    "rpt_load_audit",
    "rpt_source_reconciliation",
]
RAW_DATASETS = ("oltp", "documents", "events", "weblogs", "adplatform", "lake")


def _raw_data_tables(warehouse: Warehouse) -> set[tuple[str, str]]:
    names = ", ".join(f"'{name}'" for name in RAW_DATASETS)
    return {
        (schema, table)
        for schema, table in warehouse.rows(
            f"select table_schema, table_name from information_schema.tables where table_schema in ({names})"
        )
        if not table.startswith("_") and table != "rejected_records"
    }


def test_every_raw_table_reconciles_on_the_demo(built_warehouse: Warehouse) -> None:
    rows = built_warehouse.rows(
        "select source_name, table_name, reconciliation_status, rows_unexplained, rows_in_raw, rows_valid, "
        "rows_quarantined from marts.rpt_source_reconciliation"
    )
    assert {(source, table) for source, table, *_ in rows} == _raw_data_tables(built_warehouse)
    assert [row for row in rows if row[2] != "reconciled" or row[3] != 0] == []
    quarantined = {(source, table): count for source, table, _, _, _, _, count in rows}
    assert quarantined[("events", "events")] > 0  # the dirty demo's bad events are counted, not lost

    loads = built_warehouse.rows("select audit_status, count(*) from marts.rpt_load_audit group by all")
    assert dict(loads).keys() <= {"ok", "superseded"}, loads
    # every completed load of every dataset that wrote rows has its audit rows
    for dataset in RAW_DATASETS:
        missing = built_warehouse.rows(
            f"select load_id from {dataset}._dlt_loads where status = 0 except "
            f"select load_id from marts.rpt_load_audit where source_name = '{dataset}'"
        )
        assert missing == [], f"{dataset}: loads without audit rows: {missing}"


def test_extract_counts_agree_with_the_sources(built_warehouse: Warehouse) -> None:
    """Counted independently: lines of the events files, rows of the shop database."""
    files = sorted((built_warehouse.data_dir / "sources" / "lake" / "events").rglob("*.jsonl.gz"))
    lines = 0
    for path in files:
        with gzip.open(path, "rb") as handle:
            lines += sum(1 for _ in handle)
    extracted = built_warehouse.one(
        "select sum(rows_extracted) from events._ingest_audit where table_name in ('events', 'rejected_records')"
    )
    assert len(files) > 10 and extracted == lines

    database = sqlite3.connect(built_warehouse.data_dir / "sources" / "shop.sqlite")
    try:
        tables = [name for (name,) in database.execute("select name from sqlite_master where type = 'table'")]
        in_source = {name: database.execute(f'select count(*) from "{name}"').fetchone()[0] for name in tables}
    finally:
        database.close()
    recorded = dict(
        built_warehouse.rows(
            "select table_name, source_rows_before_last_extract from marts.rpt_source_reconciliation "
            "where source_name = 'oltp'"
        )
    )
    assert recorded == in_source


def _build_audit(warehouse: Warehouse) -> subprocess.CompletedProcess[str]:
    paths = ["--target-path", str(warehouse.root / "target"), "--log-path", str(warehouse.root / "logs")]
    command = [DBT, "build", "--select", *AUDIT_MODELS, "--project-dir", ".", "--profiles-dir", ".", *paths]
    return subprocess.run(command, cwd=REPO, env=warehouse.env, capture_output=True, text=True, timeout=600)


def _skip_a_late_commit(warehouse: Warehouse) -> None:
    """A customer committed with an `updated_at` far behind the cursor's lag: the incremental extract skips it."""
    database = sqlite3.connect(warehouse.data_dir / "sources" / "shop.sqlite")
    try:
        database.execute(
            "insert into customers (customer_id, first_name, last_name, preferred_currency, marketing_opt_in, "
            "created_at, updated_at) select max(customer_id) + 1, 'Late', 'Commit', 'EUR', false, "
            "min(created_at), min(updated_at) from customers"
        )
        database.commit()
    finally:
        database.close()
    run([PYTHON, "-m", "ingestion", "--source", "oltp"], warehouse.env)


def test_lost_duplicated_and_skipped_rows_fail_the_build(built_warehouse: Warehouse, tmp_path: Path) -> None:
    warehouse = built_warehouse.copy(tmp_path)
    events_load = warehouse.one("select max(_dlt_load_id) from events.events")
    weblogs_load = warehouse.one("select max(_dlt_load_id) from weblogs.access_log")
    _skip_a_late_commit(warehouse)
    with duckdb.connect(str(warehouse.data_dir / "warehouse.duckdb")) as con:
        con.execute(
            "delete from events.events where rowid in "
            f"(select rowid from events.events where _dlt_load_id = '{events_load}' limit 5)"
        )
        con.execute(
            "insert into weblogs.access_log select * from weblogs.access_log "
            f"where _dlt_load_id = '{weblogs_load}' limit 3"
        )

    built = _build_audit(warehouse)
    assert built.returncode == 1, built.stdout[-3000:]
    assert "accepted_range_rpt_load_audit_rows_unexplained" in built.stdout
    assert "accepted_range_rpt_source_reconciliation_rows_unexplained" in built.stdout

    loads = warehouse.rows(
        "select source_name, table_name, load_id, audit_status, rows_unexplained "
        "from marts.rpt_load_audit where rows_unexplained <> 0 order by 1"
    )
    assert loads == [
        ("events", "events", events_load, "rows_missing", 5),
        ("weblogs", "access_log", weblogs_load, "more_rows_than_extracted", 3),
    ]

    tables = dict(
        warehouse.rows(
            "select source_name || '.' || table_name, reconciliation_status "
            "from marts.rpt_source_reconciliation where rows_unexplained <> 0"
        )
    )
    assert tables == {
        "oltp.customers": "missing_from_raw",
        "events.events": "load_difference",
        "weblogs.access_log": "load_difference",
    }
    assert (
        warehouse.one(
            "select rows_missing_from_raw from marts.rpt_source_reconciliation where table_name = 'customers'"
        )
        == 1
    )
