"""Metadata guardrails: each rule fails on a tiny fake manifest that breaks it, and the project itself passes.

The fake manifests carry only the keys the checker reads, shaped as dbt 1.11 writes them (manifest v12).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[3]
if str(REPO) not in sys.path:  # `pytest` run without `python -m` (which puts the repo first)
    sys.path.insert(0, str(REPO))

from tools import check_project  # noqa: E402
from tools.check_project import Violation, check  # noqa: E402

PROJECT = "shop"
OWNED = {"owner": "analytics-engineering"}


def model(
    name: str,
    folder: str,
    *,
    depends_on: tuple[str, ...] = (),
    description: str = "What it is.",
    meta: dict[str, Any] | None = None,
    group: str | None = None,
    columns: dict[str, Any] | None = None,
    package: str = PROJECT,
) -> dict[str, Any]:
    meta = OWNED if meta is None else meta
    return {
        "resource_type": "model",
        "package_name": package,
        "unique_id": f"model.{package}.{name}",
        "name": name,
        "fqn": [package, *folder.split("/"), name],
        "original_file_path": f"models/{folder}/{name}.sql",
        "description": description,
        "meta": meta,
        "group": group,
        "config": {"meta": meta, "group": group},
        "depends_on": {"nodes": list(depends_on)},
        "columns": columns or {},
    }


def generic_test(kind: str, model_name: str, column: str | None = None, **kwargs: Any) -> dict[str, Any]:
    suffix = column or "_".join(kwargs.get("combination_of_columns", []))
    return {
        "resource_type": "test",
        "package_name": PROJECT,
        "unique_id": f"test.{PROJECT}.{kind}_{model_name}_{suffix}",
        "name": f"{kind}_{model_name}_{suffix}",
        "attached_node": f"model.{PROJECT}.{model_name}",
        "column_name": column,
        "test_metadata": {"name": kind, "namespace": None, "kwargs": {"column_name": column, **kwargs}},
        "depends_on": {"nodes": [f"model.{PROJECT}.{model_name}"]},
    }


def grain(model_name: str, column: str = "id") -> list[dict[str, Any]]:
    return [generic_test("unique", model_name, column), generic_test("not_null", model_name, column)]


def source(source_name: str, table: str, description: str = "A raw table.") -> dict[str, Any]:
    return {
        "resource_type": "source",
        "package_name": PROJECT,
        "unique_id": f"source.{PROJECT}.{source_name}.{table}",
        "source_name": source_name,
        "name": table,
        "original_file_path": f"models/staging/{source_name}/_{source_name}__sources.yml",
        "description": description,
    }


def other(resource_type: str, name: str, description: str = "A lookup.") -> dict[str, Any]:
    path = f"seeds/{name}.csv" if resource_type == "seed" else f"snapshots/{name}.yml"
    return {
        "resource_type": resource_type,
        "package_name": PROJECT,
        "unique_id": f"{resource_type}.{PROJECT}.{name}",
        "name": name,
        "fqn": [PROJECT, name],
        "original_file_path": path,
        "description": description,
    }


def manifest(*nodes: dict[str, Any], groups: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "metadata": {"project_name": PROJECT},
        "nodes": {node["unique_id"]: node for node in nodes if node["resource_type"] != "source"},
        "sources": {node["unique_id"]: node for node in nodes if node["resource_type"] == "source"},
        "groups": groups or {},
    }


def good_project() -> list[dict[str, Any]]:
    """A tiny project that keeps every rule: source -> staging -> intermediate -> marts (+ quarantine)."""
    return [
        source("oltp", "orders"),
        other("seed", "country_codes"),
        other("snapshot", "snap_oltp__orders"),
        model("base_oltp__orders", "staging/oltp", depends_on=("source.shop.oltp.orders",)),
        model("stg_oltp__orders", "staging/oltp", depends_on=("model.shop.base_oltp__orders",)),
        model("qrt_oltp__orders", "quarantine/oltp", depends_on=("model.shop.base_oltp__orders",)),
        model("int_orders_enriched", "intermediate/orders", depends_on=("model.shop.stg_oltp__orders",)),
        model(
            "fct_orders",
            "marts/core",
            depends_on=("model.shop.int_orders_enriched", "seed.shop.country_codes", "snapshot.shop.snap_oltp__orders"),
        ),
        model("metricflow_time_spine", "semantic", depends_on=("model.shop.fct_orders",)),
        *grain("base_oltp__orders"),
        *grain("stg_oltp__orders"),
        generic_test("unique_combination_of_columns", "qrt_oltp__orders", combination_of_columns=["file", "line"]),
        *grain("int_orders_enriched"),
        *grain("fct_orders", "order_id"),
        *grain("metricflow_time_spine", "date_day"),
    ]


def replace(nodes: list[dict[str, Any]], new: dict[str, Any]) -> list[dict[str, Any]]:
    return [new if node["unique_id"] == new["unique_id"] else node for node in nodes]


def rules_broken(violations: list[Violation]) -> list[tuple[str, str]]:
    return [(violation.rule, violation.path) for violation in violations]


def test_a_project_that_keeps_every_rule_passes() -> None:
    assert check(manifest(*good_project())) == []


# --- description -------------------------------------------------------------------------------------


def test_description_rule_lists_each_undescribed_column_of_models_and_sources() -> None:
    """A scaffolded model lists every column; the ones the source did not describe are what is left to do."""
    columns = {"order_id": {"description": "The order."}, "placed_at": {"description": " "}, "total": {}}
    scaffolded = model(
        "stg_oltp__orders", "staging/oltp", depends_on=("model.shop.base_oltp__orders",), columns=columns
    )
    raw = {**source("oltp", "orders"), "columns": {"id": {"description": ""}, "total": {"description": "Sum."}}}
    violations = check(manifest(*replace(replace(good_project(), scaffolded), raw)))
    assert [str(violation) for violation in violations] == [
        "[description] models/staging/oltp/_oltp__sources.yml: source oltp.orders column id has no description: "
        "describe it in its YAML file",
        "[description] models/staging/oltp/stg_oltp__orders.sql: model stg_oltp__orders column placed_at has no "
        "description: describe it in its YAML file",
        "[description] models/staging/oltp/stg_oltp__orders.sql: model stg_oltp__orders column total has no "
        "description: describe it in its YAML file",
    ]


@pytest.mark.parametrize(
    ("undescribed", "path"),
    [
        (model("stg_oltp__orders", "staging/oltp", description=" "), "models/staging/oltp/stg_oltp__orders.sql"),
        (other("seed", "country_codes", description=""), "seeds/country_codes.csv"),
        (other("snapshot", "snap_oltp__orders", description=""), "snapshots/snap_oltp__orders.yml"),
        (source("oltp", "orders", description=""), "models/staging/oltp/_oltp__sources.yml"),
    ],
    ids=["model", "seed", "snapshot", "source table"],
)
def test_description_rule_fails_on_an_undescribed_relation(undescribed: dict[str, Any], path: str) -> None:
    violations = check(manifest(*replace(good_project(), undescribed)))
    assert rules_broken(violations) == [("description", path)]
    assert "has no description" in violations[0].message


# --- grain -------------------------------------------------------------------------------------------


def _without_tests_of(nodes: list[dict[str, Any]], model_name: str) -> list[dict[str, Any]]:
    return [node for node in nodes if node.get("attached_node") != f"model.shop.{model_name}"]


@pytest.mark.parametrize(
    "tests",
    [
        [],
        [generic_test("unique", "fct_orders", "order_id")],
        [generic_test("not_null", "fct_orders", "order_id")],
        [generic_test("unique", "fct_orders", "order_id"), generic_test("not_null", "fct_orders", "customer_id")],
        [generic_test("accepted_values", "fct_orders", "status", values=["placed"])],
    ],
    ids=["no test", "unique only", "not_null only", "on different columns", "other tests only"],
)
def test_grain_rule_fails_without_unique_and_not_null_on_one_column(tests: list[dict[str, Any]]) -> None:
    nodes = [*_without_tests_of(good_project(), "fct_orders"), *tests]
    violations = check(manifest(*nodes))
    assert rules_broken(violations) == [("grain", "models/marts/core/fct_orders.sql")]
    assert "unique_combination_of_columns" in violations[0].message  # says how to fix it


def test_grain_rule_accepts_a_unique_combination_or_a_primary_key_constraint() -> None:
    combination = generic_test("unique_combination_of_columns", "fct_orders", combination_of_columns=["a", "b"])
    nodes = [*_without_tests_of(good_project(), "fct_orders"), combination]
    assert check(manifest(*nodes)) == []

    columns = {"order_id": {"description": "The order.", "constraints": [{"type": "primary_key"}]}}
    constrained = model("fct_orders", "marts/core", depends_on=("model.shop.int_orders_enriched",), columns=columns)
    nodes = replace(_without_tests_of(good_project(), "fct_orders"), constrained)
    assert check(manifest(*nodes)) == []


# --- constraints -------------------------------------------------------------------------------------


def _constrained_mart(contract: bool = True, materialized: str = "table") -> dict[str, Any]:
    columns = {
        "order_id": {"description": "The order.", "constraints": [{"type": "not_null"}]},
        "amount": {"description": "Its amount.", "constraints": [{"type": "not_null"}]},
    }
    node = model("fct_orders", "marts/core", depends_on=("model.shop.int_orders_enriched",), columns=columns)
    node["config"].update({"contract": {"enforced": contract}, "materialized": materialized})
    return node


def _constraints_checked(enabled: bool = False) -> dict[str, Any]:
    test = generic_test("not_null_constraints", "fct_orders")
    test["config"] = {"enabled": enabled}
    return test


def _with_constraints(*extra: dict[str, Any], mart: dict[str, Any] | None = None, checked: bool = True) -> dict:
    """good_project with fct_orders' not_nulls as constraints; the check test disabled, as on DuckDB."""
    nodes = [
        node
        for node in replace(good_project(), mart or _constrained_mart())
        if not (
            (node.get("test_metadata") or {}).get("name") == "not_null"
            and node.get("attached_node", "").endswith(".fct_orders")
        )
    ]
    built = manifest(*nodes, *extra)
    if checked:
        disabled = _constraints_checked()
        built["disabled"] = {disabled["unique_id"]: [disabled]}
    return built


