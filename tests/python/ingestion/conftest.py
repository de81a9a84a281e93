"""Fixtures of the ingestion tests: generated demo sources in a temporary DATA_DIR, and helpers to
run one source's pipeline and query the warehouse it wrote.

Every test gets its own DATA_DIR, so the warehouse file and dlt's pipeline state are never shared.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from ingest_helpers import REPO_ROOT, TEST_SCALE, demo

from ingestion.common.settings import Paths
from ingestion.runner import SourceResult, run_source
from ingestion.sources import registry


@pytest.fixture(autouse=True)
def _isolated_config(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from the repo root (dlt reads .dlt/config.toml there) with no ingestion settings inherited."""
    monkeypatch.chdir(REPO_ROOT)
    for name in list(os.environ):
        if name.startswith(("SOURCES__", "DESTINATION__", "INGESTION__")) or name == "DATA_DIR":
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RUNTIME__REQUEST_BACKOFF_FACTOR", "0.1")


@pytest.fixture
def generated(tmp_path: Path) -> Callable[..., Path]:
    """Factory: generate the demo shop (SCALE 0.01) into a fresh DATA_DIR and return it."""

    def make(days: int = 6, *extra: str) -> Path:
        data_dir = tmp_path / "data"
        demo(data_dir, "generate", "--scale", TEST_SCALE, "--days", str(days), *extra)
        return data_dir

    return make


@pytest.fixture
def ingest() -> Iterator[Callable[[Path, str], SourceResult]]:
    """Run one source's pipeline on a DATA_DIR in-process and return its result."""

    def run(data_dir: Path, name: str) -> SourceResult:
        return run_source(registry()[name], Paths(data_dir))

    yield run
