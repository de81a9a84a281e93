"""`not_null` constraints: enforced by DuckDB when a mart is built, checked by one query elsewhere.

A model declares its non-null columns as constraints (not as one `not_null` test node per column).
On a contracted mart DuckDB creates the table with NOT NULL columns, so a null fails the mart's build
and the previous table stays. Where an engine does not enforce them (Spark's parquet tables), the
generic test `not_null_constraints` checks them; here it runs on DuckDB (var check_constraints_by_query)
against a table whose constraint was dropped, so it can be seen to fail. On a view or a model without
a contract no engine enforces them, so its `not_null_constraints` runs in every build: a null in the
raw data behind a staging view fails it.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import duckdb
from project_helpers import copy_project, make
from warehouse_helpers import DBT, REPO, Warehouse

MART = "dim_products"
COLUMN = "category_id"


def _manifest(warehouse: Warehouse) -> dict:
    return json.loads((warehouse.root / "target" / "manifest.json").read_text())


def _dbt_test(warehouse: Warehouse, tmp_path: Path, select: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`dbt test --select select` on the warehouse copy, with this repo's project and its own target folder."""
    return subprocess.run(
        [
            DBT, "test", "--select", select, *args,
            "--project-dir", str(REPO), "--profiles-dir", str(REPO),
            "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs"),
        ],
        cwd=warehouse.root, env={**warehouse.env, "DATA_DIR": "data"},
        capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip


