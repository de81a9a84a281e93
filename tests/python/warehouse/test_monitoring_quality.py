"""Detection quality (tools/monitoring_quality.py, `make monitor-quality`).

- How a run is judged against the manifest's ground truth, on hand-made checks (fast).
- End to end on demo data: `make monitor-quality` itself exits 1 on a missed drift or a false alarm;
  `.ci/run` runs it for one seed (about 8 min on 2 cores: too long for `make test`'s budget, and the
  same code path as a test of it would be).
"""

from __future__ import annotations

from tools.monitoring_quality import STATIONARY, RunResult, format_table, judge, summarize

DRIFT = {
    "kind": "null_spike",
    "start_date": "2025-02-01",
    "detect_on": [["fct_web_requests", "response_bytes"]],
    "affected": [["fct_web_requests", "response_bytes"], ["stg_weblogs__requests", "response_bytes"]],
}


def test_caught_on_the_start_day_or_the_next_only() -> None:
    manifest = {"drift": [DRIFT]}
    on_time = [("2025-02-02", "fct_web_requests", "response_bytes", "null_rate_change")]
    assert judge(1, "null_spike", manifest, on_time).caught is True
    late = [("2025-02-03", "fct_web_requests", "response_bytes", "null_rate_change")]
    assert judge(1, "null_spike", manifest, late).caught is False
    wrong_column = [("2025-02-01", "fct_web_requests", "status_code", "psi")]
    result = judge(1, "null_spike", manifest, wrong_column)
    assert result.caught is False
    assert result.false_alarms == [list(wrong_column[0])]


def test_false_alarms_are_errors_outside_what_the_drift_affects_from_its_start() -> None:
    errors = [
        ("2025-01-31", "fct_orders", "currency", "psi"),  # before the start: not this drift's concern
        ("2025-02-01", "fct_web_requests", "response_bytes", "null_rate_change"),  # caught
        ("2025-02-01", "stg_weblogs__requests", "response_bytes", "null_rate_change"),  # affected downstream
        ("2025-02-02", "fct_sessions", "channel", "psi"),  # false alarm
    ]
    result = judge(1, "null_spike", {"drift": [DRIFT]}, errors)
    assert result.caught is True
    assert result.false_alarms == [["2025-02-02", "fct_sessions", "channel", "psi"]]
    # a stationary run: every error is a false alarm
    stationary = judge(1, STATIONARY, {"drift": []}, errors)
    assert stationary.caught is None and len(stationary.false_alarms) == 4


def test_the_table_counts_runs_injected_caught_missed_and_false_alarms() -> None:
    results = [
        RunResult(1, "price", "2025-02-01", True),
        RunResult(2, "price", "2025-02-01", False, false_alarms=[["2025-02-01", "t", "c", "psi"]]),
        RunResult(1, STATIONARY, None, None),
    ]
    rows = summarize(results)
    assert rows[0] == {"kind": "price", "runs": 2, "injected": 2, "caught": 1, "missed": 1, "false_alarms": 1}
    assert rows[1] == {"kind": STATIONARY, "runs": 1, "injected": 0, "caught": 0, "missed": 0, "false_alarms": 0}
    assert rows[-1] == {"kind": "total", "runs": 3, "injected": 2, "caught": 1, "missed": 1, "false_alarms": 1}
    text = format_table(rows)
    assert text.splitlines()[0].split() == ["kind", "runs", "injected", "caught", "missed", "false", "alarms"]