def _with_constraints_always_checked(mart: dict[str, Any]) -> dict:
    """_with_constraints with the check test enabled (`enabled: true` in its config, as on a view)."""
    built = _with_constraints(mart=mart, checked=False)
    test = _constraints_checked(enabled=True)
    built["nodes"][test["unique_id"]] = test
    return built


def test_constraints_rule_accepts_not_null_constraints_on_a_contracted_table_with_their_check() -> None:
    assert check(_with_constraints()) == []
    assert check(_with_constraints(mart=_constrained_mart(materialized="incremental"))) == []


def test_constraints_rule_accepts_constraints_on_a_view_or_uncontracted_model_checked_on_every_target() -> None:
    assert check(_with_constraints_always_checked(_constrained_mart(materialized="view"))) == []
    assert check(_with_constraints_always_checked(_constrained_mart(contract=False))) == []


@pytest.mark.parametrize(
    ("built", "message"),
    [
        (lambda: _with_constraints(checked=False), "no not_null_constraints test"),
        (lambda: _with_constraints(mart=_constrained_mart(contract=False)), "is without a contract"),
        (lambda: _with_constraints(mart=_constrained_mart(materialized="view")), "is a view"),
        (
            lambda: _with_constraints(generic_test("not_null", "fct_orders", "amount")),
            "besides the constraint on amount",
        ),
    ],
    ids=["no query check", "no contract, check disabled", "a view, check disabled", "a test doubling the constraint"],
)
def test_constraints_rule_fails_where_a_not_null_constraint_is_not_enforced_or_checked(
    built: Any, message: str
) -> None:
    violations = check(built())
    assert [violation.rule for violation in violations] == ["constraints"]
    assert message in violations[0].message and "fct_orders" in violations[0].message


