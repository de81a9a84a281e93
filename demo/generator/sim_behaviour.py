"""Who comes back: churn, the returning visitors and known marketplace buyers, and the oracle files.

A part of `Simulator` (simulate.py); the rules themselves are in behaviour.py.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from . import behaviour as bh
from .randomness import day_rng
from .shop_rules import OFFLINE_ORDERS_PER_DAY, SESSIONS_PER_DAY
from .world import START_DATE

RETURNING_SHARE = 0.4  # share of visits by known customers (plan_sessions)
KNOWN_OFFLINE_SHARE = 0.5  # share of marketplace and phone orders by known customers (offline_orders)


class BehaviourSimulation:
    """Latent customer state day by day (a part of `Simulator`)."""

    def _traits(self) -> bh.Traits:
        n = len(self.state.last_order_day)
        cached = getattr(self, "_traits_cache", None)
        if cached is None or len(cached.activity) != n:
            cached = bh.traits(self.seed, np.arange(1, n + 1))
            self._traits_cache = cached
        return cached

    def _sync_customers(self, day: int, initial: bool) -> None:
        """Give customers created since the last call their state: day-0 customers a last order before
        the simulation, later ones (who signed up with an order) the day they signed up."""
        known = len(self.state.last_order_day)
        last = self.state.last_id("customer")
        if last <= known:
            return
        ids = np.arange(known + 1, last + 1)
        first = bh.initial_last_order_day(self.seed, ids) if initial else np.full(len(ids), day)
        self.state.last_order_day.extend(int(x) for x in first)
        self.state.churn_day.extend([-1] * len(ids))

    def _active(self) -> np.ndarray:
        active = np.asarray(self.state.churn_day, dtype=np.int64) < 0
        if self.state.deleted_customers:
            active[np.asarray(self.state.deleted_customers, dtype=np.int64) - 1] = False
        return active

    def _engagement(self, day: int) -> np.ndarray:
        return bh.engagement(day, np.asarray(self.state.last_order_day, dtype=np.int64), self._traits().decay_days)

    def churn_step(self, day: int) -> None:
        """Start of a day: some active customers leave for good (more likely the less engaged)."""
        self._sync_customers(day, initial=day == 0)
        active = self._active()
        if not active.any():
            return
        p = bh.hazard(self._engagement(day))
        leaves = active & (day_rng(self.seed, day, "churn").random(len(active)) < p)
        churn_day = np.asarray(self.state.churn_day, dtype=np.int64)
        churn_day[leaves] = day
        self.state.churn_day = churn_day.tolist()

    def returning_visitors(self, day: int, is_app: np.ndarray, returning: np.ndarray) -> list[int | None]:
        """The known customer behind each visit (None for a new visitor), weighted by their traits."""
        out: list[int | None] = [None] * len(is_app)
        n_customers = len(self.state.last_order_day)
        if not n_customers:
            return out
        rng = day_rng(self.seed, day, "returning")
        tr, engaged, active = self._traits(), self._engagement(day), self._active()
        for app in (False, True):
            slots = np.flatnonzero(returning & (is_app == app))
            weights = np.where(active, bh.visit_weight(tr, engaged, app), 0.0)
            chosen = bh.sample_without_replacement(rng, weights, len(slots))
            for slot, idx in zip(slots.tolist(), chosen.tolist(), strict=False):
                out[slot] = idx + 1
        return out

    def conversion_factor(self, customer_id: int) -> float:
        return float(self._traits().conversion_factor[customer_id - 1])

    def known_offline_buyers(self, day: int, n: int) -> list[int]:
        """n known customers for marketplace and phone orders (with replacement), weighted by activity."""
        active = self._active()
        if not n or not active.any():
            return []
        tr, engaged = self._traits(), self._engagement(day)
        w = np.where(active, tr.activity * (bh.ENGAGEMENT_FLOOR + engaged), 0.0)
        picks = day_rng(self.seed, day, "offline-known").choice(len(w), size=n, p=w / w.sum())
        return (picks + 1).tolist()

    def renew(self, customer_id: int, day: int) -> None:
        """An order renews the customer's engagement."""
        if customer_id <= len(self.state.last_order_day):
            self.state.last_order_day[customer_id - 1] = day

    def end_of_day_behaviour(self, day: int) -> None:
        """Register the day's new customers; on a scoring date (Sunday) write the oracle."""
        self._sync_customers(day, initial=False)
        date = START_DATE + dt.timedelta(days=day)
        if date.isoweekday() != 7 or not self.state.last_order_day:
            return
        last = np.asarray(self.state.last_order_day, dtype=np.int64)
        active = self._active()
        growth = 1 + 0.002 * day
        p_none = bh.no_order_probability(
            self._traits(),
            last,
            active,
            day,
            returning_visits_per_day=SESSIONS_PER_DAY * self.scale * RETURNING_SHARE * growth,
            offline_known_per_day=OFFLINE_ORDERS_PER_DAY * self.scale * KNOWN_OFFLINE_SHARE * growth,
        )
        table = pa.table(
            {
                "customer_id": pa.array(np.arange(1, len(last) + 1), pa.int64()),
                "scoring_date": pa.array([date] * len(last), pa.date32()),
                "p_no_order": pa.array(p_none, pa.float64()),
                "is_active": pa.array(active),
                "engagement": pa.array(self._engagement(day), pa.float64()),
            }
        )
        folder = self.paths.state_dir / "oracle"
        folder.mkdir(parents=True, exist_ok=True)
        # in row groups of ORACLE_BLOCK customers: the writer's buffers do not grow with the customer base
        pq.write_table(table, folder / f"{date.isoformat()}.parquet", row_group_size=bh.ORACLE_BLOCK)
