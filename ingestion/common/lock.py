"""Who holds the warehouse: DuckDB's file lock turned into one clear line instead of a stack trace.

DuckDB lets one process open a database file for writing (or several for reading only). A second
opener gets ``IOException: ... Could not set lock on file "<path>": Conflicting lock is held in
<executable> (PID <n>)``. :func:`probe` opens the warehouse once, read-write like ``dlt`` and ``dbt``
do, and closes it at once; when the lock is held it returns a :class:`LockHolder` whose
:meth:`LockHolder.message` names the file, the PID, the holder's command line (from
``/proc/<pid>/cmdline`` where there is one) and what to do. Only ``duckdb`` is imported here, so
``python -m tools.warehouse_lock`` stays cheap before ``dbt build``.

A probe is a snapshot: another process can still take the lock between the probe and the real
command, which then fails with DuckDB's own message (the ingestion runner turns it into the same line
through :func:`explain_lock_error`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

_LOCK_ERROR = re.compile(
    r'Could not set lock on file "(?P<path>[^"]*)": Conflicting lock is held in (?P<exe>.*?) \(PID (?P<pid>\d+)\)'
)
_MAX_COMMAND = 200


@dataclass(frozen=True)
class LockHolder:
    """The process that holds a DuckDB file's lock, as DuckDB reports it."""

    path: str
    pid: int
    executable: str

    @property
    def command(self) -> str:
        """The holder's command line (``/proc/<pid>/cmdline``), else the executable DuckDB names."""
        try:
            raw = Path(f"/proc/{self.pid}/cmdline").read_bytes()
        except OSError:
            return self.executable
        command = " ".join(part.decode(errors="replace") for part in raw.split(b"\0") if part)
        if len(command) > _MAX_COMMAND:
            command = command[: _MAX_COMMAND - 3] + "..."
        return command or self.executable

    def message(self) -> str:
        """One line: which file, held by which PID and command, and what to do."""
        return (
            f"the warehouse {self.path} is locked by another process: PID {self.pid} ({self.command}). "
            f"DuckDB allows one writer at a time: wait for it to finish (or close that session), "
            f"or stop it (kill {self.pid}), then run this again"
        )


def parse_lock_error(error: BaseException | str) -> LockHolder | None:
    """The holder named in a DuckDB lock conflict error (any exception or message), else None."""
    match = _LOCK_ERROR.search(str(error))
    if match is None:
        return None
    return LockHolder(path=match["path"], pid=int(match["pid"]), executable=match["exe"])


def explain_lock_error(error: BaseException) -> str | None:
    """The clear one-line message for a DuckDB lock conflict, or None for any other error."""
    holder = parse_lock_error(error)
    return holder.message() if holder else None


def probe(path: Path) -> LockHolder | None:
    """Open ``path`` read-write and close it again; the lock's holder if another process has it.

    A missing file is not locked (and is not created). Errors other than a lock conflict are left to
    the command that runs next, which reports them in its own words.
    """
    if not path.exists():
        return None
    try:
        duckdb.connect(str(path)).close()
    except duckdb.Error as exc:
        return parse_lock_error(exc)
    return None