def test_constraints_rule_leaves_a_filtered_not_null_test_beside_the_constraint() -> None:
    filtered = generic_test("not_null", "fct_orders", "amount")
    filtered["config"] = {"where": "amount > 0"}
    assert check(_with_constraints(filtered)) == []


# --- owner -------------------------------------------------------------------------------------------


def test_owner_rule_fails_without_meta_owner_or_an_owned_group() -> None:
    unowned = model("fct_orders", "marts/core", depends_on=("model.shop.int_orders_enriched",), meta={})
    violations = check(manifest(*replace(good_project(), unowned)))
    assert rules_broken(violations) == [("owner", "models/marts/core/fct_orders.sql")]
    assert "meta" in violations[0].message

    in_group = {**unowned, "group": "finance", "config": {"meta": {}, "group": "finance"}}
    owned = {"group.shop.finance": {"name": "finance", "owner": {"name": "Finance team", "email": None}}}
    assert check(manifest(*replace(good_project(), in_group), groups=owned)) == []

    ownerless = {"group.shop.finance": {"name": "finance", "owner": {"name": None, "email": None}}}
    assert rules_broken(check(manifest(*replace(good_project(), in_group), groups=ownerless))) == [
        ("owner", "models/marts/core/fct_orders.sql")
    ]


# --- layers ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "folder", "reads", "expected"),
    [
        ("fct_orders", "marts/core", "source.shop.oltp.orders", "source() belongs in staging"),
        ("int_orders_enriched", "intermediate/orders", "source.shop.oltp.orders", "source() belongs in staging"),
        ("stg_oltp__orders", "staging/oltp", "model.shop.fct_orders", "staging may read only"),
        ("stg_oltp__orders", "staging/oltp", "model.shop.int_orders_enriched", "staging may read only"),
        ("int_orders_enriched", "intermediate/orders", "model.shop.fct_orders", "intermediate may read only"),
        ("fct_orders", "marts/core", "model.shop.qrt_oltp__orders", "nothing builds on them"),
    ],
    ids=[
        "marts read a source",
        "source() in intermediate",
        "staging reads marts",
        "staging reads intermediate",
        "intermediate reads marts",
        "marts read quarantine",
    ],
)
def test_layer_rule_fails_on_a_forbidden_dependency(name: str, folder: str, reads: str, expected: str) -> None:
    nodes = good_project()
    current = next(node for node in nodes if node["name"] == name)
    broken = {**current, "depends_on": {"nodes": [*current["depends_on"]["nodes"], reads]}}
    violations = check(manifest(*replace(nodes, broken)))
    assert rules_broken(violations) == [("layers", f"models/{folder}/{name}.sql")]
    assert expected in violations[0].message
    assert reads.split(".")[-1] in violations[0].message  # names what it reads


