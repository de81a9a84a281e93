"""Where things live: the data folder, the warehouse, and dlt's working folder.

Everything is under ``DATA_DIR`` (default ``./data``): the DuckDB warehouse
(``warehouse.duckdb``, the file ``profiles.yml`` points dbt at) and dlt's pipeline state and load
packages (``pipelines/``). Two data folders never share incremental state, and deleting the folder
is a clean reset.

The destination is DuckDB unless ``ingestion.destination`` (``INGESTION__DESTINATION``) names another
dlt destination; its credentials then come from dlt's usual config (``DESTINATION__<NAME>__…``).
Settings are read from ``.dlt/`` of the project folder (``project_dir``) unless the current folder
has its own ``.dlt`` or ``DLT_PROJECT_DIR`` names another.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dlt
import duckdb
from dlt.common.configuration import with_config
from dlt.common.configuration.specs import BaseConfiguration
from dlt.common.destination import DestinationCapabilitiesContext
from dlt.common.destination.reference import DestinationReference
from dlt.common.normalizers.naming import NamingConvention
from dlt.destinations.impl.duckdb.configuration import DuckDbClientConfiguration, DuckDbCredentials

DATA_DIR_ENV = "DATA_DIR"
WAREHOUSE_FILE = "warehouse.duckdb"
PIPELINES_FOLDER = "pipelines"
PIPELINE_PREFIX = "shopwarehouse_"


@dataclass(frozen=True)
class Paths:
    """The locations one ingest run works with."""

    data_dir: Path

    @property
    def warehouse(self) -> Path:
        """DuckDB warehouse file shared by dlt (writes raw datasets) and dbt (builds models)."""
        return self.data_dir / WAREHOUSE_FILE

    @property
    def pipelines_dir(self) -> Path:
        """dlt's working folder: pipeline state, schemas and load packages.

        ``pipelines/`` for the DuckDB warehouse; ``pipelines-<destination>/`` for another destination, so
        one data folder can load the same demo data into several engines (``make parity``) without one
        pipeline's state (incremental cursors, schema) belonging to another engine's tables.
        """
        if uses_local_warehouse():
            return self.data_dir / PIPELINES_FOLDER
        return self.data_dir / f"{PIPELINES_FOLDER}-{destination_name()}"

    @property
    def sources_dir(self) -> Path:
        """Default root of the file sources (the demo generator writes here)."""
        return self.data_dir / "sources"


def project_dir() -> Path:
    """The folder whose ``.dlt/`` holds the settings: ``DLT_PROJECT_DIR``, the current folder if it has
    ``.dlt/``, else this checkout (so ``python -m ingestion`` works from any folder)."""
    if os.environ.get("DLT_PROJECT_DIR"):
        return Path(os.environ["DLT_PROJECT_DIR"])
    return Path.cwd() if (Path.cwd() / ".dlt").is_dir() else Path(__file__).resolve().parents[2]


def default_data_dir() -> Path:
    """``$DATA_DIR`` or ``./data``."""
    return Path(os.environ.get(DATA_DIR_ENV) or "data")


@with_config(sections=("ingestion",))
def destination_name(destination: str = dlt.config.value) -> str:
    """``ingestion.destination`` (``INGESTION__DESTINATION``): a dlt destination name."""
    return destination


@with_config(sections=("ingestion",))
def loader_file_format(loader_file_format: str | None = None) -> str | None:
    """``ingestion.loader_file_format`` (``INGESTION__LOADER_FILE_FORMAT``): the load files' format, unset for
    the destination's preferred one; ``parquet`` for the filesystem destination that Spark reads."""
    return loader_file_format


@with_config(sections=("ingestion",))
def duckdb_memory_limit(duckdb_memory_limit: str = dlt.config.value) -> str:
    """``ingestion.duckdb_memory_limit``: DuckDB's buffer pool during loads."""
    return duckdb_memory_limit


def uses_local_warehouse() -> bool:
    """True when the destination is the DuckDB file ``Paths.warehouse`` (the default)."""
    return destination_name() == "duckdb" and not os.environ.get("DESTINATION__DUCKDB__CREDENTIALS")


