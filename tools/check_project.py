"""Metadata guardrails: read the dbt manifest and list every model, seed, snapshot or source that breaks a rule.

    python -m tools.check_project [--manifest target/manifest.json]

Rules (each a function below, each with unit tests on tiny fake manifests):

- description: every model, seed, snapshot and source table has a description, and so has every column
  listed in its YAML (`make scaffold` lists every column, leaving empty what the source does not describe).
- grain: every model has a grain test: `unique` + `not_null` on one column (or a `primary_key`
  constraint), or `unique_combination_of_columns`.
- constraints: a model that declares `not_null` constraints carries the model-level test
  `not_null_constraints` (one scan for all of them). On a contracted table DuckDB and PostgreSQL
  enforce them at build time (the test runs only where they do not, Spark); on a view or a model
  without a contract no engine does, so there the test is enabled on every target (`enabled: true`
  in its config). A column with the constraint has no plain `not_null` test besides (the constraint
  does its work).
- owner: every model has an owner: `meta.owner` (set per folder in dbt_project.yml) or a dbt `group`
  that names an owner.
- layers: every model lives in a known layer (the first folder under models/) and reads only what that
  layer may read: `source()` only in staging and quarantine, staging never reads intermediate or
  marts, intermediate never reads marts, marts never read sources, monitoring reads staging and marts.
  Nothing builds on quarantine models, except the audit marts (`models/marts/audit/`), which count
  their rows.
- naming: the layer's prefix (`stg_`/`base_` in staging, `qrt_` in quarantine, `int_` in intermediate,
  `fct_`/`dim_`/`rpt_`/`mrt_` in marts, `mon_` in monitoring; the semantic folder holds only
  `metricflow_time_spine`), and in staging and quarantine the source system of the folder: `stg_<folder>__<entity>s`;
  no model or unit test name longer than 63 characters (PostgreSQL's identifier limit).

Exit status: 0 when every rule holds, 1 with the list of violations, 2 when the manifest cannot be read.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Node = Mapping[str, Any]
Manifest = Mapping[str, Any]


@dataclass(frozen=True)
class Layer:
    """A folder under models/: how its models are named and what they may read."""

    name_pattern: str  # a regex the model name must match in full; `{folder}` is the model's subfolder
    naming: str  # the naming rule, for messages
    reads: frozenset[str]  # upstream kinds allowed: "source", "seed", "snapshot" or a model layer


LAYERS: dict[str, Layer] = {
    "staging": Layer(
        r"(stg|base)_{folder}__[a-z0-9_]+",
        "stg_<source>__<entity>s (or base_<source>__<entity>s), <source> = the staging folder",
        frozenset({"source", "seed", "staging"}),
    ),
    "quarantine": Layer(
        r"qrt_{folder}__[a-z0-9_]+",
        "qrt_<source>__<entity>s, <source> = the quarantine folder",
        frozenset({"source", "seed", "staging"}),
    ),
    "intermediate": Layer(
        r"int_[a-z0-9_]+",
        "int_<entity>s_<verb>ed",
        frozenset({"seed", "snapshot", "staging", "intermediate"}),
    ),
    "marts": Layer(
        r"(fct|dim|rpt|mrt)_[a-z0-9_]+",
        "fct_<process>s, dim_<entity>s, rpt_<subject>s or mrt_<subject>s",
        frozenset({"seed", "snapshot", "staging", "intermediate", "marts"}),
    ),
    "monitoring": Layer(
        r"mon_[a-z0-9_]+",
        "mon_<subject>",
        frozenset({"staging", "marts", "monitoring"}),
    ),
    "semantic": Layer(
        r"metricflow_time_spine",
        "only metricflow_time_spine (semantic models and metrics are YAML)",
        frozenset({"marts", "semantic"}),
    ),
}

GRAIN_HELP = "add `unique` + `not_null` on its key column, or `unique_combination_of_columns` on its grain"
OWNER_HELP = "set `+meta: {owner: <team>}` for its folder in dbt_project.yml (or `meta.owner` / a dbt group)"


@dataclass(frozen=True, order=True)
class Violation:
    """One broken rule: which rule, the file to fix, and what to do."""

    rule: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.path}: {self.message}"


def project_nodes(manifest: Manifest, *resource_types: str) -> Iterator[Node]:
    """The project's own nodes, sources and unit tests (not those of installed packages) of the given resource types."""
    project = manifest["metadata"]["project_name"]
    everything = [*manifest["nodes"].values(), *manifest.get("sources", {}).values()]
    for node in [*everything, *manifest.get("unit_tests", {}).values()]:
        if node["resource_type"] in resource_types and node["package_name"] == project:
            yield node


