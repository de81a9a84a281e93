"""What the runner needs to know about one source system (no source is imported here: no import cycle)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dlt.extract.source import DltSource

from .settings import Paths
from .stats import SourceStats


def _no_explanation(exc: BaseException) -> str | None:
    return None


@dataclass(frozen=True)
class SourceSpec:
    """One source system: its name (= dlt dataset = DuckDB schema = dbt source) and how to build it.

    ``build`` passes only what is not a setting (the demo's default folder under ``DATA_DIR``, the run's
    figures): every setting reaches the source function through dlt's injection, from ``.dlt/config.toml``,
    ``.dlt/secrets.toml`` or the environment.
    """

    name: str
    description: str
    build: Callable[[Paths, SourceStats], DltSource]
    explain: Callable[[BaseException], str | None] = _no_explanation
