"""Lock-safe reading: analysts query DATA_DIR/published/warehouse.duckdb, a snapshot of the marts.

A session on the snapshot keeps working while `dbt build` writes the warehouse (DuckDB lets one process
write a file, and a reader of the warehouse itself would make the build fail), and `make publish` swaps a
new snapshot in while the old one is still open: the open session keeps its old file, a new one sees the
new snapshot.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
from project_helpers import make
from warehouse_helpers import DBT, REPO, Warehouse

SNAPSHOT = Path("published") / "warehouse.duckdb"
COUNT_AND_REVENUE = "select count(*), sum(net_amount_usd) from marts.fct_orders"


def _published_at(path: Path) -> object:
    """When the snapshot at `path` was published, read in a new process (a fresh DuckDB instance)."""
    code = (
        "import duckdb, sys; con = duckdb.connect(sys.argv[1], read_only=True); "
        "print(con.execute('select max(published_at) from main.snapshot_info').fetchall()[0][0])"
    )
    done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_snapshot_holds_the_marts_with_their_types_and_descriptions(built_warehouse: Warehouse, tmp_path: Path) -> None:
    warehouse = built_warehouse.copy(tmp_path)
    manifest = f"MANIFEST={built_warehouse.root / 'target' / 'manifest.json'}"
    # the copy streams: a DuckDB cap far below the marts' size still publishes every row
    done = make(REPO, "publish", manifest, "PUBLISH_MEMORY_LIMIT=24MB", data_dir=warehouse.data_dir)
    assert done.returncode == 0, done.stderr
    assert "duckdb -readonly" in done.stdout  # tells the user how to open it

    marts = set(warehouse.rows("select table_name from duckdb_tables() where schema_name = 'marts'"))
    con = duckdb.connect(str(warehouse.data_dir / SNAPSHOT), read_only=True)
    try:
        assert (
            set(con.execute("select table_name from duckdb_tables() where schema_name = 'marts'").fetchall()) == marts
        )
        assert ("fct_orders",) in marts and ("metricflow_time_spine",) in marts
        assert con.execute(COUNT_AND_REVENUE).fetchall() == warehouse.rows(COUNT_AND_REVENUE)
        # money stays DECIMAL; the same (even fully qualified) SQL runs on the snapshot and on the warehouse
        types = (
            "select data_type from duckdb_columns() where table_name = 'fct_orders' and column_name = 'net_amount_usd'"
        )
        assert con.execute(types).fetchall() == warehouse.rows(types)
        assert con.execute(types).fetchall()[0][0].startswith("DECIMAL")
        assert con.execute("select count(*) from warehouse.marts.dim_date").fetchall()[0][0] > 0
        comment = "select comment from duckdb_tables() where schema_name = 'marts' and table_name = 'fct_orders'"
        assert "One row per order" in con.execute(comment).fetchall()[0][0]
        info = con.execute("select count(*), sum(row_count) from main.snapshot_info").fetchall()[0]
        assert info[0] == len(marts) and info[1] > 0
    finally:
        con.close()
    assert not list((warehouse.data_dir / "published").glob("*.tmp*")), "publish left a temporary file behind"


def test_a_reader_of_the_snapshot_neither_blocks_nor_breaks_on_build_and_publish(
    built_warehouse: Warehouse, tmp_path: Path
) -> None:
    warehouse = built_warehouse.copy(tmp_path)
    assert make(REPO, "publish", data_dir=warehouse.data_dir).returncode == 0
    snapshot = warehouse.data_dir / SNAPSHOT
    expected = warehouse.rows(COUNT_AND_REVENUE)
    first_published_at = _published_at(snapshot)

    reader = duckdb.connect(str(snapshot), read_only=True)  # an analyst's session, open throughout
    results: list[object] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def read_in_a_loop() -> None:
        cursor = reader.cursor()
        while not stop.is_set():
            try:
                results.append(cursor.execute(COUNT_AND_REVENUE).fetchall())
            except BaseException as exc:  # noqa: BLE001 - reported by the test below
                errors.append(exc)
                return
            time.sleep(0.05)

    thread = threading.Thread(target=read_in_a_loop, daemon=True)
    thread.start()
    try:
        # a full `dbt build` writes the warehouse while the session reads the snapshot
        paths = ["--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")]
        build = subprocess.run(
            [DBT, "build", "--project-dir", ".", "--profiles-dir", ".", *paths],
            cwd=REPO,
            env=warehouse.env,
            capture_output=True,
            text=True,
            check=False,
            timeout=900,
        )
        reads_during_build = len(results)
        # a new snapshot is published while the session still has the old one open
        published = make(REPO, "publish", data_dir=warehouse.data_dir)
        time.sleep(0.5)
    finally:
        stop.set()
        thread.join(timeout=30)

    try:
        assert build.returncode == 0, build.stdout[-4000:]
        assert published.returncode == 0, published.stderr
        assert errors == []
        assert reads_during_build > 20 and len(results) > reads_during_build, "the reader was not reading throughout"
        assert all(result == expected for result in results)
        # the open session keeps its snapshot; a new connection gets the new one
        old = reader.execute("select max(published_at) from main.snapshot_info").fetchall()[0][0]
        assert str(old) == first_published_at
        assert _published_at(snapshot) > first_published_at
    finally:
        reader.close()