def _label(node: Node) -> str:
    if node["resource_type"] == "source":
        return f"source {node['source_name']}.{node['name']}"
    return f"{node['resource_type']} {node['name']}"


def _violation(rule: str, node: Node, message: str) -> Violation:
    return Violation(rule, node["original_file_path"], f"{_label(node)} {message}")


def _layer(node: Node) -> str:
    """The first folder under the model path (`staging`, `marts`, ...); empty for a model at the top."""
    fqn = node["fqn"]
    return fqn[1] if len(fqn) > 2 else ""


def _is_audit_mart(node: Node) -> bool:
    """A model of ``models/marts/audit/``: it counts quarantined rows, so it may read quarantine models."""
    return list(node["fqn"][1:3]) == ["marts", "audit"]


def _column(name: str | None) -> str:
    return (name or "").strip().strip('"`').lower()


def check_descriptions(manifest: Manifest) -> Iterator[Violation]:
    """Every model, seed, snapshot and source table has a description, and so has every column its YAML lists."""
    for node in project_nodes(manifest, "model", "seed", "snapshot", "source"):
        if not (node.get("description") or "").strip():
            yield _violation("description", node, "has no description: describe it in its YAML file")
        for name, column in (node.get("columns") or {}).items():
            if not (column.get("description") or "").strip():
                yield _violation("description", node, f"column {name} has no description: describe it in its YAML file")


def check_grain(manifest: Manifest) -> Iterator[Violation]:
    """Every model has unique + not_null on one column (tests or constraints), or unique_combination_of_columns."""
    unique: dict[str, set[str]] = {}
    not_null: dict[str, set[str]] = {}
    combined: set[str] = set()
    for test in project_nodes(manifest, "test"):
        metadata = test.get("test_metadata") or {}
        model = test.get("attached_node")
        if not model or not metadata:
            continue
        column = _column(test.get("column_name") or metadata.get("kwargs", {}).get("column_name"))
        if metadata["name"] == "unique":
            unique.setdefault(model, set()).add(column)
        elif metadata["name"] == "not_null":
            not_null.setdefault(model, set()).add(column)
        elif metadata["name"] == "unique_combination_of_columns":
            combined.add(model)
    for node in project_nodes(manifest, "model"):
        uid = node["unique_id"]
        constraints: dict[str, set[str]] = {}
        for name, column in node.get("columns", {}).items():
            for constraint in column.get("constraints") or []:
                constraints.setdefault(constraint["type"], set()).add(_column(name))
        keys = (unique.get(uid, set()) | constraints.get("unique", set())) & (
            not_null.get(uid, set()) | constraints.get("not_null", set())
        )
        if uid in combined or keys or constraints.get("primary_key"):
            continue
        yield _violation("grain", node, f"has no grain test: {GRAIN_HELP}")


CONSTRAINTS_HELP = "see CONTRIBUTING.md, Tests: non-null columns are declared as constraints"


def _tests_by_model(manifest: Manifest, name: str, *, disabled: bool = True) -> dict[str, set[str | None]]:
    """attached model -> the columns (None: model-level) of its `name` generic tests, disabled ones too unless told."""
    project = manifest["metadata"]["project_name"]
    tests = [*project_nodes(manifest, "test")]  # and the disabled ones of the project, as project_nodes picks
    if disabled:
        tests += [
            node
            for nodes in (manifest.get("disabled") or {}).values()
            for node in nodes
            if node.get("package_name", project) == project
        ]
    found: dict[str, set[str | None]] = {}
    for test in tests:
        if test.get("resource_type") == "test" and (test.get("test_metadata") or {}).get("name") == name:
            column = test.get("column_name")
            config = test.get("config") or {}
            if config.get("where") or str(config.get("severity", "error")).lower() != "error":
                continue  # a filtered or warning-only test is not what a constraint replaces
            found.setdefault(test.get("attached_node") or "", set()).add(_column(column) if column else None)
    return found


def check_constraints(manifest: Manifest) -> Iterator[Violation]:
    """not_null constraints checked by not_null_constraints (always, where no engine enforces them), not doubled."""
    checked = _tests_by_model(manifest, "not_null_constraints")
    enabled = _tests_by_model(manifest, "not_null_constraints", disabled=False)
    plain = _tests_by_model(manifest, "not_null")
    for node in project_nodes(manifest, "model"):
        uid = node["unique_id"]
        columns = {
            _column(name)
            for name, column in node.get("columns", {}).items()
            if any(constraint.get("type") == "not_null" for constraint in column.get("constraints") or [])
        }
        if not columns:
            continue
        config = node.get("config", {})
        enforced = (config.get("contract") or {}).get("enforced") and config.get("materialized") in (
            "table",
            "incremental",
        )
        if None not in checked.get(uid, set()):
            yield _violation(
                "constraints", node, f"has not_null constraints but no not_null_constraints test: {CONSTRAINTS_HELP}"
            )
        elif not enforced and None not in enabled.get(uid, set()):
            what = "a view" if config.get("materialized") == "view" else "without a contract"
            yield _violation(
                "constraints",
                node,
                f"is {what}: no engine enforces its not_null constraints, and its not_null_constraints test is "
                f"disabled; set `config: {{enabled: true}}` on it: {CONSTRAINTS_HELP}",
            )
        doubled = sorted(str(column) for column in columns & plain.get(uid, set()))
        if doubled:
            yield _violation(
                "constraints",
                node,
                f"has a not_null test besides the constraint on {', '.join(doubled)}: remove the test",
            )


def check_owner(manifest: Manifest) -> Iterator[Violation]:
    """Every model has `meta.owner` or belongs to a dbt group with an owner."""
    groups = manifest.get("groups", {})
    for node in project_nodes(manifest, "model"):
        config = node.get("config", {})
        meta = {**(node.get("meta") or {}), **(config.get("meta") or {})}
        if str(meta.get("owner") or "").strip():
            continue
        group_name = node.get("group") or config.get("group")
        group = groups.get(f"group.{node['package_name']}.{group_name}", {}) if group_name else {}
        owner = group.get("owner") or {}
        if owner.get("name") or owner.get("email"):
            continue
        yield _violation("owner", node, f"has no owner: {OWNER_HELP}")


def _upstream_kind(manifest: Manifest, unique_id: str) -> tuple[str, str]:
    """(kind, label) of an upstream node: kind is "source", "seed", "snapshot" or the layer of a model."""
    resource_type = unique_id.split(".", 1)[0]
    if resource_type == "source":
        source = manifest["sources"].get(unique_id)
        source_name, table = (source["source_name"], source["name"]) if source else unique_id.split(".")[2:4]
        return "source", f"source('{source_name}', '{table}')"
    node = manifest["nodes"].get(unique_id)
    name = node["name"] if node else unique_id.rsplit(".", 1)[-1]
    if resource_type == "model" and node is not None:
        return _layer(node), f"{_layer(node) or 'top-level'} model {name}"
    return resource_type, f"{resource_type} {name}"


