"""The churn model end to end on a small demo warehouse (ml_warehouse: 70 days at SCALE=0.03): training
with MLflow, the quality gate's refusals, reproducibility, scoring back into the warehouse, the champion
behind MLflow's scoring server (make serve-model), and the leakage test of the point-in-time snapshots
catching a leaking feature."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from warehouse_helpers import DBT, PYTHON, REPO, Warehouse, free_port

from ml import registry
from ml.dataset import CATEGORICAL, NUMERIC, current_rows
from ml.score import score_current
from ml.train import TrainOptions, train

pytestmark = pytest.mark.slow

SUMMARY_KEYS = {
    "candidate_version",
    "metrics",
    "baseline_metrics",
    "champion_version_before",
    "promoted",
    "reasons",
    "oracle_auc",
}


@pytest.fixture(scope="module")
def trained(
    ml_warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Warehouse, list[dict[str, Any]]]:
    """A copy of the ml warehouse trained twice (the first run promotes version 1)."""
    warehouse = ml_warehouse.copy(tmp_path_factory.mktemp("ml-trained"))
    runs = [train(warehouse.data_dir), train(warehouse.data_dir)]
    return warehouse, runs


def test_a_first_run_promotes_its_candidate_and_writes_the_summary(
    trained: tuple[Warehouse, list[dict[str, Any]]],
) -> None:
    warehouse, (first, second) = trained
    assert set(first) >= SUMMARY_KEYS
    assert set(first["metrics"]) == {"roc_auc", "pr_auc", "brier"} == set(first["baseline_metrics"])
    assert first["candidate_version"] == "1" and first["champion_version_before"] is None
    assert first["promoted"] is True, first["reasons"]
    assert all(reason.startswith("pass: ") for reason in first["reasons"])
    assert first["metrics"]["roc_auc"] > first["baseline_metrics"]["roc_auc"]
    assert first["oracle_auc"] is not None and first["oracle_auc"] >= 0.8
    assert first["metrics"]["roc_auc"] >= first["oracle_auc"] - 0.1  # small data: within 0.1 of the best possible
    written = json.loads((warehouse.data_dir / "ml" / "last_train.json").read_text())
    assert written["candidate_version"] == second["candidate_version"] == "2"
    assert second["champion_version_before"] == "1"
    client = registry.connect(warehouse.data_dir)
    assert registry.champion_version(client) == second["champion_version_after"]
    version = client.get_model_version(registry.MODEL_NAME, "1")
    assert version.tags["gate"] == "promoted"
    assert version.tags["training_set_fingerprint"] == first["training_set_fingerprint"]


def test_two_runs_on_the_same_warehouse_give_the_same_metrics(trained: tuple[Warehouse, list[dict[str, Any]]]) -> None:
    _, (first, second) = trained
    for key in ("metrics", "baseline_metrics", "oracle_auc", "training_set_fingerprint", "feature_importance"):
        assert first[key] == second[key], key
    assert second["promoted"] is True, second["reasons"]  # as good as the champion: within the tolerance


def test_a_candidate_trained_on_shuffled_labels_is_refused(trained: tuple[Warehouse, list[dict[str, Any]]]) -> None:
    warehouse, (_, second) = trained
    summary = train(warehouse.data_dir, TrainOptions(shuffle_labels=True))
    assert summary["promoted"] is False
    failed = [reason for reason in summary["reasons"] if reason.startswith("fail: ")]
    assert any("must be at least" in reason for reason in failed), failed
    assert any("champion (version" in reason for reason in failed), failed
    assert summary["champion_version_after"] == second["champion_version_after"]


def test_a_candidate_missing_its_strongest_feature_is_refused_against_the_champion(
    trained: tuple[Warehouse, list[dict[str, Any]]],
) -> None:
    warehouse, (_, second) = trained
    strongest = next(iter(second["feature_importance"]))  # the champion's, by permutation importance
    summary = train(warehouse.data_dir, TrainOptions(exclude_features=(strongest,)))
    assert summary["promoted"] is False
    failed = [reason for reason in summary["reasons"] if reason.startswith("fail: ")]
    assert any("champion (version" in reason and "most recent week" in reason for reason in failed), failed
    assert registry.champion_version(registry.connect(warehouse.data_dir)) == second["champion_version_after"]


def test_scores_of_the_champion_land_in_the_warehouse(trained: tuple[Warehouse, list[dict[str, Any]]]) -> None:
    warehouse, (_, second) = trained
    result = score_current(warehouse.data_dir)
    champion = second["champion_version_after"]
    assert result["model_version"] == champion
    newest = warehouse.one("select max(as_of_date) from marts.mrt_customer_snapshots_weekly")
    customers = warehouse.one(f"select count(*) from marts.mrt_customer_snapshots_weekly where as_of_date = '{newest}'")
    assert result["customers"] == customers and result["scoring_date"] == str(newest)
    again = score_current(warehouse.data_dir)  # the same date again replaces its rows
    assert again["rows_in_table"] == customers
    warehouse.dbt("build", "--select", "stg_ml_scores__churn_scores+")
    assert warehouse.rows(
        "select count(*), count(distinct customer_id), min(model_version), max(model_version), bool_or(is_label_mature)"
        " from marts.fct_churn_scores"
    ) == [(customers, customers, int(champion), int(champion), False)]
    assert warehouse.one("select scored_rows from marts.rpt_churn_model_performance_weekly") == customers


def _post(url: str, payload: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def test_the_served_champion_answers_the_batch_score(trained: tuple[Warehouse, list[dict[str, Any]]]) -> None:
    warehouse, (_, second) = trained
    score_current(warehouse.data_dir)
    rows = current_rows(warehouse.data_dir / "warehouse.duckdb")
    picks = [0, len(rows) // 2, len(rows) - 1]  # three customers of the newest as-of date
    records = [
        {
            **{name: (None if math.isnan(rows[name][i]) else float(rows[name][i])) for name in NUMERIC},
            **{name: str(rows[name][i]) for name in CATEGORICAL},
        }
        for i in picks
    ]
    customers = [int(rows["customer_id"][i]) for i in picks]
    scores = dict(
        warehouse.rows(
            "select customer_id, churn_probability from ml_scores.churn_scores "
            f"where customer_id in ({', '.join(map(str, customers))}) "
            "and scoring_date = (select max(scoring_date) from ml_scores.churn_scores)"
        )
    )
    port = free_port()
    server = subprocess.Popen(
        [PYTHON, "-m", "ml", "--data-dir", str(warehouse.data_dir), "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=REPO,
        start_new_session=True,  # MLflow runs uvicorn as a child: stop the whole group
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/ping", timeout=5) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError):
                pass
            assert server.poll() is None, f"the scoring server exited: {server.stdout.read() if server.stdout else ''}"
            assert time.monotonic() < deadline, "the scoring server did not answer /ping within 120 s"
            time.sleep(1)
        answer = _post(f"http://127.0.0.1:{port}/invocations", {"dataframe_records": records})
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
    served = [pair[1] for pair in answer["predictions"]]
    assert served == pytest.approx([scores[customer] for customer in customers], abs=1e-12)
    assert second["champion_version_after"] is not None


def test_serving_without_a_champion_is_a_clear_error(tmp_path: Path) -> None:
    done = subprocess.run(
        [PYTHON, "-m", "ml", "--data-dir", str(tmp_path), "serve", "--port", str(free_port())],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert done.returncode == 2
    assert "no champion in the registry" in done.stderr and "make train" in done.stderr


def test_the_leakage_test_catches_a_leaking_feature(ml_warehouse: Warehouse, tmp_path: Path) -> None:
    warehouse = ml_warehouse.copy(tmp_path)
    warehouse.dbt("test", "--select", "assert_customer_snapshots__no_feature_leakage")  # passes on the real model
    paths = ["--target-path", str(warehouse.root / "target"), "--log-path", str(warehouse.root / "logs")]
    leaking = subprocess.run(
        [DBT, "build", "--select", "mrt_customer_snapshots_weekly", "--vars", "{ml_leakage_demo: true}"]
        + ["--project-dir", ".", "--profiles-dir", ".", *paths],
        cwd=REPO,
        env=warehouse.env,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    assert leaking.returncode != 0, leaking.stdout[-3000:]
    failures = [line for line in leaking.stdout.splitlines() if " FAIL " in line]
    assert any("assert_customer_snapshots__no_feature_leakage" in line for line in failures), failures


def test_continuous_training_retrains_on_drift_of_a_model_feature(
    trained: tuple[Warehouse, list[dict[str, Any]]],
) -> None:
    import duckdb

    from ml.ct import retrain_decision

    warehouse, _ = trained
    assert retrain_decision(warehouse.data_dir)["retrain"] is False  # champion, no drift, no newer mature week
    con = duckdb.connect(str(warehouse.data_dir / "warehouse.duckdb"))
    try:
        con.execute("create schema if not exists monitoring")
        con.execute(
            "create or replace table monitoring.mon_checks as select * from (values"
            " (date '2025-03-11', 'fct_sessions', 'platform', 'psi', 0.4, 'error'),"
            " (date '2025-03-11', 'fct_web_requests', 'status_code', 'psi', 0.4, 'error'),"
            " (date '2025-03-10', 'fct_orders', 'sales_channel', 'psi', 0.4, 'error'))"
            " as checks(check_date, table_name, column_name, measure, measure_value, check_status)"
        )
    finally:
        con.close()
    decision = retrain_decision(warehouse.data_dir)
    assert decision["retrain"] is True
    # only the newest day counts, and only columns a feature reads (status codes feed none)
    assert [(d["table"], d["column"]) for d in decision["drift"]] == [("fct_sessions", "platform")]
    assert "app_session_count" in decision["reason"]
