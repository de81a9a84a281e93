"""The quality gate: a candidate becomes the champion only if every check passes.

0. It is better than chance: held-out ROC AUC at least `min_auc` (a model that learnt nothing, e.g.
   from shuffled labels, fails here even when its baseline learnt nothing either).
1. It beats the baseline (logistic regression on the same training set) on the held-out weeks' ROC AUC.
2. It is not worse than the current champion on the most recent held-out week beyond `champion_tolerance`.
3. Per segment (country, acquisition channel) with enough rows of both classes in the held-out weeks, its
   ROC AUC is not below the reference's (the champion's, else the baseline's) by more than
   `segment_tolerance`.

Each check gives one reason, `pass: ...` or `fail: ...`; the candidate is promoted when none failed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .dataset import SEGMENTS, Rows
from .model import auc_or_none


@dataclass(frozen=True)
class GateConfig:
    min_auc: float = 0.6
    champion_tolerance: float = 0.005
    segment_tolerance: float = 0.05
    min_segment_rows: int = 200
    min_segment_class_rows: int = 10


@dataclass(frozen=True)
class GateInput:
    held_out: Rows
    candidate: np.ndarray  # the candidate's P(churn) per held-out row
    baseline: np.ndarray
    champion: np.ndarray | None  # None: no champion yet
    champion_version: str | None = None


@dataclass(frozen=True)
class Decision:
    promoted: bool
    reasons: list[str]
    recent_window: str
    checks: dict[str, float | None]


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4f}"


def decide(gate: GateInput, config: GateConfig = GateConfig()) -> Decision:
    y = gate.held_out.label.astype(np.int64)
    reasons: list[str] = []
    failed = False

    def check(ok: bool, text: str) -> None:
        nonlocal failed
        failed = failed or not ok
        reasons.append(("pass: " if ok else "fail: ") + text)

    candidate_auc, baseline_auc = auc_or_none(y, gate.candidate), auc_or_none(y, gate.baseline)
    check(
        candidate_auc is not None and candidate_auc >= config.min_auc,
        f"candidate ROC AUC {_fmt(candidate_auc)} on the held-out weeks (must be at least {config.min_auc})",
    )
    check(
        candidate_auc is not None and baseline_auc is not None and candidate_auc > baseline_auc,
        f"candidate ROC AUC {_fmt(candidate_auc)} vs baseline {_fmt(baseline_auc)} on the held-out weeks"
        " (must beat the baseline)",
    )

    dates = gate.held_out["as_of_date"]
    recent = dates.max()
    in_recent = dates == recent
    recent_candidate = auc_or_none(y[in_recent], gate.candidate[in_recent])
    recent_champion = None
    if gate.champion is None:
        reasons.append("pass: no champion yet: nothing to compare with on the most recent window")
    else:
        recent_champion = auc_or_none(y[in_recent], gate.champion[in_recent])
        check(
            recent_candidate is not None
            and recent_champion is not None
            and recent_candidate >= recent_champion - config.champion_tolerance,
            f"candidate ROC AUC {_fmt(recent_candidate)} vs champion (version {gate.champion_version}) "
            f"{_fmt(recent_champion)} on the most recent week {recent} (tolerance {config.champion_tolerance})",
        )

    reference, reference_name = (
        (gate.champion, "champion") if gate.champion is not None else (gate.baseline, "baseline")
    )
    checked = 0
    for column in SEGMENTS:
        values = gate.held_out[column]
        for value in sorted(set(values.tolist())):
            mask = values == value
            positives = int(y[mask].sum())
            if mask.sum() < config.min_segment_rows or min(positives, int(mask.sum()) - positives) < (
                config.min_segment_class_rows
            ):
                continue
            checked += 1
            seg_candidate = auc_or_none(y[mask], gate.candidate[mask])
            seg_reference = auc_or_none(y[mask], reference[mask])
            ok = (
                seg_candidate is not None
                and seg_reference is not None
                and seg_candidate >= seg_reference - config.segment_tolerance
            )
            if not ok:
                check(
                    False,
                    f"segment {column}={value}: candidate ROC AUC {_fmt(seg_candidate)} vs {reference_name} "
                    f"{_fmt(seg_reference)} (tolerance {config.segment_tolerance}, {int(mask.sum())} rows)",
                )
    if not any(r.startswith("fail: segment") for r in reasons):
        reasons.append(
            f"pass: {checked} segments ({', '.join(SEGMENTS)}) "
            f"within {config.segment_tolerance} of the {reference_name}"
        )
    return Decision(
        promoted=not failed,
        reasons=reasons,
        recent_window=str(recent)[:10],
        checks={
            "candidate_auc": candidate_auc,
            "baseline_auc": baseline_auc,
            "recent_candidate_auc": recent_candidate,
            "recent_champion_auc": recent_champion,
        },
    )
