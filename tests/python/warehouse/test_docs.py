"""The docs site is complete: `dbt docs generate` lists every model, seed, snapshot and source with a
description, and every column the warehouse has (the catalog) is described in YAML."""

from __future__ import annotations

import json
from pathlib import Path


def test_every_model_and_every_column_is_described(generated_docs: Path) -> None:
    target = generated_docs
    manifest = json.loads((target / "manifest.json").read_text())
    catalog = json.loads((target / "catalog.json").read_text())

    documented = {**manifest["nodes"], **manifest["sources"]}
    relations = {
        unique_id: node
        for unique_id, node in documented.items()
        if node["resource_type"] in {"model", "seed", "snapshot", "source"} and node["package_name"] == "shopwarehouse"
    }
    assert sum(node["resource_type"] == "model" for node in relations.values()) >= 35

    undescribed = sorted(uid for uid, node in relations.items() if not node["description"].strip())
    assert undescribed == [], f"relations without a description: {undescribed}"

    in_catalog = {**catalog["nodes"], **catalog["sources"]}
    missing_columns = []
    for unique_id, node in relations.items():
        if node["resource_type"] == "model" and node["config"]["materialized"] == "ephemeral":
            continue
        if node["resource_type"] == "source" and unique_id not in in_catalog:
            continue  # a raw table that exists only once something arrived (e.g. rejected_records)
        assert unique_id in in_catalog, f"{unique_id} is not in the warehouse (catalog)"
        described = {name.lower(): column["description"].strip() for name, column in node["columns"].items()}
        for column in in_catalog[unique_id]["columns"]:
            if not described.get(column.lower()):
                missing_columns.append(f"{node['name']}.{column}")
    assert missing_columns == [], f"{len(missing_columns)} columns without a description: {missing_columns[:40]}"
    assert "__overview__" in str(manifest["docs"]), "the docs site's overview page is missing"
    assert "shopwarehouse: the demo shop" in manifest["docs"]["doc.shopwarehouse.__overview__"]["block_contents"]
