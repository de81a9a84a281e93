"""Latent customer behaviour: the traits that drive visits, orders and churn, and the oracle.

Every customer carries traits that are pure functions of (seed, customer id):
- `activity`: how often they come back (heavy tailed: a few visit often, most rarely);
- `price_sensitivity` in [0, 1): lowers the chance that a visit ends in an order;
- `app_preference` in [0, 1): which platform their visits use (web or the apps);
- `decay_days`: how fast their engagement fades.

and a state that changes day by day (GeneratorState.last_order_day, .churn_day):
- engagement = exp(-(days since their last order) / decay_days): an order renews it to 1;
- churn: each day an active customer leaves for good with a hazard that grows as engagement fades.

Returning visits and marketplace orders of known customers go to customers in proportion to
`visit_weight` (active ones only). The oracle is each customer's probability of placing no order in
the next CHURN_HORIZON_DAYS given their latent state at the end of a scoring date (every Sunday):
the best any model can do, recorded in DATA_DIR/.demo_state/oracle/<date>.parquet.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .world import uniform

CHURN_HORIZON_DAYS = 21  # the label: no order in the 21 days after the as-of date (dbt var churn_horizon_days)
ENGAGEMENT_FLOOR = 0.08  # a customer who has not ordered in a long time still visits a little
BASE_HAZARD = 0.002  # daily churn hazard of a fully engaged customer
FADED_HAZARD = 0.03  # extra daily churn hazard of a customer whose engagement has faded completely
INITIAL_RECENCY_DAYS = 90  # customers of day 0 last ordered up to this many days before it
# Per returning visit: the chance it does not bounce times the chance it converts (shop_rules, averaged
# over traffic sources); used only by the oracle's expected order rate.
ORDER_P_PER_VISIT = (1 - 0.42 * 0.7) * 0.07 * 1.1
APP_SHARE = 0.38  # share of visits on the apps (plan_sessions: web 0.62)
ORACLE_BLOCK = 65_536  # customers per block of the oracle's computation


@dataclass(frozen=True)
class Traits:
    activity: np.ndarray
    price_sensitivity: np.ndarray
    app_preference: np.ndarray
    decay_days: np.ndarray

    @cached_property  # read once per returning visit: computed once per Traits, not per read
    def conversion_factor(self) -> np.ndarray:
        """Multiplies a returning visit's conversion probability (mean 1 over customers)."""
        return 1.6 - 1.2 * self.price_sensitivity


def traits(seed: int, customer_ids: np.ndarray) -> Traits:
    """The fixed traits of customers (pure)."""
    ids = np.asarray(customer_ids, dtype=np.int64)
    u = uniform(seed, 701, ids)
    activity = np.exp(2.2 * (u - 0.5) * 1.8)  # log-uniform over ~e^4: from rare to frequent visitors
    return Traits(
        activity=activity,
        price_sensitivity=uniform(seed, 702, ids),
        app_preference=uniform(seed, 703, ids),
        decay_days=8.0 + 40.0 * uniform(seed, 704, ids),
    )


def initial_last_order_day(seed: int, customer_ids: np.ndarray) -> np.ndarray:
    """Day-0 customers' last order before the simulation (a day <= 0, pure)."""
    return -np.floor(uniform(seed, 705, np.asarray(customer_ids, dtype=np.int64)) * INITIAL_RECENCY_DAYS).astype(
        np.int64
    )


def engagement(day: int | np.ndarray, last_order_day: np.ndarray, decay_days: np.ndarray) -> np.ndarray:
    return np.exp(-np.maximum(np.asarray(day) - last_order_day, 0) / decay_days)


def hazard(engaged: np.ndarray) -> np.ndarray:
    """Daily probability that an active customer churns."""
    return BASE_HAZARD + FADED_HAZARD * (1.0 - engaged)


