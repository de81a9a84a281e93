"""The quality gate's rules on made-up held-out rows (fast: no warehouse, no MLflow)."""

from __future__ import annotations

import numpy as np

from ml.dataset import Rows
from ml.gate import GateConfig, GateInput, decide


def _held_out(n: int = 4000, seed: int = 1) -> tuple[Rows, np.ndarray]:
    """Rows over two weeks and two segments each, and a latent risk the label follows."""
    rng = np.random.default_rng(seed)
    risk = rng.random(n)
    label = (rng.random(n) < 0.2 + 0.7 * risk).astype(np.float64)
    rows = Rows(
        {
            "as_of_date": np.where(np.arange(n) < n // 2, np.datetime64("2025-03-02"), np.datetime64("2025-03-09")),
            "customer_id": np.arange(n),
            "country_code": np.where(rng.random(n) < 0.5, "US", "DE").astype(object),
            "acquisition_channel": np.where(rng.random(n) < 0.5, "Paid Search", "Direct").astype(object),
            "is_churned": label,
        }
    )
    return rows, risk


def _noisy(risk: np.ndarray, noise: float, seed: int) -> np.ndarray:
    return risk + np.random.default_rng(seed).normal(0, noise, len(risk))


def test_a_good_candidate_without_a_champion_is_promoted() -> None:
    rows, risk = _held_out()
    decision = decide(GateInput(rows, _noisy(risk, 0.05, 2), _noisy(risk, 0.5, 3), None))
    assert decision.promoted, decision.reasons
    assert all(reason.startswith("pass: ") for reason in decision.reasons)


def test_a_candidate_that_learnt_nothing_is_refused_even_against_a_baseline_that_learnt_nothing() -> None:
    rows, _ = _held_out()
    rng = np.random.default_rng(4)
    decision = decide(GateInput(rows, rng.random(len(rows)), rng.random(len(rows)), None))
    assert not decision.promoted
    assert any(r.startswith("fail: candidate ROC AUC") and "at least 0.6" in r for r in decision.reasons)


def test_a_candidate_worse_than_the_baseline_is_refused() -> None:
    rows, risk = _held_out()
    decision = decide(GateInput(rows, _noisy(risk, 0.6, 2), _noisy(risk, 0.1, 3), None))
    assert not decision.promoted
    assert any(r.startswith("fail: ") and "must beat the baseline" in r for r in decision.reasons)


def test_a_candidate_worse_than_the_champion_on_the_recent_week_is_refused() -> None:
    rows, risk = _held_out()
    champion = _noisy(risk, 0.05, 5)
    candidate = _noisy(risk, 0.05, 6)
    recent = rows["as_of_date"] == rows["as_of_date"].max()
    candidate[recent] = _noisy(risk[recent], 0.4, 7)  # as good on the older week, worse on the newest
    decision = decide(GateInput(rows, candidate, _noisy(risk, 1.0, 3), champion, "7"))
    assert not decision.promoted
    assert any(r.startswith("fail: ") and "champion (version 7)" in r and "2025-03-09" in r for r in decision.reasons)


def test_a_candidate_within_the_tolerance_of_the_champion_passes_that_check() -> None:
    rows, risk = _held_out()
    same = _noisy(risk, 0.05, 5)
    decision = decide(GateInput(rows, same, _noisy(risk, 1.0, 3), same.copy(), "7"))
    assert decision.promoted, decision.reasons


def test_a_segment_where_the_candidate_falls_behind_is_refused_and_named() -> None:
    rows, risk = _held_out()
    candidate = _noisy(risk, 0.05, 2)
    german = rows["country_code"] == "DE"
    candidate[german] = np.random.default_rng(8).random(int(german.sum()))  # no skill for one country
    decision = decide(GateInput(rows, candidate, _noisy(risk, 0.3, 3), None), GateConfig(min_auc=0.5))
    assert not decision.promoted
    failed = [r for r in decision.reasons if r.startswith("fail: ")]
    assert any("segment country_code=DE" in r for r in failed), failed
    assert not any("country_code=US" in r for r in failed)


def test_segments_too_small_to_judge_are_skipped() -> None:
    rows, risk = _held_out()
    candidate = _noisy(risk, 0.05, 2)
    german = rows["country_code"] == "DE"
    candidate[german] = np.random.default_rng(8).random(int(german.sum()))
    decision = decide(
        GateInput(rows, candidate, _noisy(risk, 2.0, 3), None), GateConfig(min_auc=0.5, min_segment_rows=10_000)
    )
    assert decision.promoted, decision.reasons
    assert any("pass: 0 segments" in r for r in decision.reasons)
