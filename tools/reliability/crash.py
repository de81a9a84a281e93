"""Crash recovery trials: SIGKILL ``python -m ingestion`` and ``dbt build`` mid-run, re-run, compare.

    python -m tools.reliability.crash --ingest-trials 12 --dbt-trials 4 --seed 42 [--json out.json]

One small demo DATA_DIR (scale 0.01, a few days) is generated once. Ingest trials start from one of two
bases, each with its uninterrupted reference run: ``first`` (nothing ingested yet: a first load) and
``incremental`` (ingested once, then ``demo advance --days 1``: the next day's run). Each trial works
on a fresh copy of its base:

- ingest: ``python -m demo api with -- python -m ingestion`` starts in its own session; the trial
  follows the source the ingest announces (``  <source>: loading``) and that source's dlt working
  folder (``DATA_DIR/pipelines/shopwarehouse_<source>/``) until it reaches the chosen stage, waits a
  random part of that stage's length in the reference run (or until the stage ends, if sooner), and
  SIGKILLs the whole process group (the demo API is served from the ``with`` process, so it dies
  too). The stage it was killed in is read back from the frozen
  folders, not assumed. Then one uninterrupted re-run must exit 0 and leave every raw dataset with the
  reference content (per table: row count and a hash of every row, dlt's load ids left out), no
  pending load package, no unfinished load (``_dlt_loads.status`` other than 0) and no audit count
  recorded twice for a load (``_ingest_audit`` itself gains rows on a re-run by design: not hashed).
- dbt: ``dbt build`` (on the first base, ingested) is SIGKILLed (process group) at a random point: a
  random 0-0.3 s after its output shows the k-th node starting, k drawn from the reference build's
  node count (a point in the build's progress rather than a delay in seconds, which a faster run
  outlives); the node last started is read from its output. One re-run must exit 0 and leave every
  dbt-built relation (every schema but the raw datasets) with the reference content, column for column.

Before each re-run the trial checks that the kill left no stale lock: the ingest's ``flock``
(``DATA_DIR/.ingest.lock``) and DuckDB's lock on the warehouse are both free (both die with the process).

Stages, as dlt 1.31 lays out a pipeline's folder (what the watcher reads):

- ``extract``: a package under ``normalize/<temporary folder>/<load_id>`` (dlt writes the extract
  there and moves it only when complete, so a killed extract leaves no pending package, only an
  orphaned temporary folder);
- ``normalize``: a package in ``normalize/extracted/`` (extracted, to normalize) or ``load/new/``;
- ``load``: a package in ``load/normalized/`` (its jobs move new_jobs → started_jobs → completed_jobs);
- ``setup``: no package in flight for the source (state sync with the warehouse and reading the
  source before the extract writes, or the bookkeeping after its load).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ingestion.common.audit import AUDIT_TABLE
from ingestion.common.lock import RunLock, probe
from ingestion.common.settings import PIPELINE_PREFIX

from .hashing import BOOKKEEPING, Hashes, WarehouseFile, content_hashes, differences, dlt_datasets

REPO = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
DBT = str(Path(PYTHON).with_name("dbt"))
SOURCES = ("oltp", "documents", "events", "weblogs", "adplatform", "lake")
"""The ingest's sources in load order (``ingestion.runner.registry``)."""
STAGES = ("extract", "normalize", "load")
BASES = ("first", "incremental")
INGEST_LOCK = ".ingest.lock"
POLL_SECONDS = 0.002
RUN_TIMEOUT = 900


@dataclass
class TrialResult:
    """One trial: where the process was killed (as observed) and what the re-run left."""

    trial: int
    target: str  # "ingest" or "dbt"
    planned: str  # "<source>/<stage>" or "<seconds> s"
    killed_source: str | None  # ingest: the source being loaded; dbt: the last node started
    killed_stage: str | None  # ingest: the stage observed in the frozen folders; dbt: "node k of n"
    killed_seconds: float  # since the process started; -1 when it finished before the kill
    rerun_exit: int | None = None
    differences: list[str] = field(default_factory=list)  # relations whose content differs
    problems: list[str] = field(default_factory=list)  # stale lock, pending package, unreadable warehouse, ...
    base: str = "first"  # ingest: "first" (a first load) or "incremental" (the run after one more demo day)
    pending_after_kill: list[str] = field(default_factory=list)  # load packages the kill left pending

    @property
    def killed(self) -> bool:
        return self.killed_seconds >= 0

    @property
    def ok(self) -> bool:
        return self.killed and self.rerun_exit == 0 and not self.differences and not self.problems


