"""Run a command and measure wall time and the peak RSS of its whole process tree."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Measurement:
    seconds: float
    peak_rss_mb: float
    largest_process_mb: float = 0.0
    """The peak RSS of the largest single process of the tree (the summed peak may be several)."""
    largest_process: str = ""
    """That process's command line (shortened), e.g. ``dbt build ...``."""


def _tree_rss_kb(pid: int) -> tuple[int, int, int]:
    """The summed RSS (kB) of pid and all its descendants, and the largest one's RSS and pid."""
    total, largest, largest_pid, stack = 0, 0, pid, [pid]
    while stack:
        p = stack.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
                    total += rss
                    if rss > largest:
                        largest, largest_pid = rss, p
            for task in Path(f"/proc/{p}/task").iterdir():
                stack.extend(int(c) for c in (task / "children").read_text().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total, largest, largest_pid


def _command(pid: int, width: int = 80) -> str:
    """The command line of a running process, the program's path shortened to its name."""
    try:
        parts = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return "?"
    parts = [part for part in parts if part]
    if parts:
        parts[0] = Path(parts[0]).name
    if len(parts) > 1 and parts[0].startswith("python") and parts[1].endswith((".py", "/dbt")):
        parts = [Path(parts[1]).name, *parts[2:]]  # `python .venv/bin/dbt build` -> `dbt build`
    text = " ".join(parts)
    return text if len(text) <= width else text[: width - 3] + "..."


def measure(cmd: list[str], env: dict[str, str] | None = None) -> Measurement:
    """Wall time and peak summed RSS (sampled every 50 ms) of cmd and all its children."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    peak = largest = 0
    largest_command = ""
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, largest, largest_command
        while not done.is_set():
            total, rss, pid = _tree_rss_kb(proc.pid)
            peak = max(peak, total)
            if rss > largest:
                largest, largest_command = rss, _command(pid)
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = proc.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {stderr.strip()[-500:]}")
    return Measurement(seconds, peak / 1024, largest / 1024, largest_command)


def median(values: list[float]) -> float:
    return statistics.median(values)


@dataclass(frozen=True)
class Record:
    """One judged figure of a benchmark, as written by ``--json PATH``.

    ``target`` is the upper bound the value must not exceed (every target of the benchmarks is an
    "at most"); ``passed`` is ``value <= target``. In the JSON the field is named ``pass``. A figure
    shown for context (the seconds a ratio is made of) has no target, and ``pass`` is null.
    """

    benchmark: str
    scale: float
    metric: str
    value: float
    unit: str
    target: float | None = None

    @property
    def passed(self) -> bool | None:
        return None if self.target is None else self.value <= self.target

    def as_json(self) -> dict[str, object]:
        return {
            "benchmark": self.benchmark,
            "scale": self.scale,
            "metric": self.metric,
            "value": round(self.value, 4),
            "unit": self.unit,
            "target": self.target,
            "pass": self.passed,
        }


def verdict(value: float, target: float) -> str:
    """PASS when the value is at most the target, else MISS (targets are reported, never asserted)."""
    return "PASS" if value <= target else "MISS"


def write_records(path: Path | None, records: list[Record]) -> None:
    """Write the records as a JSON list to path (nothing when path is None); say where."""
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([record.as_json() for record in records], indent=2) + "\n")
    print(f"{len(records)} judged figures written to {path}")
