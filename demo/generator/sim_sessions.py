"""Web and app visits: how many, where they come from, and what they buy (the clickstream's sessions).

A part of `Simulator` (simulate.py), which holds the shared state these methods use.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Iterator

import numpy as np

from . import clickstream as cs
from .randomness import day_random, day_rng, weighted
from .render import SESSIONS_PER_FILE
from .shop_rules import (
    APP_CONVERSION_FACTOR,
    BOUNCE_P,
    CONVERSION_FACTOR,
    ENGAGED_CONVERSION_P,
    EPOCH0,
    ITEMS_PER_WEB_ORDER,
    LATE_SESSION_P,
    QUANTITIES,
    RETURNING_BOUNCE_FACTOR,
    SESSIONS_PER_DAY,
    traffic_kind,
)
from .world import (
    CAMPAIGNS,
    COUNTRY_CURRENCY,
    COUNTRY_LOCALE,
    CURRENCIES,
    START_DATE,
    Campaign,
    customer_country,
    local_price_cents,
    mix_int,
    usd_price_cents,
)

_HOUR_WEIGHTS = np.array(
    [1, 0.6, 0.4, 0.3, 0.3, 0.5, 1, 2, 3, 4, 4.5, 5, 5.5, 5, 4.5, 4.5, 5, 5.5, 6.5, 7.5, 8, 7, 4.5, 2.5]
)
_HOUR_WEIGHTS = _HOUR_WEIGHTS / _HOUR_WEIGHTS.sum()
_POOL_BLOCK = 4_096


class _Pool:
    """Draws taken from the end of an array, as `list.pop()` takes them from the array's `tolist()`, made
    Python ints a block at a time: a day's draws stay one compact array, not a list of Python ints."""

    def __init__(self, values: np.ndarray) -> None:
        self._values = values
        self._end = len(values)
        self._block: list[int] = []

    def pop(self) -> int:
        if not self._block:
            if not self._end:
                raise IndexError("pop from an empty pool")
            start = max(0, self._end - _POOL_BLOCK)
            self._block = self._values[start : self._end].tolist()
            self._end = start
        return self._block.pop()