@dataclass(frozen=True)
class Phase:
    """A (source, stage) span of the reference ingest, in seconds since the start."""

    source: str
    stage: str
    start: float
    end: float


@dataclass(frozen=True)
class Base:
    """Where ingest trials start: a DATA_DIR before the ingest under trial, and that ingest's uninterrupted result."""

    name: str  # "first" or "incremental"
    before: Path
    reference: Hashes
    phases: list[Phase]
    after: Path  # the reference DATA_DIR, ingested


def _env(data_dir: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SOURCES__", "DESTINATION__", "INGESTION__"))}
    # unbuffered output: the dbt trials follow the build's progress in it, and read it back after the kill
    return {**clean, "DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}


def _free_port() -> int:
    import socket

    with socket.socket() as probe_socket:
        probe_socket.bind(("127.0.0.1", 0))
        return int(probe_socket.getsockname()[1])


def _ingest_command() -> list[str]:
    return [PYTHON, "-m", "demo", "api", "with", "--port", str(_free_port()), "--", PYTHON, "-m", "ingestion"]


def _dbt_command(work: Path) -> list[str]:
    paths = ["--target-path", str(work / "target"), "--log-path", str(work / "logs")]
    return [DBT, "build", "--project-dir", ".", "--profiles-dir", ".", *paths]


def _run(command: list[str], data_dir: Path, log: Path) -> int:
    """Run to completion from the repo root, output to ``log``; the exit code."""
    with log.open("w") as out:
        return subprocess.run(
            command, cwd=REPO, env=_env(data_dir), stdout=out, stderr=subprocess.STDOUT, timeout=RUN_TIMEOUT
        ).returncode


def _packages(folder: Path) -> bool:
    try:
        return any(entry.is_dir() for entry in os.scandir(folder))
    except OSError:
        return False


def _extracting(normalize: Path) -> bool:
    """A package in one of dlt's temporary extract folders (``normalize/<id>/<load_id>``)."""
    try:
        temporary = [e.path for e in os.scandir(normalize) if e.is_dir() and e.name != "extracted"]
    except OSError:
        return False
    return any(_packages(Path(path)) for path in temporary)


_ANNOUNCED = re.compile(r"^  (\w+): loading ", re.MULTILINE)


def observe(data_dir: Path, output: Path) -> tuple[str | None, str]:
    """The source the ingest is working on and its stage (see the module doc).

    The source is the last one the ingest's ``output`` announced (``  <source>: loading``); its stage
    is read from its pipeline folder. ``setup`` covers a source's time without a package in flight
    (before its extract writes one, or after its load finished).
    """
    try:
        announced = _ANNOUNCED.findall(output.read_text(errors="replace"))
    except OSError:
        announced = []
    if not announced:
        return None, "setup"
    active = announced[-1]
    folder = data_dir / "pipelines" / f"{PIPELINE_PREFIX}{active}"
    # normalize commits a package to load/normalized, then deletes its extracted copy: both = still normalize
    if _packages(folder / "load" / "new") or _packages(folder / "normalize" / "extracted"):
        return active, "normalize"
    if _packages(folder / "load" / "normalized"):
        return active, "load"
    if _extracting(folder / "normalize"):
        return active, "extract"
    return active, "setup"


def pending_packages(data_dir: Path) -> list[str]:
    """Load packages left to normalize or load (``<pipeline>/<folder>/<load_id>``)."""
    pending = []
    for pipeline in sorted((data_dir / "pipelines").glob(f"{PIPELINE_PREFIX}*")):
        for sub in ("normalize/extracted", "load/new", "load/normalized"):
            folder = pipeline / sub
            if folder.is_dir():
                pending += [f"{pipeline.name}/{sub}/{p.name}" for p in sorted(folder.iterdir()) if p.is_dir()]
    return pending


def _group_exists(pgid: int) -> bool:
    """True while any process of the group exists, zombies included (a zombie main thread can still have
    threads in exit holding the process's files, and with them the ingest lock)."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _kill_group(process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    """SIGKILL the process group and wait until every member is gone (reaped), not only the leader.

    The ingestion runs as a child of the `demo api with` leader; SIGKILL reaches both, but the child
    (which holds the ingest lock) can take a moment longer to release its files on a busy machine, and
    the trial's stale-lock check must not mistake that for a lock the kill left behind.
    """
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + timeout
    while _group_exists(process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)


def _start(command: list[str], data_dir: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("w") as out:
        return subprocess.Popen(
            command, cwd=REPO, env=_env(data_dir), stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def _timeline(data_dir: Path, log: Path) -> tuple[int, list[Phase]]:
    """Run the ingest uninterrupted and record when each source was in which stage."""
    process = _start(_ingest_command(), data_dir, log)
    started = time.monotonic()
    phases: list[Phase] = []
    current: tuple[str | None, str] | None = None
    since = 0.0
    while process.poll() is None:
        now = time.monotonic() - started
        seen = observe(data_dir, log)
        if seen != current:
            if current is not None and current[0] is not None:
                phases.append(Phase(current[0], current[1], since, now))
            current, since = seen, now
        time.sleep(POLL_SECONDS)
    if current is not None and current[0] is not None:
        phases.append(Phase(current[0], current[1], since, time.monotonic() - started))
    return process.returncode, phases


def _stale_locks(data_dir: Path) -> list[str]:
    """A lock the killed process still holds (it must not: flock and DuckDB's lock die with the process)."""
    problems = []
    run_lock = RunLock(data_dir / INGEST_LOCK)
    busy = run_lock.acquire()
    if busy:
        problems.append(f"stale ingest lock: {busy}")
    run_lock.release()
    holder = probe(data_dir / "warehouse.duckdb")
    if holder is not None:
        problems.append(f"stale warehouse lock: {holder.message()}")
    return problems


def _tail(log: Path, lines: int = 15) -> str:
    try:
        return " | ".join(log.read_text(errors="replace").strip().splitlines()[-lines:])
    except OSError:
        return ""


def _raw_hashes(data_dir: Path) -> Hashes:
    """Content of every raw table without load ids; dlt's bookkeeping and the audit table left out.

    The audit table (``_ingest_audit``) gets a row per table and load: the re-run after a kill is a
    second run for the sources that had finished, and the sources that re-read an overlap by design
    (oltp, adplatform) record that second read, so its rows legitimately differ from an uninterrupted
    run. :func:`_audit_counted_twice` checks what must hold instead.
    """
    warehouse = WarehouseFile(data_dir / "warehouse.duckdb")
    datasets = set(dlt_datasets(warehouse))
    return content_hashes(
        warehouse, without_load_columns=True, schemas=datasets, skip_tables=(*BOOKKEEPING, AUDIT_TABLE)
    )


def _audit_counted_twice(data_dir: Path) -> list[str]:
    """Audit counts recorded more than once for the same table and load (a killed load's counts landing twice)."""
    warehouse = WarehouseFile(data_dir / "warehouse.duckdb")
    audited = {
        schema
        for (schema,) in warehouse.rows(
            f"select table_schema from information_schema.tables where table_name = '{AUDIT_TABLE}'"
        )
    }
    return [
        f"{dataset}.{table}: load {load_id} counted {count} times"
        for dataset in sorted(audited)
        for table, load_id, count in warehouse.rows(
            f'select table_name, _dlt_load_id, count(*) from "{dataset}"."{AUDIT_TABLE}" '
            "group by all having count(*) > 1"
        )
    ]


def _built_hashes(data_dir: Path) -> Hashes:
    warehouse = WarehouseFile(data_dir / "warehouse.duckdb")
    raw = set(dlt_datasets(warehouse))
    schemas = {schema for (schema,) in warehouse.rows("select schema_name from information_schema.schemata")}
    built = schemas - raw - {f"{dataset}_staging" for dataset in raw} - {"information_schema", "pg_catalog"}
    return content_hashes(warehouse, without_load_columns=False, schemas=built)


def _unfinished_loads(data_dir: Path) -> list[str]:
    warehouse = WarehouseFile(data_dir / "warehouse.duckdb")
    return [
        f"{dataset}: load {load_id} status {status}"
        for dataset in dlt_datasets(warehouse)
        for load_id, status in warehouse.rows(f'select load_id, status from "{dataset}"._dlt_loads where status <> 0')
    ]


def ingest_trial(
    number: int,
    base: Base,
    source: str,
    stage: str,
    rng: random.Random,
    work: Path,
    max_delay_fraction: float = 1.0,
) -> TrialResult:
    """Kill the ingest in ``stage`` of ``source``, re-run it once, compare the raw datasets with the reference.

    The kill comes a random part (at most ``max_delay_fraction``) of the stage's reference length after
    the stage is first seen, or as soon as the stage ends if that is sooner.
    """
    data_dir = work / "data"
    shutil.copytree(base.before, data_dir)
    span = next((p.end - p.start for p in base.phases if (p.source, p.stage) == (source, stage)), 0.05)
    delay = rng.uniform(0.0, span * max_delay_fraction)
    output = work / "killed.log"
    process = _start(_ingest_command(), data_dir, output)
    started = time.monotonic()
    entered: float | None = None
    killed_at = -1.0
    while process.poll() is None:
        now = time.monotonic()
        seen = observe(data_dir, output)
        if seen == (source, stage) and entered is None:
            entered = now
        # kill after the delay, or at once when the stage ends before it (the observed stage tells which)
        if entered is not None and (now - entered >= delay or seen != (source, stage)):
            killed_at = time.monotonic() - started
            _kill_group(process)
            break
        time.sleep(POLL_SECONDS)
    process.wait()
    killed_source, killed_stage = observe(data_dir, output) if killed_at >= 0 else (None, "finished")
    result = TrialResult(
        number, "ingest", f"{source}/{stage} +{delay:.3f}s", killed_source, killed_stage, round(killed_at, 3)
    )
    result.base = base.name
    result.pending_after_kill = pending_packages(data_dir)
    if not result.killed:
        result.problems.append(f"the ingest finished (exit {process.returncode}) before {source} reached {stage}")
    result.problems += _stale_locks(data_dir)
    result.rerun_exit = _run(_ingest_command(), data_dir, work / "rerun.log")
    if result.rerun_exit != 0:
        result.problems.append(f"re-run failed: {_tail(work / 'rerun.log')}")
    _check_ingest(result, data_dir, base.reference)
    return result


def _check_ingest(result: TrialResult, data_dir: Path, reference: Hashes) -> None:
    try:
        result.differences = differences(reference, _raw_hashes(data_dir))
        result.problems += [f"unfinished load: {line}" for line in _unfinished_loads(data_dir)]
        result.problems += [f"audit counted twice: {line}" for line in _audit_counted_twice(data_dir)]
    except Exception as exc:  # noqa: BLE001 - an unreadable warehouse is a trial outcome
        result.problems.append(f"warehouse unreadable: {type(exc).__name__}: {exc}")
    result.problems += [f"pending package: {package}" for package in pending_packages(data_dir)]


def _last_started(log: Path, nodes: int) -> tuple[str | None, str | None]:
    """The last node dbt started, from its output: (node, "node k of n started")."""
    starts = [line for line in log.read_text(errors="replace").splitlines() if _STARTED.search(line)]
    if not starts:
        return None, "before the first node"
    # the last line may be cut off by the kill: name the last node whose line is complete
    names = [match[1].split()[-1] for line in starts if (match := re.search(r"\d+ of \d+ START (.*?)\s*\.{3,}", line))]
    node = names[-1] if names else None
    return node, f"node {len(starts)} of {nodes} started"


def dbt_trial(
    number: int,
    ingested: Path,
    reference: Hashes,
    nodes: int,
    rng: random.Random,
    work: Path,
    max_delay_fraction: float = 1.0,
) -> TrialResult:
    """Kill ``dbt build`` at a random node, re-run it, compare the dbt-built relations with the reference.

    The point is drawn as a count k of the reference build's ``nodes`` (so it does not depend on the
    machine's speed; at most ``max_delay_fraction`` of them): the build is killed a random 0-0.3 s
    after its output shows the k-th node starting.
    """
    data_dir = work / "data"
    shutil.copytree(ingested, data_dir)
    target = rng.randint(1, max(1, int(nodes * max_delay_fraction)))
    extra = rng.uniform(0.0, 0.3)
    log = work / "killed.log"
    process = _start(_dbt_command(work), data_dir, log)
    started = time.monotonic()
    killed_at = -1.0
    reached: float | None = None
    with log.open("rb") as output:
        partial, starts = b"", 0
        while process.poll() is None:
            *lines, partial = (partial + output.read()).split(b"\n")
            starts += sum(1 for line in lines if _STARTED.search(line.decode(errors="replace")))
            if reached is None and starts >= target:
                reached = time.monotonic()
            if reached is not None and time.monotonic() - reached >= extra:
                killed_at = time.monotonic() - started
                _kill_group(process)
                break
            time.sleep(0.01)
    process.wait()
    node, where = _last_started(log, nodes) if killed_at >= 0 else (None, "finished")
    result = TrialResult(number, "dbt", f"node {target} of {nodes} +{extra:.2f}s", node, where, round(killed_at, 3))
    if not result.killed:
        result.problems.append(f"dbt build finished (exit {process.returncode}) before node {target}")
    result.problems += _stale_locks(data_dir)
    result.rerun_exit = _run(_dbt_command(work), data_dir, work / "rerun.log")
    if result.rerun_exit != 0:
        result.problems.append(f"re-run failed: {_tail(work / 'rerun.log')}")
    try:
        result.differences = differences(reference, _built_hashes(data_dir))
    except Exception as exc:  # noqa: BLE001 - an unreadable warehouse is a trial outcome
        result.problems.append(f"warehouse unreadable: {type(exc).__name__}: {exc}")
    return result


_STARTED = re.compile(r"(\d+) of \d+ START ")


def _node_count(log: Path) -> int:
    """The number of nodes a dbt build started (its "k of N START" lines)."""
    return max(1, sum(1 for line in log.read_text(errors="replace").splitlines() if _STARTED.search(line)))


def _plan(ingest_trials: int, rng: random.Random) -> list[tuple[str, str, str]]:
    """(base, source, stage) per trial: stages in turn, first loads and incremental runs in turn, random sources."""
    plan = []
    for index in range(ingest_trials):
        base = BASES[(index // len(STAGES)) % len(BASES)]
        plan.append((base, rng.choice(SOURCES), STAGES[index % len(STAGES)]))
    return plan


def _make_base(name: str, before: Path, work: Path) -> Base:
    after = work / "data"
    shutil.copytree(before, after)
    code, phases = _timeline(after, work / "ingest.log")
    if code != 0:
        raise RuntimeError(f"the reference ingest ({name}) failed: {_tail(work / 'ingest.log')}")
    return Base(name, before, _raw_hashes(after), phases, after)


def run_trials(
    ingest_trials: int,
    dbt_trials: int,
    seed: int,
    *,
    work_dir: Path | None = None,
    scale: float = 0.01,
    days: int = 5,
    plan: list[tuple[str, str, str]] | None = None,
    max_delay_fraction: float = 1.0,
    log: bool = True,
) -> list[TrialResult]:
    """Generate demo data, run the references, then the trials; one :class:`TrialResult` per trial.

    ``plan`` fixes each ingest trial's (base, source, stage), base ``first`` (a first load) or
    ``incremental`` (the ingest after ``demo advance --days 1`` on an ingested DATA_DIR); by default
    the stages take turns, three trials on each base in turn, the source drawn at random. ``work_dir`` keeps
    every trial's DATA_DIR and logs (default: a temporary folder, removed afterwards).
    ``max_delay_fraction`` bounds the kill point: that part of a stage (ingest) or of the build's nodes (dbt).
    """
    rng = random.Random(seed)
    owned = work_dir is None
    root = Path(tempfile.mkdtemp(prefix="crash-trials-")) if work_dir is None else work_dir
    root.mkdir(parents=True, exist_ok=True)

    def say(message: str) -> None:
        if log:
            print(message, file=sys.stderr, flush=True)

    try:
        pristine = root / "pristine"
        generate = [PYTHON, "-m", "demo", "generate", "--scale", str(scale), "--days", str(days)]
        generate += ["--dirty-rate", "0.3", "--seed", str(seed)]
        if _run(generate, pristine, root / "generate.log") != 0:
            raise RuntimeError(f"demo generate failed: {_tail(root / 'generate.log')}")
        first = _make_base("first", pristine, root / "reference")
        say(f"reference ingest (first load): {first.phases[-1].end:.1f} s, {len(first.reference)} raw tables")
        chosen = plan if plan is not None else _plan(ingest_trials, rng)
        bases = {"first": first}
        if any(name == "incremental" for name, _, _ in chosen[:ingest_trials]):
            advanced = root / "advanced"
            shutil.copytree(first.after, advanced)
            if _run([PYTHON, "-m", "demo", "advance", "--days", "1"], advanced, root / "advance.log") != 0:
                raise RuntimeError(f"demo advance failed: {_tail(root / 'advance.log')}")
            bases["incremental"] = _make_base("incremental", advanced, root / "reference-incremental")
            say(f"reference ingest (incremental): {bases['incremental'].phases[-1].end:.1f} s")
        results: list[TrialResult] = []
        for number, (name, source, stage) in enumerate(chosen[:ingest_trials], start=1):
            work = root / f"ingest-{number}"
            result = ingest_trial(number, bases[name], source, stage, rng, work, max_delay_fraction)
            say(_line(result))
            results.append(result)
        if dbt_trials:
            reference_dir = first.after
            ingested = root / "ingested"
            shutil.copytree(reference_dir, ingested)
            started = time.monotonic()
            if _run(_dbt_command(root / "reference"), reference_dir, root / "reference" / "build.log") != 0:
                raise RuntimeError(f"the reference dbt build failed: {_tail(root / 'reference' / 'build.log')}")
            seconds = time.monotonic() - started
            build_reference = _built_hashes(reference_dir)
            nodes = _node_count(root / "reference" / "build.log")
            say(f"reference dbt build: {seconds:.1f} s, {nodes} nodes, {len(build_reference)} relations")
            for number in range(len(results) + 1, len(results) + dbt_trials + 1):
                work = root / f"dbt-{number}"
                result = dbt_trial(number, ingested, build_reference, nodes, rng, work, max_delay_fraction)
                say(_line(result))
                results.append(result)
        return results
    finally:
        if owned:
            shutil.rmtree(root, ignore_errors=True)


def _line(result: TrialResult) -> str:
    return (
        f"trial {result.trial} {result.target} ({result.base}): killed at {result.killed_source}/{result.killed_stage} "
        f"{result.killed_seconds:.2f}s, re-run exit {result.rerun_exit}, {'equal' if result.ok else 'FAILED'}"
    )


def _outcome(result: TrialResult) -> str:
    if result.ok:
        return "equal"
    parts = []
    if result.differences:
        parts.append("DIFFERENT: " + ", ".join(line.split(":")[0] for line in result.differences))
    parts += result.problems
    return "; ".join(parts).replace("|", "\\|")


def format_markdown(results: list[TrialResult]) -> str:
    """The trials as a markdown table, with a summary line."""
    lines = [
        "| trial | target | planned | killed at (source, stage, seconds) | re-run exit | result |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        where = f"{r.killed_source or '-'}, {r.killed_stage}, {r.killed_seconds:.2f} s" if r.killed else "not killed"
        if r.pending_after_kill:
            where += f" ({len(r.pending_after_kill)} package pending)"
        target = f"ingest ({r.base} load)" if r.target == "ingest" else r.target
        lines.append(f"| {r.trial} | {target} | {r.planned} | {where} | {r.rerun_exit} | {_outcome(r)} |")
    passed = sum(r.ok for r in results)
    lines.append("")
    lines.append(f"{passed} of {len(results)} trials recovered to the reference content.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.reliability.crash", description=__doc__.splitlines()[0])
    parser.add_argument("--ingest-trials", type=int, default=12)
    parser.add_argument("--dbt-trials", type=int, default=4)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--days", type=int, default=5, help="days of demo history (default 5)")
    parser.add_argument("--work-dir", type=Path, default=None, help="keep the trials' DATA_DIRs here (default: temp)")
    parser.add_argument("--json", type=Path, default=None, help="also write the results as JSON")
    args = parser.parse_args(argv)
    started = time.monotonic()
    results = run_trials(args.ingest_trials, args.dbt_trials, args.seed, work_dir=args.work_dir, days=args.days)
    print(format_markdown(results))
    print(f"\nelapsed: {time.monotonic() - started:.0f} s")
    if args.json:
        args.json.write_text(json.dumps([{**asdict(r), "ok": r.ok} for r in results], indent=2) + "\n")
    return 0 if results and all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
