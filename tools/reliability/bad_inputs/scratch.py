"""The scratch DATA_DIR and what runs in it (ingest, demo data); the records of a case (Case, Observed, CaseResult)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

REPO_ROOT = Path(__file__).resolve().parents[3]
SCALE = "0.01"
DAYS = "3"
MARK = "badinput"
"""Every file a case writes has this in its name, so its rows are easy to find."""
TRACEBACK = "Traceback (most recent call last)"
FIX_WORDS = ("set ", "check", "start", "try again", "fix", "generate", "reload", "restore", "drop")
"""An error line must say what to do: one of these words."""

OUTCOMES = ("quarantine", "rejected", "error", "accepted")


# --------------------------------------------------------------------------- the scratch context


@dataclass
class Run:
    """One ``python -m ingestion`` (or other command) run: exit code and output."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def output(self) -> str:
        return self.stdout + "\n" + self.stderr

    def error_line(self, source: str) -> str | None:
        """The ``ERROR <source>: ...`` line, if any."""
        return next((line for line in self.stderr.splitlines() if line.startswith(f"ERROR {source}:")), None)


@dataclass
class Scratch:
    """The shared scratch DATA_DIR and what the shared runs gave."""

    workdir: Path
    data_dir: Path
    ingest: Run | None = None
    dbt: Run | None = None
    inputs: dict[str, int | None] = field(default_factory=dict)  # case id -> input rows written (None: unknown)

    @property
    def sources(self) -> Path:
        return self.data_dir / "sources"

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """Run one read-only query on the warehouse."""
        connection = duckdb.connect(str(self.data_dir / "warehouse.duckdb"), read_only=True)
        try:
            return connection.execute(sql, list(params)).fetchall()
        finally:
            connection.close()


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a child run: this DATA_DIR, no inherited source settings, fast retries."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("SOURCES__", "DESTINATION__", "INGESTION__", "RUNTIME__")) and name != "DATA_DIR"
    }
    env.update(
        DATA_DIR=str(data_dir),
        RUNTIME__REQUEST_BACKOFF_FACTOR="0.1",
        RUNTIME__REQUEST_MAX_ATTEMPTS="3",
        RUNTIME__REQUEST_MAX_RETRY_DELAY="1",
    )
    env.update(extra)
    return env


def _run(command: list[str], env: dict[str, str], timeout: float = 300) -> Run:
    """Run a command from the repo root and capture everything."""
    started = time.monotonic()
    done = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    return Run(done.returncode, done.stdout, done.stderr, time.monotonic() - started)


def ingest(data_dir: Path, sources: str, **env: str) -> Run:
    """``python -m ingestion --source SOURCES`` on ``data_dir``."""
    return _run([sys.executable, "-m", "ingestion", "--source", sources], _env(data_dir, **env))


def generate(data_dir: Path) -> None:
    """Small clean demo data (the catalogue's damages are its only bad records)."""
    done = _run(
        [sys.executable, "-m", "demo", "--data-dir", str(data_dir), "generate", "--scale", SCALE, "--days", DAYS]
        + ["--no-dirty", "--quiet"],
        _env(data_dir),
    )
    if done.returncode:
        raise RuntimeError(f"demo generate failed: {done.stderr.strip()}")


@dataclass
class Observed:
    """What happened to one case's input."""

    outcome: str
    message: str
    ok: bool
    problems: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- the cases


@dataclass(frozen=True)
class Case:
    """One bad input."""

    id: str
    input: str  # what the input is
    kind: str  # file, api, database
    source: str  # the ingestion source it enters through
    expected: str  # one of OUTCOMES
    expectation: str  # the reason / message / where an accepted oddity is kept
    produce: Callable[[Scratch], None] | None = None  # shared cases: damages the shared DATA_DIR
    check: Callable[[Scratch, Case], Observed] | None = None  # shared cases: verifies the shared run
    run_alone: Callable[[Path], Observed] | None = None  # cases with their own run (API, database down)
    slow: bool = False

    @property
    def shared(self) -> bool:
        return self.run_alone is None


@dataclass
class CaseResult:
    """The verdict of one case."""

    id: str
    input: str
    source: str
    expected: str
    outcome: str
    message: str
    passed: bool
    problems: list[str]
    seconds: float = 0.0

    @property
    def verdict(self) -> str:
        return "PASS" if self.passed else "FAIL"
