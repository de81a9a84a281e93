"""`make scaffold SOURCE=<dataset>`: staging written from what landed, and `dbt build` of it passes.

A small dataset is landed by dlt (with column descriptions, a primary key, text that holds numbers,
dates and money, a nested list that becomes a child table) next to a table a database export left
with mixed-case names and comments. The scaffold runs on a copy of the dbt project, so the repo is
never touched; the copy then builds the scaffolded models and their tests, and the guardrails list
exactly the columns the source did not describe.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import dlt
import duckdb
import pytest

REPO = Path(__file__).resolve().parents[3]
if str(REPO) not in sys.path:  # `pytest` run without `python -m` (which puts the repo first)
    sys.path.insert(0, str(REPO))

from tools import check_project, scaffold  # noqa: E402

DBT = str(Path(sys.executable).with_name("dbt"))
PROJECT_PARTS = ["dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "snapshots", "analyses", "tests/dbt"]


@dlt.resource(
    name="customers",
    primary_key="id",
    columns={
        "first_name": {"description": "The customer's given name."},
        "balance": {"description": "Store credit, in EUR."},
    },
)
def customers():  # noqa: ANN201 - a dlt resource
    yield [
        {
            "id": 1,
            "firstName": "Ada",
            "SignupDate": "2025-01-02",
            "balance": "12.50",
            "isActive": True,
            "tags": ["vip", "newsletter"],
        },
        {"id": 2, "firstName": "Bo", "SignupDate": "2025-02-03", "balance": "0.05", "isActive": False, "tags": []},
        {"id": 3, "firstName": None, "SignupDate": None, "balance": "100", "isActive": None, "tags": ["b2b"]},
    ]


def land(data_dir: Path) -> Path:
    """The dataset `crm` in DATA_DIR/warehouse.duckdb: a dlt load plus a table with mixed-case names."""
    warehouse = data_dir / "warehouse.duckdb"
    pipeline = dlt.pipeline(
        pipeline_name="scaffold_test",
        destination=dlt.destinations.duckdb(str(warehouse)),
        dataset_name="crm",
        pipelines_dir=str(data_dir / "pipelines"),
    )
    pipeline.run(customers())
    con = duckdb.connect(str(warehouse))
    try:
        con.execute('create table crm."OrderLines" ("OrderID" varchar, "Unit Price" varchar, "shippedAt" varchar)')
        con.execute(
            """insert into crm."OrderLines" values
               ('10', '19.99', '2025-01-02 10:00:00'), ('11', '5.00', null), ('12', '0.50', '2025-01-03T08:30:00')"""
        )
        con.execute("""comment on table crm."OrderLines" is 'One line of an order, as exported.'""")
        con.execute("""comment on column crm."OrderLines"."Unit Price" is 'Price of one unit, in EUR.'""")
    finally:
        con.close()
    return warehouse


@pytest.fixture(scope="module")
def scaffolded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[Path]]:
    root = tmp_path_factory.mktemp("scaffold")
    project = root / "project"
    for part in PROJECT_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, project / part, ignore=shutil.ignore_patterns("target", "logs", "__pycache__"))
        else:
            (project / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, project / part)
    warehouse = land(root / "data")
    written = scaffold.scaffold(warehouse, "crm", project)
    return root, project, written


def test_writes_a_source_and_one_typed_renamed_model_per_table(scaffolded: tuple[Path, Path, list[Path]]) -> None:
    _, project, written = scaffolded
    folder = project / "models" / "staging" / "crm"
    assert sorted(path.name for path in written) == [
        "_crm__models.yml",
        "_crm__sources.yml",
        "stg_crm__customers.sql",
        "stg_crm__customers_tags.sql",
        "stg_crm__order_lines.sql",
    ]
    customers_sql = (folder / "stg_crm__customers.sql").read_text()
    assert "source('crm', 'customers')" in customers_sql
    for expected in (
        "cast(id as bigint)",
        "as customer_id",
        "cast(signup_date as date)",
        "cast(balance as decimal(38, 2))",
        "cast(is_active as boolean)",
        "cast(_dlt_id as varchar)",  # kept: the child table joins on it
        "as dlt_load_id",
    ):
        assert expected in customers_sql, expected
    lines_sql = (folder / "stg_crm__order_lines.sql").read_text()
    for expected in (
        'cast("OrderID" as bigint)',
        "as order_id",
        'cast("Unit Price" as decimal(38, 2))',
        "as unit_price",
        'cast("shippedAt" as timestamp)',
        "as shipped_at",
    ):
        assert expected in lines_sql, expected
    assert "_dlt_id" not in lines_sql and "_dlt_loads" not in "".join(p.name for p in written)
    sources = (folder / "_crm__sources.yml").read_text()
    assert "The customer's given name." in sources and "One line of an order, as exported." in sources
    assert "- name: _dlt_version" not in sources and "- name: _dlt_loads" not in sources
    assert "- name: _dlt_pipeline_state" not in sources


def test_refuses_to_overwrite_unless_forced(scaffolded: tuple[Path, Path, list[Path]]) -> None:
    root, project, written = scaffolded
    before = {path: path.read_text() for path in written}
    with pytest.raises(SystemExit, match="already exist"):
        scaffold.scaffold(root / "data" / "warehouse.duckdb", "crm", project)
    assert {path: path.read_text() for path in written} == before
    with pytest.raises(SystemExit, match="no dataset"):
        scaffold.scaffold(root / "data" / "warehouse.duckdb", "nothing_here", project)
    assert scaffold.scaffold(root / "data" / "warehouse.duckdb", "crm", project, force=True) == written
    assert {path: path.read_text() for path in written} == before  # the same warehouse gives the same files


def test_the_scaffolded_models_build_and_check_lists_what_to_describe(
    scaffolded: tuple[Path, Path, list[Path]],
) -> None:
    root, project, _ = scaffolded
    env = {**os.environ, "DATA_DIR": str(root / "data"), "DBT_TARGET_PATH": str(root / "target")}
    build = subprocess.run(
        [DBT, "build", "--select", "path:models/staging/crm", "--project-dir", ".", "--profiles-dir", "."],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert build.returncode == 0, build.stdout[-5000:]
    assert "PASS=" in build.stdout and "ERROR=0" in build.stdout
    con = duckdb.connect(str(root / "data" / "warehouse.duckdb"), read_only=True)
    try:
        rows = con.execute(
            "select customer_id, first_name, signup_date, balance, is_active from staging.stg_crm__customers order by 1"
        ).fetchall()
        types = dict(
            con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'staging' and table_name = 'stg_crm__order_lines'"
            ).fetchall()
        )
        tags = con.execute("select count(*) from staging.stg_crm__customers_tags").fetchall()[0][0]
    finally:
        con.close()
    from datetime import date
    from decimal import Decimal

    assert rows == [
        (1, "Ada", date(2025, 1, 2), Decimal("12.50"), True),
        (2, "Bo", date(2025, 2, 3), Decimal("0.05"), False),
        (3, None, None, Decimal("100.00"), None),
    ]
    assert types == {"order_id": "BIGINT", "unit_price": "DECIMAL(38,2)", "shipped_at": "TIMESTAMP"}
    assert tags == 3

    manifest = json.loads((root / "target" / "manifest.json").read_text())
    undescribed = {
        violation.message
        for violation in check_project.check(manifest)
        if violation.rule == "description" and "crm" in violation.path
    }
    # described by the source: not listed
    assert not any("first_name" in message or "unit_price" in message for message in undescribed)
    assert not any(message.startswith("model stg_crm__order_lines has no description") for message in undescribed)
    # not described by the source: listed, for the analyst
    assert "model stg_crm__customers column signup_date has no description: describe it in its YAML file" in undescribed
    assert "source crm.OrderLines column OrderID has no description: describe it in its YAML file" in undescribed
    grain = [v for v in check_project.check(manifest) if v.rule == "grain" and "crm" in v.path]
    # the child table's grain comes from dlt (parent row, position); the export's table has no key
    assert [v.message.split()[1] for v in grain] == ["stg_crm__order_lines"]
    # the key's not_null is a constraint, checked by the model's not_null_constraints in the build
    assert "not_null_constraints_stg_crm__customers" in build.stdout
    assert [v for v in check_project.check(manifest) if v.rule == "constraints" and "crm" in v.path] == []
