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

The ingest opens the warehouse once per source and closes it again (dlt, for another destination, for
each step), so DuckDB's lock alone does not keep two ingests apart: they would interleave and race on
the same pipelines' state and load packages. :class:`RunLock` is an exclusive ``flock`` on a file that
one ingest holds for its whole run (released by the kernel when the process ends, even on SIGKILL); the
file says which PID and command holds it.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import duckdb

try:
    import fcntl
except ImportError:  # Windows: no flock; the warehouse probe still runs
    fcntl = None  # type: ignore[assignment]

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
        return command_line(self.pid) or self.executable

    def message(self) -> str:
        """One line: which file, held by which PID and command, and what to do."""
        return (
            f"the warehouse {self.path} is locked by another process: PID {self.pid} ({self.command}). "
            f"DuckDB allows one writer at a time: wait for it to finish (or close that session), "
            f"or stop it (kill {self.pid}), then run this again"
        )


def command_line(pid: int) -> str | None:
    """A process's command line from ``/proc/<pid>/cmdline`` (shortened), None where there is none."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    command = " ".join(part.decode(errors="replace") for part in raw.split(b"\0") if part)
    if len(command) > _MAX_COMMAND:
        command = command[: _MAX_COMMAND - 3] + "..."
    return command or None


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


class RunLock:
    """An exclusive, non-blocking ``flock`` on ``path`` for the length of one run (one ingest at a time)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[str] | None = None

    def acquire(self) -> str | None:
        """Take the lock and return None, or return a one-line message naming the run that holds it."""
        if fcntl is None:
            return None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            owner = handle.read().strip().splitlines()
            handle.close()
            pid = owner[0] if owner else "?"
            command = owner[1] if len(owner) > 1 else "unknown command"
            return (
                f"another ingest is running on this DATA_DIR: PID {pid} ({command}) holds {self.path}. "
                f"Wait for it to finish, or stop it (kill {pid}), then run this again"
            )
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n{command_line(os.getpid()) or ' '.join([sys.executable, *sys.argv])}\n")
        handle.flush()
        self._file = handle
        return None

    def release(self) -> None:
        """Drop the lock (the process ending drops it too)."""
        if self._file is not None:
            self._file.close()
            self._file = None
