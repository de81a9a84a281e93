"""The one kind of error a source raises on purpose: a clear, one-line message for the user."""

from __future__ import annotations


class SourceError(Exception):
    """A source cannot run as configured; the message says what is wrong and what to do."""


def root_causes(exc: BaseException) -> list[BaseException]:
    """The exception and everything it was raised from, outermost first (dlt wraps errors twice)."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain
