"""The one kind of error a source raises on purpose: a clear, one-line message for the user."""

from __future__ import annotations

import re

from dlt.common.configuration.exceptions import ConfigFieldMissingException


class SourceError(Exception):
    """A source cannot run as configured; the message says what is wrong and what to do."""


def root_causes(exc: BaseException) -> list[BaseException]:
    """The exception and everything it was raised from, outermost first (dlt wraps errors twice)."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
        if isinstance(current, StopIteration):  # an error raised inside a generator: the iteration is noise
            break
    return chain


CONVERSION_ERROR = re.compile(r"Could not convert (.+?) when casting from source column (\S+)")
"""DuckDB's message when a loaded value does not fit the warehouse column's type."""


def explain_type_change(chain: list[BaseException], pipeline: str) -> str | None:
    """One line for a load that failed because a column's values no longer fit its warehouse type.

    The usual cause: the column changed type in the source (an integer became text). dlt wrote the rows
    with the new type and the destination cannot cast them to the column it created on the first load.
    """
    job_id = next((getattr(cause, "job_id", None) for cause in chain if getattr(cause, "job_id", None)), None)
    for cause in chain:
        found = CONVERSION_ERROR.search(str(cause))
        if found:
            table = str(job_id).split(".")[0] if job_id else "?"
            column = found.group(2).strip("\"'")
            return (
                f"column {table}.{column} changed type in the source: could not convert {found.group(1)} to the type "
                f"the warehouse table has; change the column back in the source, or drop the raw table to reload it "
                f"with the new type (dlt pipeline --pipelines-dir $DATA_DIR/pipelines {pipeline} drop {table})"
            )
    return None


def explain_missing_setting(chain: list[BaseException], source: str, section: str | None = None) -> str | None:
    """One line for a setting dlt could not find, naming the keys to set (not dlt's "Missing N field(s)").

    ``section``: where the source's settings live (default ``sources.<source>``).
    """
    missing = next((cause for cause in chain if isinstance(cause, ConfigFieldMissingException)), None)
    if missing is None:
        return None
    tried = missing.traces.get("credentials") or []
    credentials = next((trace for trace in tried if isinstance(getattr(trace, "traces", None), dict)), None)
    nested = getattr(credentials, "traces", None)
    if isinstance(nested, dict):  # object storage: dlt tried a credentials class (AwsCredentials, ...)
        fields = [name for name, traces in nested.items() if all(trace.value is None for trace in traces)]
        variables = " and ".join(f"SOURCES__{source.upper()}__CREDENTIALS__{name.upper()}" for name in fields)
        kind = getattr(credentials, "spec_name", "credentials")
        return (
            f"{source}: no credentials for the bucket ({kind}): set {variables}, or {', '.join(fields)} under "
            f"[sources.{source}.credentials] in .dlt/secrets.toml"
        )
    keys = [f"{section or 'sources.' + source}.{name}" for name in missing.fields if name != "local_dir"]
    variables = ", ".join(key.replace(".", "__").upper() for key in keys)
    return (
        f"{source}: missing setting(s) {', '.join(keys)}: set them in .dlt/config.toml of the project folder "
        f"(DLT_PROJECT_DIR) or as environment variables ({variables})"
    )
