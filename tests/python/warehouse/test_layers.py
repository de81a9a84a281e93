"""Layer rules read from dbt's manifest (a fresh `dbt parse`, no warehouse needed).

- The marts are the public interface (dbt_project.yml says so), and so are the monitoring models
  (`make monitor` and the monitoring exposure read them): every model under models/marts/ and
  models/monitoring/ is declared `access: public`, every other model is not, and the exposures depend
  on public models only.
- Every quarantine model (`qrt_`) reads the `base_` model of its entity, never a staging model or a raw
  table (but its source's `rejected_records`, the lines ingestion could not store): staging (`stg_`)
  and quarantine split one flagged set of rows, so they cannot drift apart.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from warehouse_helpers import Warehouse

PROJECT = "shopwarehouse"


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    warehouse = Warehouse(tmp_path_factory.mktemp("parse"))
    warehouse.data_dir.mkdir(parents=True)
    warehouse.dbt("parse", "--quiet")
    return json.loads((warehouse.root / "target" / "manifest.json").read_text())


def _models(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["package_name"] == PROJECT
    }


def _in_folder(node: dict[str, Any], folder: str) -> bool:
    return Path(node["original_file_path"]).parts[:2] == ("models", folder)


def test_marts_are_public_and_nothing_else_is(manifest: dict[str, Any]) -> None:
    models = _models(manifest)
    marts = {name for name, node in models.items() if _in_folder(node, "marts")}
    assert len(marts) >= 15, f"expected the marts under models/marts/, found {sorted(marts)}"
    not_public = sorted(name for name in marts if models[name]["access"] != "public")
    assert not_public == [], f"marts without access: public: {not_public}"
    monitoring = {name for name, node in models.items() if _in_folder(node, "monitoring")}
    assert len(monitoring) >= 4, f"expected the monitoring models under models/monitoring/, found {sorted(monitoring)}"
    not_public = sorted(name for name in monitoring if models[name]["access"] != "public")
    assert not_public == [], f"monitoring models without access: public: {not_public}"
    public = marts | monitoring
    public_elsewhere = sorted(
        name for name, node in models.items() if name not in public and node["access"] == "public"
    )
    assert public_elsewhere == [], f"public models outside models/marts/ and models/monitoring/: {public_elsewhere}"


def test_exposures_depend_on_public_models_only(manifest: dict[str, Any]) -> None:
    exposures = [node for node in manifest["exposures"].values() if node["package_name"] == PROJECT]
    assert exposures, "the project declares exposures (models/marts/_marts__exposures.yml)"
    nodes = manifest["nodes"]
    for exposure in exposures:
        upstream = exposure["depends_on"]["nodes"]
        assert upstream, f"exposure {exposure['name']} depends on nothing"
        protected = sorted(nodes[uid]["name"] for uid in upstream if nodes[uid].get("access") != "public")
        assert protected == [], f"exposure {exposure['name']} depends on non-public models: {protected}"


def test_every_quarantine_model_reads_a_base_model(manifest: dict[str, Any]) -> None:
    models = _models(manifest)
    quarantine = {name: node for name, node in models.items() if _in_folder(node, "quarantine")}
    assert len(quarantine) >= 5, f"expected the quarantine models, found {sorted(quarantine)}"
    nodes = manifest["nodes"]
    for name, node in quarantine.items():
        assert name.startswith("qrt_"), f"{name}: a model under models/quarantine/ is named qrt_<source>__<entity>s"
        upstream = node["depends_on"]["nodes"]
        parents = sorted(nodes[uid]["name"] for uid in upstream if uid in nodes)
        sources = sorted(uid for uid in upstream if uid.startswith("source."))
        entity = name.removeprefix("qrt_")
        assert parents == [f"base_{entity}"], f"{name} reads {parents + sources}, not only base_{entity}"
        # besides: the rows ingestion could not even store (`<source>.rejected_records`), which no base reads
        source_name = entity.split("__", 1)[0]
        others = [uid for uid in sources if uid != f"source.{PROJECT}.{source_name}.rejected_records"]
        assert others == [], f"{name} reads raw tables directly: {others}"


def _upstream_sources(manifest: dict[str, Any], unique_id: str) -> set[str]:
    """The source tables a node reads, directly or through other models."""
    seen: set[str] = set()
    found: set[str] = set()
    todo = [unique_id]
    while todo:
        node = manifest["nodes"][todo.pop()]
        for parent in node.get("depends_on", {}).get("nodes", []):
            if parent.startswith("source."):
                found.add(parent)
            elif parent in manifest["nodes"] and parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return found


def test_the_audit_list_covers_every_raw_table_of_the_graph(manifest: dict[str, Any]) -> None:
    """`audit_tables()` (macros/audit/) is kept by hand: it names every raw table dbt knows, and maps each
    to a staging model that really reads it. dbt resolves `ref()`/`source()` when it parses, before its
    graph exists, so the list cannot be read from the graph; this test holds it against the graph."""
    # dlt's and the ingestion's own records, audited as such (`_dlt_version`: the schema versions that
    # monitoring's schema-change check reads)
    bookkeeping = {"_dlt_loads", "_ingest_audit", "_dlt_version"}
    not_ingested = {"ml_scores"}  # written by `make score` (ml/score.py), not loaded from a source system
    raw_tables = {
        uid
        for uid, node in manifest["sources"].items()
        if node["package_name"] == PROJECT
        and node["name"] not in bookkeeping
        and node["source_name"] not in not_ingested
    }
    counted = manifest["nodes"][f"model.{PROJECT}.stg_audit__raw_row_counts"]["depends_on"]["nodes"]
    assert set(counted) == raw_tables, (
        f"raw tables missing from audit_tables(): {sorted(raw_tables - set(counted))}; "
        f"listed there but not sources: {sorted(set(counted) - raw_tables)}"
    )
    reconciliation = manifest["nodes"][f"model.{PROJECT}.rpt_source_reconciliation"]["depends_on"]["nodes"]
    staging = [uid for uid in reconciliation if manifest["nodes"].get(uid, {}).get("name", "").startswith("stg_")]
    for table in sorted(uid for uid in raw_tables if not uid.endswith(".rejected_records")):
        readers = [uid for uid in staging if table in _upstream_sources(manifest, uid)]
        assert readers, f"audit_tables() maps {table} to no staging model that reads it"
