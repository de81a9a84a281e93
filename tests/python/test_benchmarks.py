"""The benchmarks' judgement: which figures pass, against which target, and what `--json` writes.

The benchmarks themselves take minutes to hours (`make bench-*`); these tests feed their report
functions made-up measurements and check the verdicts and records, so a target that is judged the
wrong way round, or a figure that drops out of the JSON, fails here.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from benchmarks import build, scale_run
from benchmarks._measure import Measurement, Record, write_records


def test_a_record_passes_at_most_its_target_and_has_no_verdict_without_one(tmp_path: Path) -> None:
    records = [
        Record("b", 1, "at_target", 2.0, "s", 2.0),
        Record("b", 1, "over", 2.1, "s", 2.0),
        Record("b", 1, "context", 7.0, "s"),
    ]
    write_records(tmp_path / "figures.json", records)
    written = json.loads((tmp_path / "figures.json").read_text())
    assert [r["pass"] for r in written] == [True, False, None]
    assert set(written[0]) == {"benchmark", "scale", "metric", "value", "unit", "target", "pass"}


def _scale_run(scale: float, seconds: dict[str, float], peak_mb: float) -> scale_run.ScaleRun:
    phases = {phase: Measurement(seconds[phase], peak_mb) for phase in scale_run.PHASES}
    return scale_run.ScaleRun(scale, phases, events=int(1000 * scale), database_rows=int(500 * scale))


def test_scale_run_judges_each_phase_growth_against_the_data_ratio_plus_five_percent() -> None:
    base = _scale_run(1, {"demo-data": 50, "ingest": 30, "build": 90, "docs-generate": 20}, 1000)
    large = _scale_run(10, {"demo-data": 520, "ingest": 320, "build": 900, "docs-generate": 30}, 4500)
    records = {(r.scale, r.metric): r for r in scale_run.report([base, large])}

    assert records[(10, "demo_data_seconds_vs_scale_1")].value == pytest.approx(10.4)
    assert records[(10, "demo_data_seconds_vs_scale_1")].passed
    assert records[(10, "ingest_seconds_vs_scale_1")].target == pytest.approx(10.5)
    assert not records[(10, "ingest_seconds_vs_scale_1")].passed  # 10.67x
    assert records[(10, "whole_run_seconds_vs_scale_1")].value == pytest.approx(1770 / 190)
    assert (1, "build_seconds_vs_scale_1") not in records  # the first scale is the reference
    assert records[(1, "build_peak_rss")].passed
    assert not records[(10, "build_peak_rss")].passed  # 4,500 MB > 4 GiB
    assert not records[(10, "whole_run_peak_rss")].passed


def _build_result(scale: float, full: float, incremental: float, peak_mb: float) -> build.ScaleResult:
    result = build.ScaleResult(scale, repeats=1)
    result.full = [Measurement(full, peak_mb)]
    result.incremental = [Measurement(incremental, peak_mb / 2)]
    result.empty = [Measurement(full / 10, 300), Measurement(full / 8, 300), Measurement(full, 300)]
    result.node_seconds, result.monitoring_seconds = 100.0, 10.0
    result.monitoring_by_days = {7: 1.0, 14: 2.0, 28: 5.0}
    return result


def test_build_report_judges_the_targets_of_the_issue() -> None:
    records = build.report([_build_result(1, 40, 5, 1800), _build_result(3, 150, 30, 2600)])
    judged = {(r.scale, r.metric): r for r in records if r.target is not None}

    assert judged[(1, "incremental_vs_full")].passed  # 5 / 40 = 0.125 <= 0.15
    assert not judged[(3, "incremental_vs_full")].passed  # 0.2
    assert judged[(1, "full_seconds")].passed and judged[(1, "full_peak_rss")].passed
    assert (3, "full_seconds") not in judged  # the 45 s target is for SCALE=1 only
    assert not judged[(3, "full_seconds_vs_scale_1")].passed  # 3.75 > 3 x 1.2
    assert not judged[(3, "full_peak_rss_vs_scale_1")].passed  # 1.44 > 1.3
    assert judged[(1, "monitoring_share")].value == pytest.approx(0.1)
    assert not judged[(1, "monitoring_growth_28_over_7_days")].passed  # 5 > 4 x 1.2
    context = {(r.scale, r.metric) for r in records if r.target is None}
    assert {(1, "full_build_seconds"), (3, "incremental_build_seconds")} <= context
    context_values = {(r.scale, r.metric): r.value for r in records if r.target is None}
    assert context_values[(1, "empty_build_seconds")] == pytest.approx(5.0)  # the median of 4, 5 and 40 s
    assert context_values[(3, "empty_vs_full")] == pytest.approx(0.125)


def test_measure_names_the_largest_process_of_the_tree() -> None:
    # a shell (about 1 MB) starting a Python child that holds 200 MiB: the tree's peak counts both,
    # the largest process is the child, named by its command line
    from benchmarks._measure import measure

    child = "import time; block = bytearray(200 * 2**20); time.sleep(1.0)"
    measured = measure(["/bin/sh", "-c", f'"{sys.executable}" -c "{child}"; true'])

    assert measured.largest_process_mb >= 200
    assert measured.peak_rss_mb >= measured.largest_process_mb
    assert "bytearray" in measured.largest_process
    assert measured.largest_process.startswith("python")