def test_layer_rule_lets_only_the_audit_marts_count_quarantined_rows() -> None:
    reads = ("model.shop.qrt_oltp__orders", "model.shop.stg_oltp__orders")
    audit = model("rpt_source_reconciliation", "marts/audit", depends_on=reads)
    assert check(manifest(*good_project(), audit, *grain("rpt_source_reconciliation"))) == []
    elsewhere = model("rpt_source_reconciliation", "marts/finance", depends_on=reads)
    violations = check(manifest(*good_project(), elsewhere, *grain("rpt_source_reconciliation")))
    assert rules_broken(violations) == [("layers", "models/marts/finance/rpt_source_reconciliation.sql")]


def test_layer_rule_fails_on_a_model_outside_the_layers() -> None:
    stray = model("orders_report", "reports", depends_on=("model.shop.fct_orders",))
    violations = check(manifest(*good_project(), stray, *grain("orders_report")))
    assert rules_broken(violations) == [("layers", "models/reports/orders_report.sql")]
    assert "models/marts/" in violations[0].message


# --- naming ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "folder"),
    [
        ("orders", "marts/core"),
        ("int_orders", "marts/core"),
        ("stg_orders", "staging/oltp"),
        ("stg_shopify__orders", "staging/oltp"),
        ("orders_enriched", "intermediate/orders"),
        ("qrt_orders", "quarantine/oltp"),
        ("fct_orders_by_day", "semantic"),
    ],
    ids=["mart without prefix", "int_ in marts", "staging without source", "staging of another source",
         "intermediate without int_", "quarantine without source", "semantic other than the time spine"],
)  # fmt: skip
def test_naming_rule_fails_on_a_wrong_prefix(name: str, folder: str) -> None:
    upstream = "model.shop.fct_orders" if folder == "semantic" else "model.shop.stg_oltp__orders"
    if folder.startswith(("staging", "quarantine")):
        upstream = "source.shop.oltp.orders"
    badly_named = model(name, folder, depends_on=(upstream,))
    violations = check(manifest(*good_project(), badly_named, *grain(name)))
    assert rules_broken(violations) == [("naming", f"models/{folder}/{name}.sql")]