def check_layers(manifest: Manifest) -> Iterator[Violation]:
    """Every model is in a known layer and reads only what its layer may read (LAYERS)."""
    for node in project_nodes(manifest, "model"):
        layer_name = _layer(node)
        layer = LAYERS.get(layer_name)
        if layer is None:
            folders = ", ".join(f"models/{name}/" for name in LAYERS)
            yield _violation("layers", node, f"is outside the layers: move it into one of {folders}")
            continue
        for upstream in node.get("depends_on", {}).get("nodes", []):
            kind, label = _upstream_kind(manifest, upstream)
            if kind in layer.reads or (kind == "quarantine" and _is_audit_mart(node)):
                continue
            if kind == "source":
                hint = "source() belongs in staging: ref() the staging model instead"
            elif kind == "quarantine":
                hint = "quarantine models hold rejected rows for inspection: nothing builds on them"
            else:
                hint = f"{layer_name} may read only: {', '.join(sorted(layer.reads))}"
            yield _violation("layers", node, f"({layer_name}) reads {label}: {hint}")


IDENTIFIER_MAX_LENGTH = 63
"""PostgreSQL's limit (NAMEDATALEN - 1): dbt names a model's relation, and a unit test's, after it."""


def check_naming(manifest: Manifest) -> Iterator[Violation]:
    """Every model is named by its layer's rule (LAYERS); no model or unit test name is too long for PostgreSQL."""
    for node in project_nodes(manifest, "model", "unit_test"):
        if len(node["name"]) > IDENTIFIER_MAX_LENGTH:
            yield _violation(
                "naming",
                node,
                f"is {len(node['name'])} characters long: PostgreSQL allows {IDENTIFIER_MAX_LENGTH} in the "
                "relation dbt names after it (the build fails on the postgres target)",
            )
    for node in project_nodes(manifest, "model"):
        layer = LAYERS.get(_layer(node))
        if layer is None:
            continue  # reported by the layers rule
        fqn = node["fqn"]
        folder = re.escape(fqn[2]) if len(fqn) > 3 else "[a-z0-9]+"
        if not re.fullmatch(layer.name_pattern.format(folder=folder), node["name"]):
            yield _violation("naming", node, f"breaks the naming rule of {_layer(node)}: {layer.naming}")


RULES: dict[str, Callable[[Manifest], Iterator[Violation]]] = {
    "description": check_descriptions,
    "grain": check_grain,
    "constraints": check_constraints,
    "owner": check_owner,
    "layers": check_layers,
    "naming": check_naming,
}


def check(manifest: Manifest) -> list[Violation]:
    """Every violation of every rule, sorted by rule and file."""
    return sorted(violation for rule in RULES.values() for violation in rule(manifest))


def report(manifest: Manifest, violations: list[Violation]) -> str:
    """A readable report: what was checked, each rule's result, then every violation."""
    kinds = {"model": "model", "seed": "seed", "snapshot": "snapshot", "source": "source table"}
    counts = {label: sum(1 for _ in project_nodes(manifest, kind)) for kind, label in kinds.items()}
    checked = ", ".join(f"{count} {label}{'s' if count != 1 else ''}" for label, count in counts.items())
    lines = [f"guardrails: checked {checked}"]
    for rule in RULES:
        broken = sum(violation.rule == rule for violation in violations)
        lines.append(f"  {rule:<12} {'FAIL ' + str(broken) if broken else 'ok'}")
    if violations:
        lines += ["", f"{len(violations)} violation{'s' if len(violations) != 1 else ''}:"]
        lines += [f"  {violation}" for violation in violations]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.check_project", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--manifest",
        type=Path,
        default=Path("target/manifest.json"),
        help="the manifest of a fresh `dbt parse` (default: target/manifest.json)",
    )
    args = parser.parse_args(argv)
    try:
        manifest = json.loads(args.manifest.read_text())
    except (OSError, ValueError) as exc:
        print(f"guardrails: cannot read the manifest {args.manifest}: {exc} (run `dbt parse` first)", file=sys.stderr)
        return 2
    violations = check(manifest)
    print(report(manifest, violations))
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