class DuckDbDestination(dlt.destinations.duckdb):
    """dlt's DuckDB destination, whose capabilities resolve the destination configuration once.

    dlt asks the destination for its capabilities at every pipeline step, ``sync_destination`` and
    activation, and without an explicit configuration each call resolves a partial
    ``DuckDbClientConfiguration`` from every config provider (about 60 look-ups): 16 times per source in
    a run with nothing new, about a third of the fixed cost of a file source. Those capabilities depend on
    the naming convention, not on the settings (which do not change during a run), so the configuration is
    resolved on the first call and reused by this factory (one per pipeline). Clients (``client()``) still
    resolve their full configuration each time, as before. Other destinations are dlt's own factories.
    """

    _capabilities_config: DuckDbClientConfiguration | None = None

    @property
    def destination_type(self) -> str:
        """``dlt.destinations.duckdb``, as for dlt's own factory (pipeline state records this type)."""
        base = dlt.destinations.duckdb
        return DestinationReference.normalize_type(f"{base.__module__}.{base.__qualname__}")

    def capabilities(
        self, config: DuckDbClientConfiguration | None = None, naming: NamingConvention | None = None
    ) -> DestinationCapabilitiesContext:
        if config is None:
            if self._capabilities_config is None:
                self._capabilities_config = self._explicit_configuration()
            config = self._capabilities_config
        return super().capabilities(config, naming)

    def _explicit_configuration(self) -> DuckDbClientConfiguration:
        """The configuration dlt's ``capabilities()`` resolves when given none (partial, mock credentials)."""
        initial = self.spec()
        initial.update(self.config_params)
        if not initial.credentials:
            credentials = self.spec.credentials_type(initial)()
            credentials.__is_resolved__ = True
        else:
            credentials = initial.credentials
            if isinstance(credentials, BaseConfiguration):
                credentials = credentials.copy()
        config = self.spec(credentials=credentials)
        try:
            return self.configuration(config, accept_partial=True)
        except Exception:  # noqa: BLE001 - as dlt does: an invalid native value leaves the "empty" config
            return config


def open_warehouse(paths: Paths) -> duckdb.DuckDBPyConnection | None:
    """A connection to the DuckDB warehouse file, or None when the destination is another one.

    dlt opens the file for each step and client (the destination sync, the load, each query of a
    source) and closes it again, and each open reads the catalog and each close checkpoints: 7 times in a
    run of the OLTP source with nothing new, 5 for the ad platform, 20-45 ms each. A pipeline made with
    this connection (``make_pipeline(..., connection=...)``) uses it for all of them (dlt hands each user
    a duplicate of it and never closes it); the caller closes it, which checkpoints once.
    """
    if not uses_local_warehouse():
        return None
    paths.warehouse.parent.mkdir(parents=True, exist_ok=True)
    return duckdb.connect(str(paths.warehouse))


def destination(paths: Paths, connection: duckdb.DuckDBPyConnection | None = None) -> Any:
    """The dlt destination: DuckDB at ``paths.warehouse`` (through ``connection`` when given) unless
    configured otherwise."""
    if uses_local_warehouse():
        paths.warehouse.parent.mkdir(parents=True, exist_ok=True)
        # DuckDB takes up to 80% of RAM by default; a bounded buffer pool keeps a large load's
        # memory flat (it writes to disk sooner) whatever the size of the data.
        credentials = DuckDbCredentials(
            connection if connection is not None else str(paths.warehouse),
            global_config={"memory_limit": duckdb_memory_limit()},
        )
        return DuckDbDestination(credentials)
    return destination_name()


def make_pipeline(
    source_name: str,
    paths: Paths,
    *,
    dev_mode: bool = False,
    connection: duckdb.DuckDBPyConnection | None = None,
) -> dlt.Pipeline:
    """One pipeline per source; its dataset (schema in DuckDB) is named after the source.

    ``connection`` (from :func:`open_warehouse`): the warehouse connection every step uses, open until
    the caller closes it; without it dlt opens the warehouse for each step.
    """
    return dlt.pipeline(
        pipeline_name=f"{PIPELINE_PREFIX}{source_name}",
        pipelines_dir=str(paths.pipelines_dir),
        destination=destination(paths, connection),
        dataset_name=source_name,
        dev_mode=dev_mode,
    )