def test_naming_rule_fails_on_a_unit_test_name_longer_than_postgres_allows() -> None:
    def unit_test(name: str) -> dict[str, Any]:
        path = "models/intermediate/orders/_orders__models.yml"
        return {"unique_id": f"unit_test.{PROJECT}.int_orders_enriched.{name}", "name": name,
                "resource_type": "unit_test", "package_name": PROJECT, "original_file_path": path}  # fmt: skip

    fits, too_long = unit_test("test_" + "x" * 58), unit_test("test_" + "x" * 59)
    project = manifest(*good_project())
    project["unit_tests"] = {node["unique_id"]: node for node in (fits, too_long)}
    violations = check(project)
    assert rules_broken(violations) == [("naming", "models/intermediate/orders/_orders__models.yml")]
    assert "64 characters long" in violations[0].message


def test_nodes_of_installed_packages_are_not_checked() -> None:
    foreign = model("some_package_model", "whatever", package="dbt_utils", description="", meta={})
    assert check(manifest(*good_project(), foreign)) == []


# --- the command -------------------------------------------------------------------------------------


def test_command_prints_every_rule_and_each_violation_and_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nodes = replace(good_project(), model("fct_orders", "marts/core", depends_on=("source.shop.oltp.orders",), meta={}))
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest(*nodes)))
    assert check_project.main(["--manifest", str(path)]) == 1
    out = capsys.readouterr().out
    assert "checked 6 models, 1 seed, 1 snapshot, 1 source table" in out
    for line in ("description  ok", "grain        ok", "owner        FAIL 1", "layers       FAIL 1", "naming       ok"):
        assert line in out
    assert "2 violations:" in out
    assert "[layers] models/marts/core/fct_orders.sql: model fct_orders (marts) reads source('oltp', 'orders')" in out

    path.write_text(json.dumps(manifest(*good_project())))
    assert check_project.main(["--manifest", str(path)]) == 0


def test_command_explains_a_missing_manifest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert check_project.main(["--manifest", str(tmp_path / "nope.json")]) == 2
    assert "run `dbt parse` first" in capsys.readouterr().err


# --- the project itself ------------------------------------------------------------------------------


def test_the_project_keeps_every_rule_on_a_fresh_parse(tmp_path: Path) -> None:
    """`make check` (dbt parse, then the checker) on a copy of the project passes with a readable report."""
    from project_helpers import copy_project, make

    project = copy_project(tmp_path / "project")
    done = make(project, "check", data_dir=tmp_path / "data")
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"
    for rule in check_project.RULES:
        assert f"  {rule:<12} ok" in done.stdout
    parsed = json.loads((project / "target" / "manifest.json").read_text())
    models = [node for node in parsed["nodes"].values() if node["resource_type"] == "model"]
    assert len(models) >= 40 and f"checked {len(models)} models" in done.stdout
