"""Running the catalogue (shared scratch run, cases alone), the markdown table, and the command line."""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from .cases import (
    CASES,
    DBT_SELECT,
    SHARED_SOURCES,
)
from .scratch import (
    Case,
    CaseResult,
    Observed,
    Run,
    Scratch,
    _env,
    _run,
    generate,
    ingest,
)

# --------------------------------------------------------------------------- running


def dbt_run(data_dir: Path, workdir: Path) -> Run:
    """``dbt run`` of the shared sources' staging and quarantine models (no tests: the checks are ours)."""
    dbt = Path(sys.executable).with_name("dbt")
    command = [str(dbt), "run", "--project-dir", ".", "--profiles-dir", ".", "--select", *DBT_SELECT]
    command += ["--target-path", str(workdir / "target"), "--log-path", str(workdir / "logs"), "--quiet"]
    return _run(command, _env(data_dir))


def prepare_shared(workdir: Path, cases: list[Case]) -> Scratch:
    """Demo data, a first clean ingest, every damage at once, the second ingest, one dbt run."""
    ctx = Scratch(workdir, workdir / "shared")
    generate(ctx.data_dir)
    first = ingest(ctx.data_dir, SHARED_SOURCES)
    if first.returncode:
        raise RuntimeError(f"the clean first ingest failed:\n{first.stderr[-2000:]}")
    for case in cases:
        assert case.produce is not None
        case.produce(ctx)
    ctx.ingest = ingest(ctx.data_dir, SHARED_SOURCES)
    ctx.dbt = dbt_run(ctx.data_dir, workdir)
    return ctx


def check_shared(ctx: Scratch, case: Case) -> CaseResult:
    """The verdict of a shared case on the prepared scratch DATA_DIR."""
    assert case.check is not None
    observed = case.check(ctx, case)
    if ctx.dbt is not None and ctx.dbt.returncode and observed.ok:
        observed = Observed(observed.outcome, observed.message, False, [f"dbt run failed: {ctx.dbt.stdout[-500:]}"])
    return _result(case, observed, 0.0)


def base_data(workdir: Path) -> Path:
    """Clean demo data that alone-cases copy (generated once per workdir)."""
    base = workdir / "base"
    if not (base / "manifest.json").exists():
        generate(base)
    return base


def run_alone(workdir: Path, case: Case) -> CaseResult:
    """Run one alone-case on its own copy of the demo data."""
    assert case.run_alone is not None
    data_dir = workdir / case.id
    shutil.rmtree(data_dir, ignore_errors=True)
    shutil.copytree(base_data(workdir), data_dir)
    started = time.monotonic()
    observed = case.run_alone(data_dir)
    return _result(case, observed, time.monotonic() - started)


def _result(case: Case, observed: Observed, seconds: float) -> CaseResult:
    passed = observed.ok and observed.outcome == case.expected
    problems = list(observed.problems)
    if observed.outcome != case.expected and not any("expected" in p for p in problems):
        problems.append(f"expected {case.expected}, got {observed.outcome}")
    return CaseResult(
        case.id, case.input, case.source, case.expected, observed.outcome, observed.message, passed, problems, seconds
    )


def run_catalogue(workdir: Path, cases: list[Case] | None = None) -> list[CaseResult]:
    """Run every case (or ``cases``) in scratch folders under ``workdir``; return the verdicts in order."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    chosen = list(CASES if cases is None else cases)
    shared = [case for case in chosen if case.shared]
    by_id: dict[str, CaseResult] = {}
    if shared:
        started = time.monotonic()
        ctx = prepare_shared(workdir, shared)
        for case in shared:
            by_id[case.id] = check_shared(ctx, case)
        seconds = (time.monotonic() - started) / len(shared)
        for result in by_id.values():
            result.seconds = seconds
    for case in chosen:
        if not case.shared:
            by_id[case.id] = run_alone(workdir, case)
    results = [by_id[case.id] for case in chosen]
    for result in results:  # scratch paths change every run; the table should not
        result.message = result.message.replace(str(workdir.resolve()), "$WORKDIR").replace(str(workdir), "$WORKDIR")
    return results


def format_markdown(results: list[CaseResult]) -> str:
    """The catalogue as a Markdown table: input, source, outcome, what the user sees, verdict."""
    lines = [
        "| Input | Source | Outcome | What the user sees | Verdict |",
        "|---|---|---|---|---|",
    ]
    for result in results:
        seen = result.message.replace("|", "\\|").replace("\n", " ")
        if len(seen) > 300:
            seen = seen[:297] + "..."
        verdict = result.verdict if result.passed else f"FAIL ({'; '.join(result.problems)})"
        lines.append(f"| {result.input} | {result.source} | {result.outcome} | {seen} | {verdict} |")
    passed = sum(result.passed for result in results)
    lines.append("")
    lines.append(f"{passed} of {len(results)} cases pass.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.reliability.bad_inputs",
        description="Run the bad-input catalogue on scratch demo data and print what each input gets.",
    )
    parser.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    parser.add_argument("--workdir", type=Path, help="scratch folder to keep (default: a temporary one)")
    parser.add_argument("--case", action="append", help="run only this case id (repeatable)")
    args = parser.parse_args(argv)
    cases = [case for case in CASES if not args.case or case.id in args.case]
    unknown = set(args.case or []) - {case.id for case in CASES}
    if unknown:
        parser.error(f"unknown case(s): {', '.join(sorted(unknown))}")
    with contextlib.ExitStack() as stack:
        workdir = args.workdir or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bad-inputs-")))
        results = run_catalogue(workdir, cases)
    print(format_markdown(results))
    if args.json:
        args.json.write_text(json.dumps([asdict(result) for result in results], indent=2) + "\n")
    return 0 if all(result.passed for result in results) else 1