def test_every_contracted_mart_declares_its_not_null_columns_as_constraints(built_warehouse: Warehouse) -> None:
    manifest = _manifest(built_warehouse)
    marts = {
        uid: node
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["config"].get("contract", {}).get("enforced")
    }
    assert len(marts) >= 20
    constrained = {
        uid: {name for name, col in node["columns"].items() if any(c["type"] == "not_null" for c in col["constraints"])}
        for uid, node in marts.items()
    }
    assert sum(len(cols) for cols in constrained.values()) >= 150
    assert COLUMN in constrained[f"model.shopwarehouse.{MART}"]
    # no plain column not_null test left on a contracted mart (the constraint does its job, for free)
    plain = [
        node["unique_id"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test"
        and (node.get("test_metadata") or {}).get("name") == "not_null"
        and node.get("attached_node") in marts
        and not node["config"].get("where")
    ]
    assert plain == []
    # every mart with constraints carries the query check for engines that do not enforce them
    # (disabled on DuckDB, so it sits among the disabled nodes)
    checked = {
        node["attached_node"]
        for nodes in manifest["disabled"].values()
        for node in nodes
        if (node.get("test_metadata") or {}).get("name") == "not_null_constraints"
    }
    assert checked == {uid for uid, cols in constrained.items() if cols}
    # the warehouse's tables carry them: DuckDB's NOT NULL per constrained column
    con = duckdb.connect(str(built_warehouse.data_dir / "warehouse.duckdb"), read_only=True)
    try:
        not_null = {
            (table, column)
            for table, column in con.execute(
                "select table_name, unnest(constraint_column_names) from duckdb_constraints() "
                "where schema_name = 'marts' and constraint_type = 'NOT NULL'"
            ).fetchall()
        }
    finally:
        con.close()
    for uid, cols in constrained.items():
        name = marts[uid]["alias"] or marts[uid]["name"]
        assert {(name, c) for c in cols} <= not_null, f"{name}: NOT NULL missing in the warehouse"


def test_a_null_in_a_constrained_column_fails_the_marts_build_and_keeps_the_old_table(
    built_warehouse: Warehouse, tmp_path: Path
) -> None:
    warehouse = built_warehouse.copy(tmp_path / "warehouse")
    project = copy_project(tmp_path / "project")
    before = warehouse.one(f"select count(*) from marts.{MART}")
    model = next((project / "models" / "marts").rglob(f"{MART}.sql"))
    # an analyst's edit that loses the category of one product
    model.write_text(
        f"select * replace (case when product_id = (select min(product_id) from {{{{ ref('stg_oltp__products') }}}}) "
        f"then null else {COLUMN} end as {COLUMN})\nfrom (\n{model.read_text()}\n) as edited\n"
    )
    built = make(project, "model", f"M={MART}", data_dir=warehouse.data_dir)
    assert built.returncode != 0, built.stdout[-3000:]
    assert "NOT NULL constraint failed" in built.stdout and COLUMN in built.stdout, built.stdout[-3000:]
    assert warehouse.one(f"select count(*) from marts.{MART}") == before > 0
    assert warehouse.one(f"select count(*) from marts.{MART} where {COLUMN} is null") == 0
    assert not (REPO / model.relative_to(project)).read_text().startswith("select * replace")


def test_the_query_check_fails_on_a_null_where_the_constraint_is_not_enforced(
    built_warehouse: Warehouse, tmp_path: Path
) -> None:
    warehouse = built_warehouse.copy(tmp_path / "warehouse")

    def check() -> subprocess.CompletedProcess[str]:
        selected = f"{MART},test_name:not_null_constraints"
        return _dbt_test(warehouse, tmp_path, selected, "--vars", "{check_constraints_by_query: true}")

    passed = check()
    assert passed.returncode == 0, passed.stdout[-3000:]
    assert "not_null_constraints_dim_products" in passed.stdout
    # an engine that does not enforce the constraint (as Spark's parquet tables): a null gets in
    con = duckdb.connect(str(warehouse.data_dir / "warehouse.duckdb"))
    try:
        con.execute(f"alter table marts.{MART} alter column {COLUMN} drop not null")
        first = f"(select min(product_id) from marts.{MART})"
        con.execute(f"update marts.{MART} set {COLUMN} = null where product_id = {first}")
    finally:
        con.close()
    failed = check()
    assert failed.returncode != 0, failed.stdout[-3000:]
    assert "Failure in test not_null_constraints_dim_products" in failed.stdout, failed.stdout[-3000:]
    rows = failed.stdout
    assert "Got 1 result" in rows, rows[-3000:]  # one column holds nulls: one row, naming it


def test_views_and_uncontracted_models_check_their_constraints_in_every_build(built_warehouse: Warehouse) -> None:
    manifest = _manifest(built_warehouse)
    unenforced = {
        uid
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "model"
        and not (
            node["config"].get("contract", {}).get("enforced")
            and node["config"]["materialized"] in ("table", "incremental")
        )
        and any(c["type"] == "not_null" for col in node["columns"].values() for c in col["constraints"])
    }
    assert len(unenforced) >= 40  # staging, quarantine, intermediate, monitoring
    enabled = {
        node["attached_node"]
        for node in manifest["nodes"].values()
        if (node.get("test_metadata") or {}).get("name") == "not_null_constraints"
    }
    assert unenforced <= enabled, sorted(unenforced - enabled)[:5]


def test_a_null_behind_a_staging_view_fails_its_constraint_check(built_warehouse: Warehouse, tmp_path: Path) -> None:
    warehouse = built_warehouse.copy(tmp_path / "warehouse")

    def check() -> subprocess.CompletedProcess[str]:
        # no var: on a view the check runs on DuckDB too, as in every `dbt build`
        return _dbt_test(warehouse, tmp_path, "stg_oltp__categories,test_name:not_null_constraints")

    passed = check()
    assert passed.returncode == 0, passed.stdout[-3000:]
    assert "1 test in" in passed.stdout and "ERROR=0" in passed.stdout, passed.stdout[-3000:]
    # a category without a name reaches the raw table (a source database that does not declare the
    # column NOT NULL: dlt copies the source's nullability, here it is dropped first)
    con = duckdb.connect(str(warehouse.data_dir / "warehouse.duckdb"))
    try:
        con.execute("alter table oltp.categories alter column name drop not null")
        con.execute(
            "update oltp.categories set name = null where category_id = (select max(category_id) from oltp.categories)"
        )
    finally:
        con.close()
    failed = check()
    assert failed.returncode != 0, failed.stdout[-3000:]
    assert "Failure in test not_null_constraints_stg_oltp__categories" in failed.stdout, failed.stdout[-3000:]
    assert "Got 1 result" in failed.stdout, failed.stdout[-3000:]  # one column (category_name) holds nulls
