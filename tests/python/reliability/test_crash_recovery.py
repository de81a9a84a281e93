"""Crash recovery: SIGKILL the ingest in each of dlt's stages, and `dbt build` mid-run; re-runs restore the data.

A bounded run of ``tools.reliability.crash`` (``make reliability-crash`` runs more trials): small demo
data (scale 0.01, 3 days), three ingest trials with a fixed stage each (extract, normalize, load; a
random point in its first half, fixed seed) and one ``dbt build`` trial (killed in the first half of
its nodes, to bound the time). Every trial must re-run to exit 0 with the content of an uninterrupted
run: the same rows in every raw table (dlt's load ids aside) and in every dbt-built relation, no
pending load package, no unfinished load, no stale lock.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
if str(REPO) not in sys.path:  # `pytest` run without `python -m` (which puts the repo first)
    sys.path.insert(0, str(REPO))

from tools.reliability.crash import STAGES, format_markdown, run_trials  # noqa: E402

PLAN = [("first", "oltp", "extract"), ("first", "adplatform", "normalize"), ("incremental", "events", "load")]
"""One trial per stage: two first loads (adplatform in normalize is where the trials found a stale report
window) and the ingest after one more demo day, killed in its load, whose package dlt keeps pending."""


@pytest.mark.slow
def test_killed_ingest_and_dbt_build_recover_to_the_uninterrupted_result(tmp_path: Path) -> None:
    results = run_trials(len(PLAN), 1, seed=7, work_dir=tmp_path, days=3, plan=PLAN, max_delay_fraction=0.5)
    table = format_markdown(results)
    assert len(results) == len(PLAN) + 1, table
    assert all(result.ok for result in results), table
    ingest = [result for result in results if result.target == "ingest"]
    for (_, source, _), result in zip(PLAN, ingest, strict=True):
        assert result.killed_source == source, table
    # killed in the chosen stage or, when it ended before the delay, just after it
    killed_in = {result.killed_stage for result in ingest}
    assert len(killed_in & set(STAGES)) >= 2, table
    incremental = ingest[-1]
    if incremental.killed_stage == "load":  # the re-run had dlt's pending package to load first
        assert incremental.pending_after_kill, table
    dbt = [result for result in results if result.target == "dbt"]
    assert dbt[0].killed and dbt[0].killed_stage and dbt[0].killed_stage.startswith("node "), table
