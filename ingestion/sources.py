"""The registry of source systems, in load order (apart from the runner, which only reads it)."""

from __future__ import annotations

from . import adplatform, documents, events, lake, oltp, weblogs
from .common.spec import SourceSpec


def registry() -> dict[str, SourceSpec]:
    """All source systems by name, in load order."""
    specs = [oltp.SPEC, documents.SPEC, events.SPEC, weblogs.SPEC, adplatform.SPEC, lake.SPEC]
    return {spec.name: spec for spec in specs}
