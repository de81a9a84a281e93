"""One demo warehouse for the whole session: 50 days of dirty demo data, ingested and built once.

Tests must not change it; a test that advances the demo or rebuilds works on `Warehouse.copy()`.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from warehouse_helpers import Warehouse


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    warehouse = Warehouse(tmp_path_factory.mktemp("warehouse"))
    # 50 days cross the reviews' schema change; a high dirty rate makes every bad-record kind occur
    warehouse.demo("generate", "--scale", "0.01", "--days", "50", "--dirty-rate", "0.3")
    warehouse.ingest()
    warehouse.dbt("build")
    yield warehouse


@pytest.fixture(scope="session")
def generated_docs(built_warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`dbt docs generate` once on the built warehouse: a folder with index.html, manifest.json, catalog.json."""
    built_warehouse.dbt("docs", "generate")
    site = tmp_path_factory.mktemp("docs-site")
    for name in ("index.html", "manifest.json", "catalog.json"):
        shutil.copy(built_warehouse.root / "target" / name, site / name)
    return site


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "built_warehouse" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)