class SessionSimulation:
    """Web and app visits (a part of `Simulator`)."""

    # ------------------------------------------------------------------ sessions
    def plan_sessions(self, day: int) -> tuple[int, Iterator[list[cs.Session]]]:
        """How many sessions the day has, and the sessions in start order, SESSIONS_PER_FILE at a time
        (planned as they are taken: a whole day of sessions is never held at once)."""
        rng = day_rng(self.seed, day, "sessions")
        r = day_random(self.seed, day, "sessions")
        n = self.n(SESSIONS_PER_DAY, day, rng)
        t0_ms = (EPOCH0 + day * 86_400) * 1000
        platforms = rng.choice(3, size=n, p=[0.62, 0.22, 0.16])
        returning = rng.random(n) < 0.4
        # who comes back depends on their traits and engagement (behaviour.py), not on chance alone
        visitors = self.returning_visitors(day, platforms > 0, returning)
        hours = rng.choice(24, size=n, p=_HOUR_WEIGHTS)
        starts = np.clip(hours * 3600 + rng.integers(0, 3600, size=n), 1_800, 79_200) * 1000 + rng.integers(0, 1000, n)
        order = np.argsort(starts, kind="stable")
        active = [c for c in CAMPAIGNS if c.active_on(day)]
        new_anon = cs.uuid_bits(rng, n)  # formatted for the new visitors only
        week = (START_DATE + dt.timedelta(days=day)).isocalendar().week
        return n, self._planned(day, r, t0_ms, platforms, starts, order, visitors, new_anon, week, active)

    def _planned(
        self,
        day: int,
        r: random.Random,
        t0_ms: int,
        platforms: np.ndarray,
        starts: np.ndarray,
        order: np.ndarray,
        visitors: list[int | None],
        new_anon: list[list[int]],
        week: int,
        active: list[Campaign],
    ) -> Iterator[list[cs.Session]]:
        web_campaigns = [c for c in active if not c.app]
        app_campaigns = [c for c in active if c.app]
        sessions: list[cs.Session] = []
        platform_of, start_of = platforms.tolist(), starts.tolist()  # Python ints: no numpy scalar per read
        for rank, i in enumerate(order.tolist()):
            platform = ("web", "ios", "android")[platform_of[i]]
            known = visitors[i]
            source = self._source(r, platform, known is not None, web_campaigns, app_campaigns, week)
            if known is not None:
                h = mix_int(self.seed, 101 + platform_of[i], known)
                anon = cs.uuid_from_ints(h, mix_int(self.seed, 111, h))
                locale = COUNTRY_LOCALE[customer_country(self.seed, known)]
                ip_seed, ua = h, mix_int(self.seed, 121, known) % 97
            else:
                anon = cs.uuid_from_ints(*new_anon[i])
                locale = r.choice(("en-US", "en-US", "en-GB", "de-DE", "fr-FR"))
                ip_seed, ua = mix_int(self.seed, 131, rank + day * 1_000_003), r.randrange(97)
            kind = traffic_kind(source)
            bounce_p = BOUNCE_P[kind] * (RETURNING_BOUNCE_FACTOR if known is not None else 1.0)
            bounces = r.random() < bounce_p
            p_convert = (
                ENGAGED_CONVERSION_P[known is not None]
                * CONVERSION_FACTOR.get(kind, 1.0)
                * (APP_CONVERSION_FACTOR if platform != "web" else 1.0)
                * (self.conversion_factor(known) if known is not None else 1.0)
            )
            converts = not bounces and r.random() < p_convert
            sessions.append(
                cs.Session(
                    index=rank,
                    platform=platform,
                    anonymous_id=anon,
                    customer_id=known,
                    source=source,
                    start_ms=t0_ms + start_of[i],
                    converts=converts,
                    bounces=bounces,
                    logged_in=known is not None and r.random() < 0.75,
                    ip=cs.ip_from_int(ip_seed),
                    ua_index=ua,
                    locale=locale,
                    late=r.random() < LATE_SESSION_P[platform],
                )
            )
            if len(sessions) == SESSIONS_PER_FILE:
                yield sessions
                sessions = []
        if sessions:
            yield sessions

    @staticmethod
    def _source(
        r: random.Random,
        platform: str,
        known: bool,
        web_campaigns: list[Campaign],
        app_campaigns: list[Campaign],
        week: int,
    ) -> cs.Source:
        roll = r.random()
        if platform != "web":
            if roll < 0.2 and app_campaigns:
                return cs.paid_source(r.choices(app_campaigns, [c.weight for c in app_campaigns])[0])
            if roll < 0.3:
                return cs.Source("push", "app", "push", f"push_week_{week:02d}")
            return cs.Source("direct")
        if roll < 0.35 and web_campaigns:
            return cs.paid_source(r.choices(web_campaigns, [c.weight for c in web_campaigns])[0])
        if roll < 0.60:
            return cs.Source("organic", referrer=cs.ORGANIC[2])
        if roll < 0.80:
            return cs.Source("direct")
        if roll < 0.88 and known:
            return cs.email_source(week)
        if roll < 0.95:
            return cs.Source("social", *cs.SOCIAL[:2], referrer=cs.SOCIAL[2])
        return cs.Source("referral", referrer=cs.REFERRAL[2])

    def _catalog_today(self, day: int) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
        """Sellable product ids, their sampling weights and today's price list per currency."""
        info = self.products()
        active = np.ones(len(info.product_id), dtype=bool)
        if self.state.discontinued:
            active[np.array(self.state.discontinued) - 1] = False
        ids = info.product_id[active]
        weights = info.popularity[active] / info.popularity[active].sum()
        usd = usd_price_cents(self.seed, info, day)
        prices = {cur: local_price_cents(usd, cur) for cur in CURRENCIES}
        return ids, weights, prices

    def _slugs(self) -> tuple[dict[int, str], dict[int, str]]:
        info = self.products()
        ids = info.product_id.tolist()
        return dict(zip(ids, info.slug, strict=True)), dict(zip(ids, info.sku, strict=True))

    def _cart(
        self, r: random.Random, picks: list[int] | _Pool, prices: dict[str, np.ndarray], currency: str, n_items: int
    ) -> list[tuple[int, int, int]]:
        chosen: list[int] = []
        while len(chosen) < n_items:
            pid = picks.pop()
            if pid not in chosen:
                chosen.append(pid)
        return [(pid, weighted(r, QUANTITIES), int(prices[currency][pid - 1])) for pid in chosen]

    def shop(self, day: int, n_sessions: int, planned: Iterable[list[cs.Session]]) -> Iterator[list[cs.Session]]:
        """Browsing, carts and orders for the day's sessions, a chunk at a time (yielded when done);
        new visitors who buy become customers."""
        rng = day_rng(self.seed, day, "shopping")
        r = day_random(self.seed, day, "shopping")
        ids, weights, prices = self._catalog_today(day)
        picks = _Pool(rng.choice(ids, size=n_sessions * 14 + 20, p=weights))
        slugs, skus = self._slugs()
        for sessions in planned:
            self._shop(day, r, rng, sessions, picks, prices, slugs, skus)
            yield sessions

    def _shop(
        self,
        day: int,
        r: random.Random,
        rng: np.random.Generator,
        sessions: list[cs.Session],
        picks: _Pool,
        prices: dict[str, np.ndarray],
        slugs: dict[int, str],
        skus: dict[int, str],
    ) -> None:
        # one geometric draw per visit that does not bounce, drawn per chunk (the same numbers, in order)
        n_browsed = iter(rng.geometric(0.55, size=sum(1 for s in sessions if not s.bounces)).tolist())
        for s in sessions:
            new_customer = False
            if s.customer_id is not None:
                customer_id = s.customer_id
            elif s.converts:
                customer_id = self.state.next_id("customer")
                new_customer = True
            else:
                customer_id = None
            if customer_id is not None:
                country = customer_country(self.seed, customer_id)
                currency = COUNTRY_CURRENCY[country]
            else:
                currency = {"en-US": "USD", "en-GB": "GBP"}.get(s.locale, "EUR")
                country = ""
            n_browse = 1 if s.bounces else min(next(n_browsed), 8)
            browse = [picks.pop() for _ in range(n_browse)]
            cart: list[tuple[int, int, int]] = []
            checkout = False
            if s.converts:
                n_items = weighted(r, ITEMS_PER_WEB_ORDER)
                cart, checkout = self._cart(r, picks, prices, currency, n_items), True
            elif not s.bounces and r.random() < 0.25:
                cart, checkout = self._cart(r, picks, prices, currency, 1), r.random() < 0.3
            purchase_ms = cs.plan_hits(s, r, slugs, skus, browse, cart, currency, checkout)
            if not s.converts:
                continue
            placed_at = purchase_ms // 1000
            if new_customer:
                self._new_customers.append((customer_id, placed_at - 25))
                s.signup_customer_id = customer_id
            else:
                self.renew(customer_id, day)
            channel = "web" if s.platform == "web" else "app"
            order, items = self.new_order(
                day, r, customer_id, currency, country, channel, placed_at, cart, new_customer
            )
            s.order_id = order["order_id"]
            cs.add_purchase(s, purchase_ms, order, items, skus)
