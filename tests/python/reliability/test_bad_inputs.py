"""The bad-input catalogue, one test per case, running the catalogue's own case code on real runs.

File and OLTP cases share one scratch DATA_DIR (module fixture): clean demo data, a first ingest, every
damage injected at once, a second ingest, one ``dbt run`` of staging and quarantine; each test checks its
own file's rows. API and database-down cases run their one source alone on a copy of the demo data.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
if str(REPO) not in sys.path:  # `pytest` run without `python -m` (which puts the repo first)
    sys.path.insert(0, str(REPO))

from tools.reliability import bad_inputs  # noqa: E402
from tools.reliability.bad_inputs import CASES, OUTCOMES, Case, CaseResult, Scratch  # noqa: E402

SHARED = [case for case in CASES if case.shared]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Scratch folder of this module: the shared DATA_DIR and one copy of the demo data per alone-case."""
    return tmp_path_factory.mktemp("bad-inputs")


@pytest.fixture(scope="module")
def shared(workdir: Path) -> Scratch:
    """Every file and OLTP damage injected into one DATA_DIR, ingested and built once."""
    return bad_inputs.prepare_shared(workdir, SHARED)


def _explain(result: CaseResult) -> str:
    return f"{result.id}: expected {result.expected}, got {result.outcome}: {result.message}\n" + "\n".join(
        f"  - {problem}" for problem in result.problems
    )


@pytest.mark.parametrize(
    "case",
    [pytest.param(case, id=case.id, marks=[pytest.mark.slow] if case.slow else []) for case in CASES],
)
def test_bad_input(case: Case, request: pytest.FixtureRequest, workdir: Path) -> None:
    """The input gets its expected outcome with a clear message or reason, no traceback, no row lost."""
    if case.shared:
        result = bad_inputs.check_shared(request.getfixturevalue("shared"), case)
    else:
        result = bad_inputs.run_alone(workdir, case)
    assert result.passed, _explain(result)


def test_catalogue_covers_the_issue() -> None:
    """Every input kind the issue lists has at least one case, and every case states a known outcome."""
    assert {case.expected for case in CASES} <= set(OUTCOMES)
    assert len({case.id for case in CASES}) == len(CASES)
    ids = " ".join(case.id for case in CASES)
    for needed in (
        "malformed_json",
        "truncated_gzip",
        "empty_file",
        "header_only",
        "latin1",
        "utf16",
        "huge_field",
        "new_field",
        "new_column",
        "type_change",
        "duplicate",
        "without_zone",
        "future_timestamp",
        "api_401",
        "api_429",
        "api_500",
        "api_timeout",
        "api_invalid_json",
        "oltp_unreachable",
        "mid_extract",
    ):
        assert needed in ids, f"no case for {needed}"


def test_format_markdown_marks_failures() -> None:
    """The table has one row per result and shows why a case failed."""
    results = [
        CaseResult("a", "input a", "events", "quarantine", "quarantine", "malformed_json", True, []),
        CaseResult("b", "input b", "lake", "rejected", "error", "ERROR lake: x", False, ["expected rejected"]),
    ]
    table = bad_inputs.format_markdown(results)
    assert "| input a | events | quarantine | malformed_json | PASS |" in table
    assert "FAIL (expected rejected)" in table
    assert "1 of 2 cases pass." in table
