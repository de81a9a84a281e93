"""The fixed cost of a source: dlt resolves the DuckDB destination's configuration a few times per pipeline.

dlt asks the destination for its capabilities at every pipeline step, and dlt's DuckDB factory resolves a
partial configuration from every config provider each time (16 times per source in a run with nothing
new); ``ingestion.common.settings.DuckDbDestination`` resolves it once per pipeline. The runner syncs with
the destination once per source (``run`` would sync a second time), and every step uses one connection to
the warehouse (dlt opens the file for each client: 7 times in a nothing-new OLTP run).
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import dlt
import duckdb
import pytest
from dlt.common.destination import reference
from dlt.common.normalizers.naming import sql_cs_v1
from dlt.destinations.impl.duckdb.configuration import DuckDbClientConfiguration, DuckDbCredentials
from dlt.pipeline.pipeline import Pipeline

from ingestion.common.settings import PIPELINE_PREFIX, DuckDbDestination


def test_a_run_with_nothing_new_resolves_the_destination_configuration_a_few_times(
    generated, ingest, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = generated(2)
    assert ingest(data_dir, "lake").ok
    resolved: Counter[str] = Counter()
    resolve = reference.resolve_configuration

    def counting(config: Any, **kwargs: Any) -> Any:
        if isinstance(config, DuckDbClientConfiguration) and not config.is_resolved():
            resolved["partial" if kwargs.get("accept_partial") else "full"] += 1
        return resolve(config, **kwargs)

    monkeypatch.setattr(reference, "resolve_configuration", counting)
    result = ingest(data_dir, "lake")

    assert result.ok and result.files == 0, result.error
    assert resolved["partial"] == 1, "the capabilities' configuration is resolved once per pipeline"
    assert resolved["full"] <= 3, "clients: the destination sync and the load step"
    state = json.loads((data_dir / "pipelines" / f"{PIPELINE_PREFIX}lake" / "state.json").read_text())
    assert state["destination_type"] == "dlt.destinations.duckdb"


def test_a_run_syncs_with_the_destination_once(generated, ingest, monkeypatch: pytest.MonkeyPatch) -> None:
    """The runner syncs before building the source (a build reads the state); ``run`` must not sync again."""
    data_dir = generated(2)
    assert ingest(data_dir, "lake").ok
    syncs: list[str] = []
    sync = Pipeline._sync_destination

    def counting(self: Pipeline, *args: Any, **kwargs: Any) -> Any:
        syncs.append(self.pipeline_name)
        return sync(self, *args, **kwargs)

    monkeypatch.setattr(Pipeline, "_sync_destination", counting)
    result = ingest(data_dir, "lake")

    assert result.ok and result.files == 0, result.error
    assert syncs == [f"{PIPELINE_PREFIX}lake"]


def test_a_source_opens_the_warehouse_once(generated, ingest, monkeypatch: pytest.MonkeyPatch) -> None:
    """dlt's steps and the source's own queries share one connection (dlt would open the file for each)."""
    data_dir = generated(2)
    opened: list[str] = []
    connect = duckdb.connect

    def counting(database: Any = None, *args: Any, **kwargs: Any) -> Any:
        opened.append(str(database))
        return connect(database, *args, **kwargs)

    monkeypatch.setattr(duckdb, "connect", counting)
    first = ingest(data_dir, "lake")  # the sync, the load and its bookkeeping
    assert first.ok and first.files > 0, first.error
    assert opened == [str(data_dir / "warehouse.duckdb")]
    opened.clear()
    second = ingest(data_dir, "oltp")
    assert second.ok and second.total_rows > 0, second.error
    assert opened == [str(data_dir / "warehouse.duckdb")]


@pytest.mark.parametrize("naming", [None, sql_cs_v1.NamingConvention()], ids=["default", "case-sensitive"])
def test_the_capabilities_are_dlts_own(tmp_path, naming) -> None:
    credentials = DuckDbCredentials(str(tmp_path / "warehouse.duckdb"), global_config={"memory_limit": "256MB"})
    ours = DuckDbDestination(credentials)

    assert ours.destination_type == dlt.destinations.duckdb().destination_type
    assert ours.destination_name == "duckdb"
    dlts = dict(dlt.destinations.duckdb(credentials).capabilities(naming=naming))
    for _ in range(2):  # the second call reuses the resolved configuration
        assert dict(ours.capabilities(naming=naming)) == dlts