def visit_weight(tr: Traits, engaged: np.ndarray, app: bool) -> np.ndarray:
    """Relative chance of a customer being the visitor of a returning web (app=False) or app visit."""
    platform = tr.app_preference if app else 1.0 - tr.app_preference
    return tr.activity * (ENGAGEMENT_FLOOR + engaged) * (0.2 + 1.6 * platform)


def sample_without_replacement(rng: np.random.Generator, weights: np.ndarray, k: int) -> np.ndarray:
    """k distinct indexes drawn with probability proportional to weights (Efraimidis-Spirakis keys), in
    draw order; fewer when fewer than k weights are positive."""
    keys = np.full(len(weights), np.inf)
    positive = weights > 0
    keys[positive] = rng.exponential(size=int(positive.sum())) / weights[positive]
    k = min(k, int(positive.sum()))
    if k == 0:
        return np.zeros(0, dtype=np.int64)
    chosen = np.argpartition(keys, k - 1)[:k] if k < len(keys) else np.arange(len(keys))
    return chosen[np.argsort(keys[chosen], kind="stable")]


def no_order_probability(
    tr: Traits,
    last_order_day: np.ndarray,
    active: np.ndarray,
    day: int,
    returning_visits_per_day: float,
    offline_known_per_day: float,
    horizon: int = CHURN_HORIZON_DAYS,
) -> np.ndarray:
    """P(no order in days day+1 .. day+horizon) per customer, given the latent state after `day`.

    The day's visits are shared out as in plan_sessions: a customer's share of the returning visits
    of a platform is their weight over the weight of all active customers (held at today's total).
    """
    n = len(last_order_day)
    p_none = np.ones(n)
    if not active.any():
        return p_none
    e_now = engagement(day, last_order_day, tr.decay_days)
    totals = {app: float(visit_weight(tr, e_now, app)[active].sum()) for app in (False, True)}
    offline_total = float((tr.activity * (ENGAGEMENT_FLOOR + e_now))[active].sum())
    del e_now
    # Element-wise from here: computed ORACLE_BLOCK customers at a time, so that the dozen arrays of the
    # horizon's steps are block-sized, not customer-base-sized (memory flat in SCALE); the same numbers.
    for start in range(0, n, ORACLE_BLOCK):
        block = slice(start, start + ORACLE_BLOCK)
        part = Traits(tr.activity[block], tr.price_sensitivity[block], tr.app_preference[block], tr.decay_days[block])
        p_none[block] = _no_order_block(
            part,
            last_order_day[block],
            active[block],
            day,
            returning_visits_per_day,
            offline_known_per_day,
            horizon,
            totals,
            offline_total,
        )
    return p_none


def _no_order_block(
    tr: Traits,
    last_order_day: np.ndarray,
    active: np.ndarray,
    day: int,
    returning_visits_per_day: float,
    offline_known_per_day: float,
    horizon: int,
    totals: dict[bool, float],
    offline_total: float,
) -> np.ndarray:
    n = len(last_order_day)
    alive_no_order = active.astype(np.float64)
    ordered = np.zeros(n)
    conv = ORDER_P_PER_VISIT * tr.conversion_factor
    for s in range(1, horizon + 1):
        e = engagement(day + s, last_order_day, tr.decay_days)
        alive_no_order = alive_no_order * (1.0 - hazard(e))
        rate = np.zeros(n)
        for app, share, factor in ((False, 1 - APP_SHARE, 1.0), (True, APP_SHARE, 1.25)):
            visits = returning_visits_per_day * share * visit_weight(tr, e, app) / max(totals[app], 1e-12)
            rate += visits * conv * factor
        rate += offline_known_per_day * tr.activity * (ENGAGEMENT_FLOOR + e) / max(offline_total, 1e-12)
        p_order_today = 1.0 - np.exp(-rate)
        ordered += alive_no_order * p_order_today
        alive_no_order = alive_no_order * (1.0 - p_order_today)
    p_none = 1.0 - ordered
    return np.clip(p_none, 0.0, 1.0)
