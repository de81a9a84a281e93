"""The demo shop's rates, tables and small helpers, shared by the simulation of every source system."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from . import clickstream as cs
from .randomness import cumulative
from .world import (
    CAMPAIGNS,
    START_DATE,
)

SESSIONS_PER_DAY = 6_000  # at SCALE=1: ~550k sessions and ~1.7M events in 90 days
OFFLINE_ORDERS_PER_DAY = 100  # marketplace and phone orders, no web session
# Realism (demo/README.md, `python -m demo kpis`): about half the visits bounce (one page), and a
# visit that does not bounce ends in an order with a probability set by who the visitor is and where
# they came from, so that sessions convert at 2-4% as in a real online shop.
BOUNCE_P = {
    "paid_search": 0.38,
    "retargeting": 0.40,
    "paid_social": 0.58,
    "paid_display": 0.72,
    "organic": 0.45,
    "direct": 0.35,
    "email": 0.30,
    "social": 0.55,
    "referral": 0.45,
    "push": 0.28,
}
RETURNING_BOUNCE_FACTOR = 0.7
ENGAGED_CONVERSION_P = {False: 0.03, True: 0.07}  # new visitor, returning customer
CONVERSION_FACTOR = {
    "paid_search": 1.3,
    "paid_social": 0.8,
    "paid_display": 0.6,
    "retargeting": 2.0,
    "email": 1.4,
    "push": 1.2,
}
APP_CONVERSION_FACTOR = 1.25
INITIAL_CUSTOMERS = 30_000
BOOTSTRAP_CHUNK = 10_000
DOC_SCHEMA_V2_DAY = 45  # reviews: `body` renamed to `text`, `verifiedPurchase` added (2025-02-15)
LATE_SESSION_P = {"web": 0.01, "ios": 0.08, "android": 0.08}
LATE_COMMIT_P = 0.3  # share of status changes in a day's last hour that commit after midnight
WEEKDAY_FACTOR = (0.96, 0.97, 1.0, 1.02, 1.06, 1.08, 0.91)
FREE_SHIPPING_CENTS = {"USD": 5_000, "EUR": 4_500, "GBP": 4_000}
SHIPPING_CENTS = {"USD": 499, "EUR": 450, "GBP": 399}
EPOCH0 = int(dt.datetime.combine(START_DATE, dt.time(0), tzinfo=dt.UTC).timestamp())


def db_ts(epoch: int) -> int:
    """A timestamp for an OLTP row: epoch seconds (UTC); the store converts it per engine."""
    return int(epoch)


def money(cents: int) -> int:
    """An amount for an OLTP row: integer cents; the store writes NUMERIC(12, 2)."""
    return int(cents)


def decimal_from_cents(cents: int) -> Decimal:
    return Decimal(int(cents)).scaleb(-2)


PAYMENT_METHODS = cumulative((("card", 0.62), ("paypal", 0.22), ("apple_pay", 0.12), ("gift_card", 0.04)))
RATINGS = cumulative(((5, 0.46), (4, 0.27), (3, 0.12), (2, 0.07), (1, 0.08)))
QUANTITIES = cumulative(((1, 0.8), (2, 0.15), (3, 0.05)))
ITEMS_PER_WEB_ORDER = cumulative(((1, 0.55), (2, 0.27), (3, 0.12), (4, 0.06)))
ITEMS_PER_OFFLINE_ORDER = cumulative(((1, 0.7), (2, 0.22), (3, 0.08)))


def traffic_kind(source: cs.Source) -> str:
    """The key of BOUNCE_P / CONVERSION_FACTOR for a session's traffic source."""
    if source.channel != "paid":
        return source.channel
    campaign = next(c for c in CAMPAIGNS if c.campaign_id == source.campaign_id)
    if campaign.retargeting:
        return "retargeting"
    return {"search": "paid_search", "social": "paid_social", "display": "paid_display"}[campaign.network]
