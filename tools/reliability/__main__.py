"""Run the crash trials and the bad-input catalogue; print the README's reliability summary.

    python -m tools.reliability [--ingest-trials 12] [--dbt-trials 4] [--seed 42] [--write-readme]

``make reliability`` runs it with ``--write-readme``: the summary replaces the part of README.md
between the ``<!-- reliability-summary:begin -->`` and ``<!-- reliability-summary:end -->`` markers,
and the full tables go to ``tools/reliability/crash_trials.md`` and ``tools/reliability/bad_inputs.md``.
Exit status 1 when a trial or a case failed (the files are written all the same: they say so).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from . import bad_inputs, crash

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
BEGIN = "<!-- reliability-summary:begin -->"
END = "<!-- reliability-summary:end -->"


def _commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=False
    )
    dirty = subprocess.run(["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True, check=False)
    commit = done.stdout.strip() or "unknown"
    return commit + (" + uncommitted changes" if dirty.stdout.strip() else "")


def crash_summary(results: list[crash.TrialResult], seconds: float) -> str:
    """Trials by target and stage where the kill landed, and how many recovered."""
    landed = Counter(
        (result.target, result.killed_stage if result.target == "ingest" else "mid-build") for result in results
    )
    recovered = Counter(
        (result.target, result.killed_stage if result.target == "ingest" else "mid-build")
        for result in results
        if result.ok
    )
    lines = [
        f"**Crash recovery** ({len(results)} trials, {seconds / 60:.0f} min, "
        "`make reliability-crash` for the trials alone; every trial in "
        "[tools/reliability/crash_trials.md](tools/reliability/crash_trials.md)): each trial SIGKILLs "
        "`python -m ingestion` (its process group) or `dbt build` at a random point, re-runs it to "
        "completion and compares a content hash of every table with an uninterrupted run.",
        "",
        "| killed | stage it was in | trials | re-run completed and equal to the uninterrupted run |",
        "|---|---|---|---|",
    ]
    for (target, stage), count in sorted(landed.items(), key=lambda item: (item[0][0] != "ingest", str(item[0][1]))):
        lines.append(
            f"| `{'python -m ingestion' if target == 'ingest' else 'dbt build'}` | {stage} | {count} | "
            f"{recovered[(target, stage)]} of {count} |"
        )
    failed = [result for result in results if not result.ok]
    dbt_kills = [result.killed_stage for result in results if result.target == "dbt" and result.killed_stage]
    if dbt_kills:
        lines.append("")
        lines.append(f"`dbt build` was killed at: {', '.join(dbt_kills)}.")
    lines.append("")
    lines.append(
        f"{len(results) - len(failed)} of {len(results)} trials recovered."
        + ("" if not failed else " Failed: " + "; ".join(crash._outcome(result) for result in failed))
    )
    return "\n".join(lines)


def inputs_summary(results: list[bad_inputs.CaseResult], seconds: float) -> str:
    """Cases by outcome, and the verdicts."""
    outcomes = Counter(result.outcome for result in results)
    passed = sum(result.passed for result in results)
    described = {
        "quarantine": "quarantined by dbt staging with a reason (`qrt_*`)",
        "rejected": "rejected at ingest with a reason (`rejected_records`)",
        "error": "a one-line `ERROR <source>: ...` naming the problem and the fix, exit code 1",
        "accepted": "valid by design, kept (the catalogue says where)",
    }
    lines = [
        f"**Bad inputs** ({len(results)} inputs, {seconds / 60:.0f} min, `make reliability-inputs` for the "
        "catalogue alone; what each one gets in "
        "[tools/reliability/bad_inputs.md](tools/reliability/bad_inputs.md)): malformed JSON, truncated gzip, "
        "empty files, wrong encodings, a 5 MB field, new columns, a column changing type, duplicate keys, "
        "timestamps without zone or in 2099, API 401/429/500/timeouts/HTML instead of JSON, the database "
        "unreachable, dropped, locked, removed or cut off mid-extract.",
        "",
        "| outcome | inputs |",
        "|---|---|",
    ]
    for outcome, count in sorted(outcomes.items()):
        lines.append(f"| {described.get(outcome, outcome)} | {count} |")
    lines.append("")
    lines.append(
        f"{passed} of {len(results)} inputs got the expected outcome, with no Python traceback and, for "
        "files, every row accounted for (valid + quarantined + rejected = rows in the file)."
        + (
            ""
            if passed == len(results)
            else " Failed: " + ", ".join(result.id for result in results if not result.passed)
        )
    )
    return "\n".join(lines)


def replace_between_markers(text: str, summary: str) -> str:
    """``text`` with the part between the markers replaced; an error if the markers are missing."""
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise SystemExit(f"README.md has no {BEGIN} ... {END} markers to write the summary between")
    return text[: start + len(BEGIN)] + "\n" + summary.strip() + "\n" + text[end:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.reliability", description=__doc__.splitlines()[0])
    parser.add_argument("--ingest-trials", type=int, default=12)
    parser.add_argument("--dbt-trials", type=int, default=4)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--write-readme", action="store_true", help="write the summary into README.md")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="reliability-") as scratch:
        started = time.monotonic()
        trials = crash.run_trials(args.ingest_trials, args.dbt_trials, args.seed)
        crash_seconds = time.monotonic() - started
        started = time.monotonic()
        cases = bad_inputs.run_catalogue(Path(scratch) / "inputs")
        inputs_seconds = time.monotonic() - started

    header = (
        f"_Produced by `make reliability` on {dt.date.today().isoformat()}, commit {_commit()}, "
        f"{os.cpu_count()} CPUs; a run takes about "
        f"{(crash_seconds + inputs_seconds) / 60:.0f} minutes._"
    )
    summary = "\n\n".join([header, crash_summary(trials, crash_seconds), inputs_summary(cases, inputs_seconds)])
    print(summary)
    if args.write_readme:
        (HERE / "crash_trials.md").write_text(
            "# Crash trials\n\nEvery trial of the last `make reliability` run "
            "(`python -m tools.reliability.crash`, code in [crash.py](crash.py)).\n\n"
            + crash.format_markdown(trials)
            + "\n"
        )
        table_file = HERE / "bad_inputs.md"
        intro = table_file.read_text().split("| Input |", 1)[0] if table_file.exists() else "# Bad inputs\n\n"
        table_file.write_text(intro + bad_inputs.format_markdown(cases).lstrip() + "\n")
        readme = REPO / "README.md"
        readme.write_text(replace_between_markers(readme.read_text(), summary))
        print(f"\nwrote README.md (between the markers), {HERE / 'crash_trials.md'}, {HERE / 'bad_inputs.md'}")
    ok = all(trial.ok for trial in trials) and all(case.passed for case in cases)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
