"""One simulated day of the demo shop, written to every source system at once.

Day d draws its randomness from streams seeded by (seed, d, stream), and carries only small state
(id counters, pending order transitions, late events) to the next day. So `generate --days N` followed
by `advance --days 1` writes exactly what `generate --days N+1` writes.
"""

from __future__ import annotations

import bisect
import datetime as dt
import multiprocessing
import random
import zlib
from collections import defaultdict
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import numpy as np
import orjson
import pyarrow as pa

from . import clickstream as cs
from .files import partition_dir, write_csv, write_parquet, write_text_lines
from .oltp import OltpBatch, OltpStore
from .render import RenderJob, RenderResult, merge_counts, render_day
from .render import add as _add
from .render import sub as _sub
from .state import GeneratorState
from .world import (
    CAMPAIGNS,
    CATEGORIES,
    CURRENCIES,
    LAST_NAMES,
    START_DATE,
    Campaign,
    ProductInfo,
    bid_value_factor,
    cents_str,
    customer,
    fx_rate_micros,
    initial_product_count,
    is_on_promo,
    local_price_cents,
    mix,
    mix_int,
    product_info,
    to_usd_cents,
    usd_price_cents,
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


def day_rng(seed: int, day: int, stream: str) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, day + 10_000, zlib.crc32(stream.encode())]))


def day_random(seed: int, day: int, stream: str) -> random.Random:
    return random.Random(f"{seed}:{day}:{stream}")


def db_ts(epoch: int) -> int:
    """A timestamp for an OLTP row: epoch seconds (UTC); the store converts it per engine."""
    return int(epoch)


def money(cents: int) -> int:
    """An amount for an OLTP row: integer cents; the store writes NUMERIC(12, 2)."""
    return int(cents)


def decimal_from_cents(cents: int) -> Decimal:
    return Decimal(int(cents)).scaleb(-2)


def _cumulative(pairs: tuple[tuple[Any, float], ...]) -> tuple[tuple[Any, ...], tuple[float, ...]]:
    values = tuple(v for v, _ in pairs)
    total, cum = 0.0, []
    for _, w in pairs:
        total += w
        cum.append(total)
    return values, tuple(c / total for c in cum)


def _weighted(r: random.Random, table: tuple[tuple[Any, ...], tuple[float, ...]]) -> Any:
    """One value drawn by weight (a cheaper `random.choices` for fixed tables)."""
    values, cum = table
    return values[min(bisect.bisect_right(cum, r.random()), len(values) - 1)]


PAYMENT_METHODS = _cumulative((("card", 0.62), ("paypal", 0.22), ("apple_pay", 0.12), ("gift_card", 0.04)))
RATINGS = _cumulative(((5, 0.46), (4, 0.27), (3, 0.12), (2, 0.07), (1, 0.08)))
QUANTITIES = _cumulative(((1, 0.8), (2, 0.15), (3, 0.05)))
ITEMS_PER_WEB_ORDER = _cumulative(((1, 0.55), (2, 0.27), (3, 0.12), (4, 0.06)))
ITEMS_PER_OFFLINE_ORDER = _cumulative(((1, 0.7), (2, 0.22), (3, 0.08)))


def _traffic_kind(source: cs.Source) -> str:
    """The key of BOUNCE_P / CONVERSION_FACTOR for a session's traffic source."""
    if source.channel != "paid":
        return source.channel
    campaign = next(c for c in CAMPAIGNS if c.campaign_id == source.campaign_id)
    if campaign.retargeting:
        return "retargeting"
    return {"search": "paid_search", "social": "paid_social", "display": "paid_display"}[campaign.network]


class Simulator:
    """Advances the shop one day at a time, writing the OLTP database and the source files."""

    def __init__(self, state: GeneratorState, paths: Any, store: OltpStore, parallel: bool = True) -> None:
        self.state = state
        self.paths = paths
        self.store = store
        self.seed = state.seed
        self.scale = state.scale
        self.dirty_rate = state.dirty_rate if state.dirty else 0.0
        self._products: ProductInfo | None = None
        # Writing overlaps with simulating the next day: zlib, sqlite and parquet release the GIL.
        # One thread per sink keeps each sink's writes in day order.
        self._file_io = ThreadPoolExecutor(max_workers=1, thread_name_prefix="demo-files")
        self._in_flight: list[Future[Any]] = []
        # Rendering events and logs (the bulk of the bytes) runs in a second process, one day behind.
        self._render_pool = (
            ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) if parallel else None
        )
        self._rendering: Future[RenderResult] | None = None

    def _write_file(self, fn: Any, *args: Any) -> None:
        self._in_flight.append(self._file_io.submit(fn, *args))

    def flush(self) -> None:
        """Wait for every queued write; re-raise the first failure."""
        in_flight, self._in_flight = self._in_flight, []
        for future in in_flight:
            future.result()

    def _collect_render(self) -> None:
        """Take in the previous day's rendering: its counters and the events that arrive late."""
        if self._rendering is not None:
            result = self._rendering.result()
            self._rendering = None
            self._absorb(result)

    def _absorb(self, result: RenderResult) -> None:
        merge_counts(self.state.truth, result.truth)
        self.state.late_events = result.late_events

    def _render(self, day: int, sessions: list[cs.Session]) -> None:
        self._collect_render()
        slugs, _ = self._slugs()
        job = RenderJob(
            seed=self.seed,
            day=day,
            date=START_DATE + dt.timedelta(days=day),
            day_start=EPOCH0 + day * 86_400,
            scale=self.scale,
            dirty_rate=self.dirty_rate,
            events_dir=self.paths.events,
            logs_dir=self.paths.nginx_logs,
            product_paths=[f"/p/{slug}" for slug in slugs.values()],
            sessions=sessions,
            arrived_late=self.state.late_events,
        )
        if self._render_pool is None:
            self._absorb(render_day(job))
        else:
            self._rendering = self._render_pool.submit(render_day, job)

    def close(self) -> None:
        try:
            self._collect_render()
            self.flush()
        finally:
            if self._render_pool is not None:
                self._render_pool.shutdown(wait=True, cancel_futures=True)
            self._file_io.shutdown(wait=True)

    # ------------------------------------------------------------------ helpers
    def n(self, base: float, day: int, rng: np.random.Generator) -> int:
        """A Poisson count of `base` per day at SCALE=1, with weekday pattern and slow growth."""
        d = START_DATE + dt.timedelta(days=day)
        mean = base * self.scale * WEEKDAY_FACTOR[d.weekday()] * (1 + 0.002 * day)
        return int(rng.poisson(mean))

    def products(self) -> ProductInfo:
        if self._products is None or len(self._products.product_id) != self.state.n_products:
            self._products = product_info(self.seed, np.arange(1, self.state.n_products + 1))
        return self._products

    def truth_day(self, day: dt.date) -> dict[str, Any]:
        return self.state.truth.setdefault("days", {}).setdefault(day.isoformat(), {})

    def oltp_truth(self) -> dict[str, Any]:
        return self.state.truth.setdefault("oltp", {})

    def count_insert(self, table: str, n: int) -> None:
        _add(_sub(self.oltp_truth(), "inserted"), table, n)

    # ------------------------------------------------------------------ day 0
    def bootstrap(self, batch: OltpBatch) -> None:
        """The shop as it is on day 0: catalog, and two years of customers who signed up before."""
        created = db_ts(EPOCH0 - 800 * 86_400)
        batch.insert(
            "categories",
            (
                {
                    "category_id": c[0],
                    "parent_category_id": c[1],
                    "name": c[2],
                    "slug": c[3],
                    "created_at": created,
                    "updated_at": created,
                }
                for c in CATEGORIES
            ),
        )
        self.count_insert("categories", len(CATEGORIES))
        n_products = initial_product_count(self.scale)
        self.state.n_products = n_products
        self.state.counters["product"] = n_products
        info = self.products()
        product_created = EPOCH0 - 700 * 86_400 + (mix(self.seed, 71, info.product_id) % np.uint64(690 * 86_400))
        prices = usd_price_cents(self.seed, info, 0)
        batch.insert("products", self._product_rows(info, prices, product_created.astype(np.int64)))
        self.count_insert("products", n_products)
        rng = day_rng(self.seed, 0, "inventory")
        self.state.inventory = rng.integers(40, 400, size=n_products).tolist()

        n_customers = max(50, round(INITIAL_CUSTOMERS * self.scale))
        first = self.state.next_id("customer", n_customers)
        ids = np.arange(first, first + n_customers)
        # Sign-ups spread over the two years before day 0, growing over time.
        offsets = np.sort(np.sqrt(day_rng(self.seed, 0, "signup").random(n_customers)) * 730 * 86_400)
        created_at = (EPOCH0 - 730 * 86_400 + offsets).astype(np.int64)
        # Written in chunks straight away: the day-0 customer base must not hold SCALE-sized lists.
        r = day_random(self.seed, 0, "customers-dirty")
        for start in range(0, n_customers, BOOTSTRAP_CHUNK):
            chunk = OltpBatch()
            if start == 0:
                chunk.inserts, batch.inserts = batch.inserts, {}
            self._insert_customers(
                chunk, ids[start : start + BOOTSTRAP_CHUNK], created_at[start : start + BOOTSTRAP_CHUNK], r
            )
            self.store.write(chunk)

    def _product_rows(self, info: ProductInfo, prices: np.ndarray, created: np.ndarray) -> list[dict[str, Any]]:
        rows = []
        for i, pid in enumerate(info.product_id.tolist()):
            ts = db_ts(int(created[i]))
            rows.append(
                {
                    "product_id": pid,
                    "category_id": int(info.category_id[i]),
                    "sku": info.sku[i],
                    "name": info.name[i],
                    "slug": info.slug[i],
                    "brand": info.brand[i],
                    "list_price_usd": money(int(prices[i])),
                    "weight_grams": int(info.weight_grams[i]),
                    "is_active": True,
                    "created_at": ts,
                    "updated_at": ts,
                    "deleted_at": None,
                }
            )
        return rows

    def _insert_customers(
        self, batch: OltpBatch, ids: np.ndarray, created_at: np.ndarray, r: random.Random, day: dt.date | None = None
    ) -> None:
        """Customers with a default address each; a few carry data-entry problems when dirty."""
        profiles = [customer(self.seed, int(cid)) for cid in ids.tolist()]
        first_address = self.state.next_id("address", len(ids))
        oltp = self.oltp_truth()
        customers, addresses = [], []
        for i, cid in enumerate(ids.tolist()):
            ts = db_ts(int(created_at[i]))
            p = profiles[i]
            email: str | None = p.email
            country: str | None = p.country
            if self.dirty_rate and r.random() < self.dirty_rate * 0.5:
                email = None
                _add(_sub(oltp, "dirty"), "customers_null_email")
            elif self.dirty_rate and r.random() < self.dirty_rate * 0.5:
                country = {"GB": "UK", "DE": "Germany", "US": "usa"}.get(country or "", (country or "").lower())
                _add(_sub(oltp, "dirty"), "customers_invalid_country")
            customers.append(
                {
                    "customer_id": cid,
                    "email": email,
                    "first_name": p.first_name,
                    "last_name": p.last_name,
                    "phone": p.phone,
                    "country_code": country,
                    "preferred_currency": p.currency,
                    "marketing_opt_in": mix_int(self.seed, 81, cid) % 3 == 0,
                    "created_at": ts,
                    "updated_at": ts,
                    "deleted_at": None,
                }
            )
            addresses.append(
                {
                    "address_id": first_address + i,
                    "customer_id": cid,
                    "address_type": "shipping",
                    "line1": f"{(cid * 7) % 180 + 1} {p.last_name} Street",
                    "city": p.city,
                    "postal_code": p.postal_code,
                    "country_code": p.country,
                    "is_default": True,
                    "created_at": ts,
                    "updated_at": ts,
                }
            )
        batch.insert("customers", customers)
        batch.insert("addresses", addresses)
        self.count_insert("customers", len(customers))
        self.count_insert("addresses", len(addresses))
        if day is not None:
            _add(self.truth_day(day), "customers_created", len(customers))

    # ------------------------------------------------------------------ catalog and customer changes
    def catalog_changes(self, day: int, batch: OltpBatch) -> None:
        """New products, Monday price changes (promotions) and discontinued products."""
        rng = day_rng(self.seed, day, "catalog")
        t0 = EPOCH0 + day * 86_400
        old = self.products()
        if day > 0 and (day + 2) % 7 == 0:  # Monday: promotions change
            now_promo = is_on_promo(self.seed, old.product_id, day)
            was_promo = is_on_promo(self.seed, old.product_id, day - 1)
            changed = np.nonzero(now_promo != was_promo)[0]
            prices = usd_price_cents(self.seed, old, day)
            discontinued = set(self.state.discontinued)
            ts = db_ts(t0 + 300)
            batch.update(
                "products",
                [
                    {"product_id": int(old.product_id[i]), "list_price_usd": money(int(prices[i])), "updated_at": ts}
                    for i in changed
                    if int(old.product_id[i]) not in discontinued
                ],
            )
        n_new = int(rng.poisson(4 * self.scale)) if day > 0 else 0
        if n_new:
            first = self.state.next_id("product", n_new)
            self.state.n_products = first + n_new - 1
            info = product_info(self.seed, np.arange(first, first + n_new))
            created = t0 + np.sort(rng.integers(6 * 3600, 18 * 3600, size=n_new))
            batch.insert("products", self._product_rows(info, usd_price_cents(self.seed, info, day), created))
            self.count_insert("products", n_new)
            self.state.inventory.extend(rng.integers(100, 300, size=n_new).tolist())
        n_gone = int(rng.poisson(0.8 * self.scale))
        if n_gone and day > 0:
            candidates = rng.choice(self.state.n_products, size=min(n_gone, self.state.n_products), replace=False) + 1
            gone = sorted(set(int(c) for c in candidates) - set(self.state.discontinued))
            ts = db_ts(t0 + 8 * 3600)
            batch.update(
                "products",
                [{"product_id": pid, "is_active": False, "deleted_at": ts, "updated_at": ts} for pid in gone],
            )
            self.state.discontinued.extend(gone)
            _add(_sub(self.oltp_truth(), "soft_deleted"), "products", len(gone))

    def customer_changes(self, day: int, batch: OltpBatch) -> None:
        """Profile edits, account closures (soft deletes), new and removed addresses (hard deletes)."""
        rng = day_rng(self.seed, day, "customer-changes")
        r = day_random(self.seed, day, "customer-changes")
        t0 = EPOCH0 + day * 86_400
        n_customers = self.state.last_id("customer")
        deleted = set(self.state.deleted_customers)

        def pick(k: int) -> list[int]:
            k = min(k, n_customers)
            return sorted(set((rng.choice(n_customers, size=k, replace=False) + 1).tolist()) - deleted)

        edits = pick(int(rng.poisson(n_customers * 0.002)))
        emails, phones, optouts = [], [], []
        for cid in edits:
            ts = db_ts(t0 + r.randrange(86_400))
            kind = r.random()
            if kind < 0.4:
                v = self.state.email_versions.get(str(cid), 0) + 1
                self.state.email_versions[str(cid)] = v
                email = customer(self.seed, cid, v).email
                emails.append({"customer_id": cid, "email": email, "updated_at": ts})
            elif kind < 0.7:
                phones.append({"customer_id": cid, "phone": f"+1 202-555-{r.randrange(100):04d}", "updated_at": ts})
            else:
                optouts.append({"customer_id": cid, "marketing_opt_in": False, "updated_at": ts})
        for rows in (emails, phones, optouts):
            batch.update("customers", rows)
        _add(self.oltp_truth(), "customer_updates", len(edits))

        closures = pick(int(rng.poisson(n_customers * 0.0003)))
        ts_close = [db_ts(t0 + r.randrange(86_400)) for _ in closures]
        batch.update(
            "customers",
            [
                {"customer_id": cid, "deleted_at": ts, "updated_at": ts}
                for cid, ts in zip(closures, ts_close, strict=True)
            ],
        )
        self.state.deleted_customers.extend(closures)
        _add(_sub(self.oltp_truth(), "soft_deleted"), "customers", len(closures))

        movers = pick(int(rng.poisson(n_customers * 0.0005)))
        if movers:
            first = self.state.next_id("address", len(movers))
            rows = []
            for i, cid in enumerate(movers):
                home = customer(self.seed, cid)
                ts = db_ts(t0 + r.randrange(86_400))
                rows.append(
                    {
                        "address_id": first + i,
                        "customer_id": cid,
                        "address_type": "shipping",
                        "line1": f"{r.randrange(1, 200)} {LAST_NAMES[r.randrange(len(LAST_NAMES))]} Road",
                        "city": home.city,
                        "postal_code": home.postal_code,
                        "country_code": home.country,
                        "is_default": False,
                        "created_at": ts,
                        "updated_at": ts,
                    }
                )
                self.state.secondary_addresses.append([first + i, cid])
            batch.insert("addresses", rows)
            self.count_insert("addresses", len(rows))
        removable = self.state.secondary_addresses
        n_remove = min(len(removable), int(rng.poisson(len(removable) * 0.02)))
        if n_remove:
            idx = sorted(rng.choice(len(removable), size=n_remove, replace=False).tolist(), reverse=True)
            removed = [removable.pop(i)[0] for i in idx]
            batch.delete("addresses", sorted(removed))
            _add(_sub(self.oltp_truth(), "deleted"), "addresses", len(removed))

    # ------------------------------------------------------------------ orders
    def new_order(
        self,
        day: int,
        r: random.Random,
        customer_id: int,
        currency: str,
        country: str,
        channel: str,
        placed_at: int,
        cart: list[tuple[int, int, int]],
        new_customer: bool,
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """Insert an order with its items and schedule its life: payment, shipping, returns, review."""
        order_id = self.state.next_id("order")
        subtotal = sum(q * p for _, q, p in cart)
        coupon = None
        discount = 0
        if new_customer and r.random() < 0.35:
            coupon, discount = "WELCOME10", subtotal * 10 // 100
        elif r.random() < 0.06:
            coupon, discount = "SAVE15", subtotal * 15 // 100
        shipping = 0 if subtotal - discount >= FREE_SHIPPING_CENTS[currency] else SHIPPING_CENTS[currency]
        total = subtotal - discount + shipping
        profile = customer(self.seed, customer_id)
        order = {
            "order_id": order_id,
            "order_number": f"SO{100_000 + order_id}",
            "customer_id": customer_id,
            "channel": channel,
            "status": "placed",
            "currency": currency,
            "subtotal_cents": subtotal,
            "discount_cents": discount,
            "shipping_cents": shipping,
            "total_cents": total,
            "coupon_code": coupon,
            "placed_at": placed_at,
            "country": country,
            "ship_city": profile.city,
            "ship_postal_code": profile.postal_code,
        }
        first_item = self.state.next_id("order_item", len(cart))
        items = [
            {
                "order_item_id": first_item + i,
                "order_id": order_id,
                "product_id": pid,
                "quantity": q,
                "unit_price_cents": p,
            }
            for i, (pid, q, p) in enumerate(cart)
        ]
        self._schedule_lifecycle(r, order, items)
        self._new_orders.append(order)
        self._new_items.extend(items)
        day_truth = self.truth_day(START_DATE + dt.timedelta(days=day))
        orders = _sub(day_truth, "orders")
        _add(orders, "placed")
        _add(_sub(orders, "by_channel"), channel)
        cur = _sub(_sub(orders, "by_currency"), currency)
        _add(cur, "orders")
        _add(cur, "gross_cents", total)
        _add(orders, "gross_usd_cents", to_usd_cents(total, fx_rate_micros(self.seed, day, currency)))
        _add(orders, "items", len(items))
        _add(orders, "units", sum(q for _, q, _ in cart))
        for pid, q, _ in cart:
            self._sold[pid] = self._sold.get(pid, 0) + q
        return order, items

    def _schedule_lifecycle(self, r: random.Random, order: dict[str, Any], items: list[dict[str, Any]]) -> None:
        """Decide the whole future of an order now; transitions are applied on the day they happen."""
        oid, t0, total, cur = order["order_id"], order["placed_at"], order["total_cents"], order["currency"]
        pending = self._scheduled

        def at(kind: str, ts: int, **payload: Any) -> None:
            pending.append({"at": int(ts), "order_id": oid, "kind": kind, **payload})

        channel = order["channel"]
        method = "marketplace" if channel == "marketplace" else _weighted(r, PAYMENT_METHODS)
        paid_at = t0 + (0 if channel == "marketplace" else r.randint(3, 40))
        if channel != "marketplace" and r.random() < 0.04:
            at("payment", t0 + r.randint(2, 20), status="failed", method=method, amount=total, currency=cur)
            if r.random() < 0.2:
                at("status", t0 + 1_800, status="cancelled")
                return
            paid_at = t0 + r.randint(60, 600)
        at("payment", paid_at, status="captured", method=method, amount=total, currency=cur)
        at("status", paid_at, status="paid")
        if r.random() < 0.03:
            cancel_at = paid_at + r.randint(1_800, 30_000)
            at("status", cancel_at, status="cancelled")
            at("refund", cancel_at + r.randint(300, 7_200), amount=total, currency=cur, reason="order_cancelled")
            self.state.refund_payment_links[str(oid)] = 0
            return
        shipped = paid_at + r.randint(20_000, 220_000)
        delivered = shipped + r.randint(86_400, 5 * 86_400)
        at("status", shipped, status="shipped")
        at("status", delivered, status="delivered")
        if r.random() < 0.06:
            returned = delivered + r.randint(2 * 86_400, 14 * 86_400)
            at("status", returned, status="returned")
            goods = order["subtotal_cents"] - order["discount_cents"]
            amount, reason = goods, "returned"
            if len(items) > 1 and r.random() < 0.3:
                line = items[0]["quantity"] * items[0]["unit_price_cents"]
                amount = line * goods // order["subtotal_cents"]
                reason = "partial_return"
            at("refund", returned + r.randint(43_200, 3 * 86_400), amount=amount, currency=cur, reason=reason)
            self.state.refund_payment_links[str(oid)] = 0
        elif r.random() < 0.18:
            item = items[0]
            at(
                "review",
                delivered + r.randint(86_400, 10 * 86_400),
                product_id=item["product_id"],
                customer_id=order["customer_id"],
                unit_price_cents=item["unit_price_cents"],
                currency=cur,
                rating=_weighted(r, RATINGS),
                channel=channel,
            )

    def apply_transitions(self, day: int, batch: OltpBatch) -> list[dict[str, Any]]:
        """Apply every scheduled change due today; return the reviews written today."""
        t_end = EPOCH0 + (day + 1) * 86_400
        r = day_random(self.seed, day, "late-commit")
        due, keep = [], []
        for tr in self.state.pending + self._scheduled:
            (due if tr.get("deferred") or tr["at"] < t_end else keep).append(tr)
        self._scheduled = []
        due.sort(key=lambda tr: (tr["at"], tr["order_id"], tr["kind"], tr.get("status", "")))
        new_orders = {o["order_id"]: o for o in self._new_orders}
        status_updates: dict[int, dict[str, Any]] = {}
        reviews: list[dict[str, Any]] = []
        date = START_DATE + dt.timedelta(days=day)
        truth = self.truth_day(date)
        for tr in due:
            kind, oid = tr["kind"], tr["order_id"]
            if kind == "status":
                if not tr.get("deferred") and tr["at"] >= t_end - 3_600 and r.random() < LATE_COMMIT_P:
                    keep.append({**tr, "deferred": True})  # committed after midnight, stamped before
                    continue
                if tr.get("deferred"):
                    _add(self.oltp_truth(), "late_committed_updates")
                _add(_sub(truth, "order_status_changes"), tr["status"])
                self._history.append({"order_id": oid, "status": tr["status"], "changed_at": db_ts(tr["at"])})
                if oid in new_orders:
                    new_orders[oid]["status"] = tr["status"]
                    new_orders[oid]["updated_at"] = tr["at"]
                else:
                    status_updates[oid] = {"order_id": oid, "status": tr["status"], "updated_at": db_ts(tr["at"])}
            elif kind == "payment":
                pid = self.state.next_id("payment")
                ts = db_ts(tr["at"])
                self._payments.append(
                    {
                        "payment_id": pid,
                        "order_id": oid,
                        "payment_method": tr["method"],
                        "status": tr["status"],
                        "amount": money(tr["amount"]),
                        "currency": tr["currency"],
                        "provider_reference": f"pi_{mix_int(self.seed, 91, pid):016x}",
                        "created_at": ts,
                        "updated_at": ts,
                    }
                )
                if tr["status"] == "captured" and str(oid) in self.state.refund_payment_links:
                    self.state.refund_payment_links[str(oid)] = pid
                pay = _sub(truth, "payments")
                _add(pay, tr["status"])
                if tr["status"] == "captured":
                    _add(_sub(pay, "captured_cents"), tr["currency"], tr["amount"])
            elif kind == "refund":
                rid = self.state.next_id("refund")
                ts = db_ts(tr["at"])
                payment_id = self.state.refund_payment_links.pop(str(oid))
                self._refunds.append(
                    {
                        "refund_id": rid,
                        "order_id": oid,
                        "payment_id": payment_id,
                        "amount": money(tr["amount"]),
                        "currency": tr["currency"],
                        "reason": tr["reason"],
                        "status": "succeeded",
                        "created_at": ts,
                        "updated_at": ts,
                    }
                )
                ref = _sub(truth, "refunds")
                _add(ref, "count")
                _add(_sub(ref, "refunded_cents"), tr["currency"], tr["amount"])
            elif kind == "review":
                reviews.append(tr)
        self.state.pending = keep  # order is irrelevant: due transitions are sorted when applied
        batch.update("orders", [status_updates[k] for k in sorted(status_updates)])
        return reviews

    # ------------------------------------------------------------------ sessions
    def plan_sessions(self, day: int) -> list[cs.Session]:
        rng = day_rng(self.seed, day, "sessions")
        r = day_random(self.seed, day, "sessions")
        n = self.n(SESSIONS_PER_DAY, day, rng)
        t0_ms = (EPOCH0 + day * 86_400) * 1000
        n_customers = self.state.last_id("customer")
        deleted = set(self.state.deleted_customers)
        platforms = rng.choice(3, size=n, p=[0.62, 0.22, 0.16])
        returning = rng.random(n) < 0.4
        pool = rng.choice(n_customers, size=min(int(returning.sum()), n_customers), replace=False) + 1
        hours = rng.choice(24, size=n, p=_HOUR_WEIGHTS)
        starts = np.clip(hours * 3600 + rng.integers(0, 3600, size=n), 1_800, 79_200) * 1000 + rng.integers(0, 1000, n)
        order = np.argsort(starts, kind="stable")
        active = [c for c in CAMPAIGNS if c.active_on(day)]
        web_campaigns = [c for c in active if not c.app]
        app_campaigns = [c for c in active if c.app]
        new_anon = cs.uuids(rng, n)
        week = (START_DATE + dt.timedelta(days=day)).isocalendar().week
        sessions = []
        pool_iter = iter(pool.tolist())
        for rank, i in enumerate(order.tolist()):
            platform = ("web", "ios", "android")[int(platforms[i])]
            known = next(pool_iter, None) if returning[i] else None
            if known in deleted:
                known = None
            source = self._source(r, platform, known is not None, web_campaigns, app_campaigns, week)
            if known is not None:
                h = mix_int(self.seed, 101 + int(platforms[i]), known)
                anon = cs.uuid_from_ints(h, mix_int(self.seed, 111, h))
                locale = customer(self.seed, known).locale
                ip_seed, ua = h, mix_int(self.seed, 121, known) % 97
            else:
                anon = new_anon[i]
                locale = r.choice(("en-US", "en-US", "en-GB", "de-DE", "fr-FR"))
                ip_seed, ua = mix_int(self.seed, 131, rank + day * 1_000_003), r.randrange(97)
            kind = _traffic_kind(source)
            bounce_p = BOUNCE_P[kind] * (RETURNING_BOUNCE_FACTOR if known is not None else 1.0)
            bounces = r.random() < bounce_p
            p_convert = (
                ENGAGED_CONVERSION_P[known is not None]
                * CONVERSION_FACTOR.get(kind, 1.0)
                * (APP_CONVERSION_FACTOR if platform != "web" else 1.0)
            )
            converts = not bounces and r.random() < p_convert
            sessions.append(
                cs.Session(
                    index=rank,
                    platform=platform,
                    anonymous_id=anon,
                    customer_id=known,
                    source=source,
                    start_ms=int(t0_ms + starts[i]),
                    converts=converts,
                    bounces=bounces,
                    logged_in=known is not None and r.random() < 0.75,
                    ip=cs.ip_from_int(ip_seed),
                    ua_index=ua,
                    locale=locale,
                    late=r.random() < LATE_SESSION_P[platform],
                )
            )
        return sessions

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

    # ------------------------------------------------------------------ the day
    def run_day(self, day: int) -> None:
        """Simulate one day and write it to every source system."""
        date = START_DATE + dt.timedelta(days=day)
        self.flush()  # at most one day of writes in flight: bounded memory, errors surface early
        batch = OltpBatch()
        self._new_orders: list[dict[str, Any]] = []
        self._new_items: list[dict[str, Any]] = []
        self._scheduled: list[dict[str, Any]] = []
        self._history: list[dict[str, Any]] = []
        self._payments: list[dict[str, Any]] = []
        self._refunds: list[dict[str, Any]] = []
        self._new_customers: list[tuple[int, int]] = []
        self._sold: dict[int, int] = {}
        if day == 0:
            self.bootstrap(batch)
        else:
            self.catalog_changes(day, batch)
        self.customer_changes(day, batch)
        sessions = self.plan_sessions(day)
        self.shop(day, sessions)
        self.offline_orders(day)
        if self._new_customers:
            ids = np.array([c for c, _ in self._new_customers])
            created = np.array([t for _, t in self._new_customers])
            self._insert_customers(batch, ids, created, day_random(self.seed, day, "customers-dirty"), date)
        self.duplicate_accounts(day, batch)
        reviews = self.apply_transitions(day, batch)
        self._insert_orders(batch)
        self.store.write(batch)
        self._render(day, sessions)
        self.write_reviews(day, reviews)
        self.write_lake(day)
        self.write_ad_metrics(day, sessions)
        self.state.days_generated = day + 1

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
        self, r: random.Random, picks: list[int], prices: dict[str, np.ndarray], currency: str, n_items: int
    ) -> list[tuple[int, int, int]]:
        chosen: list[int] = []
        while len(chosen) < n_items:
            pid = picks.pop()
            if pid not in chosen:
                chosen.append(pid)
        return [(pid, _weighted(r, QUANTITIES), int(prices[currency][pid - 1])) for pid in chosen]

    def shop(self, day: int, sessions: list[cs.Session]) -> None:
        """Browsing, carts and orders for the day's sessions; new visitors who buy become customers."""
        rng = day_rng(self.seed, day, "shopping")
        r = day_random(self.seed, day, "shopping")
        ids, weights, prices = self._catalog_today(day)
        picks = rng.choice(ids, size=len(sessions) * 14 + 20, p=weights).tolist()
        slugs, skus = self._slugs()
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
                profile = customer(self.seed, customer_id)
                currency, country = profile.currency, profile.country
            else:
                currency = {"en-US": "USD", "en-GB": "GBP"}.get(s.locale, "EUR")
                country = ""
            n_browse = 1 if s.bounces else min(int(rng.geometric(0.55)), 8)
            browse = [picks.pop() for _ in range(n_browse)]
            cart: list[tuple[int, int, int]] = []
            checkout = False
            if s.converts:
                n_items = _weighted(r, ITEMS_PER_WEB_ORDER)
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
            channel = "web" if s.platform == "web" else "app"
            order, items = self.new_order(
                day, r, customer_id, currency, country, channel, placed_at, cart, new_customer
            )
            s.order_id = order["order_id"]
            cs.add_purchase(s, purchase_ms, order, items, skus)

    def offline_orders(self, day: int) -> None:
        """Marketplace and phone orders: no web session behind them."""
        rng = day_rng(self.seed, day, "offline")
        r = day_random(self.seed, day, "offline")
        n = self.n(OFFLINE_ORDERS_PER_DAY, day, rng)
        if not n:
            return
        ids, weights, prices = self._catalog_today(day)
        picks = rng.choice(ids, size=n * 5 + 10, p=weights).tolist()
        times = np.sort(rng.integers(0, 86_400, size=n)) + EPOCH0 + day * 86_400
        deleted = set(self.state.deleted_customers)
        for placed_at in times.tolist():
            channel = "marketplace" if r.random() < 0.75 else "phone"
            customer_id = r.randint(1, self.state.last_id("customer")) if r.random() < 0.5 else None
            new_customer = customer_id is None or customer_id in deleted
            if new_customer:
                customer_id = self.state.next_id("customer")
                self._new_customers.append((customer_id, placed_at - 120))
            profile = customer(self.seed, customer_id)
            n_items = _weighted(r, ITEMS_PER_OFFLINE_ORDER)
            cart = self._cart(r, picks, prices, profile.currency, n_items)
            self.new_order(
                day, r, customer_id, profile.currency, profile.country, channel, placed_at, cart, new_customer
            )

    def duplicate_accounts(self, day: int, batch: OltpBatch) -> None:
        """Dirty data: a customer registers a second account with the same e-mail address."""
        if not self.dirty_rate:
            return
        rng = day_rng(self.seed, day, "duplicate-accounts")
        k = int(rng.poisson(self.dirty_rate * 0.2 * max(1.0, self.scale * 10)))
        if not k:
            return
        originals = rng.integers(1, self.state.last_id("customer") + 1, size=k).tolist()
        first = self.state.next_id("customer", k)
        rows = []
        for i, orig in enumerate(originals):
            p = customer(self.seed, orig)
            ts = db_ts(EPOCH0 + day * 86_400 + int(rng.integers(0, 86_400)))
            rows.append(
                {
                    "customer_id": first + i,
                    "email": p.email,
                    "first_name": p.first_name,
                    "last_name": p.last_name,
                    "phone": p.phone,
                    "country_code": p.country,
                    "preferred_currency": p.currency,
                    "marketing_opt_in": False,
                    "created_at": ts,
                    "updated_at": ts,
                    "deleted_at": None,
                }
            )
        batch.insert("customers", rows)
        self.count_insert("customers", k)
        _add(_sub(self.oltp_truth(), "dirty"), "customers_duplicate_account", k)
        _add(self.truth_day(START_DATE + dt.timedelta(days=day)), "customers_created", k)

    def _insert_orders(self, batch: OltpBatch) -> None:
        orders = []
        for o in self._new_orders:
            placed = db_ts(o["placed_at"])
            orders.append(
                {
                    "order_id": o["order_id"],
                    "order_number": o["order_number"],
                    "customer_id": o["customer_id"],
                    "channel": o["channel"],
                    "status": o["status"],
                    "currency": o["currency"],
                    "subtotal_amount": money(o["subtotal_cents"]),
                    "discount_amount": money(o["discount_cents"]),
                    "shipping_amount": money(o["shipping_cents"]),
                    "total_amount": money(o["total_cents"]),
                    "coupon_code": o["coupon_code"],
                    "ship_city": o["ship_city"],
                    "ship_postal_code": o["ship_postal_code"],
                    "ship_country_code": o["country"],
                    "placed_at": placed,
                    "created_at": placed,
                    "updated_at": db_ts(o.get("updated_at", o["placed_at"])),
                }
            )
        placed_by_order = {o["order_id"]: db_ts(o["placed_at"]) for o in self._new_orders}
        history = [
            {"order_id": o["order_id"], "status": "placed", "changed_at": db_ts(o["placed_at"])}
            for o in self._new_orders
        ] + self._history
        history.sort(key=lambda h: (h["changed_at"], h["order_id"]))
        first = self.state.next_id("order_status_history", len(history)) if history else 0
        for i, h in enumerate(history):
            h["order_status_history_id"] = first + i
        batch.insert("orders", orders)
        batch.insert(
            "order_items",
            (
                {
                    "order_item_id": i["order_item_id"],
                    "order_id": i["order_id"],
                    "product_id": i["product_id"],
                    "quantity": i["quantity"],
                    "unit_price": money(i["unit_price_cents"]),
                    "line_total": money(i["quantity"] * i["unit_price_cents"]),
                    "created_at": placed_by_order[i["order_id"]],
                    "updated_at": placed_by_order[i["order_id"]],
                }
                for i in self._new_items
            ),
        )
        batch.insert("order_status_history", history)
        batch.insert("payments", self._payments)
        batch.insert("refunds", self._refunds)
        for table, rows in (
            ("orders", orders),
            ("order_items", self._new_items),
            ("order_status_history", history),
            ("payments", self._payments),
            ("refunds", self._refunds),
        ):
            self.count_insert(table, len(rows))

    # ------------------------------------------------------------------ document store export
    def write_reviews(self, day: int, reviews: list[dict[str, Any]]) -> None:
        """mongoexport of the `reviews` collection: documents created that day, relaxed Extended JSON."""
        date = START_DATE + dt.timedelta(days=day)
        r = day_random(self.seed, day, "reviews")
        truth = _sub(self.truth_day(date), "reviews")
        lines: list[str] = []
        v2 = day >= DOC_SCHEMA_V2_DAY
        for tr in reviews:
            seq = self.state.next_id("review")
            created = tr["at"]
            oid = f"{created:08x}{mix_int(self.seed, 141, seq) & 0xFFFFFFFFFF:010x}{seq & 0xFFFFFF:06x}"
            rating: Any = tr["rating"]
            text = r.choice(_REVIEW_TEXT[rating])
            doc: dict[str, Any] = {
                "_id": {"$oid": oid},
                "productId": tr["product_id"],
                "customerId": tr["customer_id"],
                "orderId": tr["order_id"],
                "rating": rating,
            }
            if r.random() < 0.7:
                doc["title"] = _REVIEW_TITLE[rating]
            doc["text" if v2 else "body"] = text
            if r.random() < 0.15:
                doc["images"] = [
                    {"url": f"https://cdn.shop.example.com/reviews/{oid}/{k}.jpg", "width": 1024, "height": 768}
                    for k in range(1, r.randint(1, 3) + 1)
                ]
            doc["helpfulVotes"] = r.choice((0, 0, 0, 1, 2, 5))
            doc["pricePaid"] = {"$numberDecimal": cents_str(tr["unit_price_cents"])}
            doc["currency"] = tr["currency"]
            doc["source"] = r.choice(("web", "app", "email_request"))
            if v2:
                doc["verifiedPurchase"] = tr["channel"] != "phone"
                if r.random() < 0.4:
                    doc["tags"] = r.sample(["quality", "fit", "value", "shipping", "design"], r.randint(1, 2))
            iso = dt.datetime.fromtimestamp(created, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
            doc["createdAt"] = {"$date": iso}
            doc["updatedAt"] = {"$date": iso}
            _add(truth, "documents")
            _add(truth, "schema_v2" if v2 else "schema_v1")
            bad = _sub(truth, "bad")
            if self.dirty_rate and r.random() < self.dirty_rate:
                if r.random() < 0.5:
                    doc["rating"] = r.choice((0, 6, 10))
                    _add(bad, "rating_out_of_range")
                else:
                    doc["productId"] = None
                    _add(bad, "missing_product_id")
            line = orjson.dumps(doc).decode()
            lines.append(line)
            if self.dirty_rate and r.random() < self.dirty_rate:
                lines.append(line)  # exported twice
                _add(bad, "duplicate_export")
            if self.dirty_rate and r.random() < self.dirty_rate * 0.5:
                lines.append(line[: r.randint(10, len(line) - 5)])
                _add(bad, "malformed_json")
        _add(truth, "lines", len(lines))
        self._write_file(write_text_lines, self.paths.reviews / f"reviews_{date.isoformat()}.json", lines)

    # ------------------------------------------------------------------ data lake tables
    def write_lake(self, day: int) -> None:
        """Daily inventory snapshot (parquet, hive-partitioned) and FX rates (CSV, hive-partitioned)."""
        date = START_DATE + dt.timedelta(days=day)
        inv = self.state.inventory
        for pid, q in self._sold.items():
            inv[pid - 1] = max(0, inv[pid - 1] - q)
        r = day_random(self.seed, day, "inventory")
        for pid, q in sorted(self._sold.items()):
            if inv[pid - 1] < 30 + 2 * q:
                inv[pid - 1] += 100 + 7 * q
        info = self.products()
        discontinued = set(self.state.discontinued)
        ids = [pid for pid in info.product_id.tolist() if pid not in discontinued]
        usd = usd_price_cents(self.seed, info, day)
        table = pa.table(
            {
                "snapshot_date": pa.array([date] * len(ids), pa.date32()),
                "product_id": pa.array(ids, pa.int32()),
                "sku": pa.array([info.sku[p - 1] for p in ids], pa.string()),
                "warehouse_code": pa.array(["DC1" if p % 3 else "DC2" for p in ids], pa.string()),
                "on_hand": pa.array([inv[p - 1] for p in ids], pa.int32()),
                "reserved": pa.array([min(inv[p - 1], r.randint(0, 5)) for p in ids], pa.int32()),
                "list_price_usd": pa.array([decimal_from_cents(int(usd[p - 1])) for p in ids], pa.decimal128(12, 2)),
            }
        )
        self._write_file(write_parquet, partition_dir(self.paths.inventory, date) / "part-00000.parquet", table)
        self._write_file(
            write_csv,
            partition_dir(self.paths.fx_rates, date) / "fx_rates.csv",
            ("rate_date", "currency", "usd_per_unit"),
            [(date.isoformat(), cur, f"{fx_rate_micros(self.seed, day, cur) / 1_000_000:.6f}") for cur in CURRENCIES],
        )
        lake = self.state.truth.setdefault("lake", {})
        _add(_sub(lake, "inventory_snapshots"), "files")
        _add(_sub(lake, "inventory_snapshots"), "rows", len(ids))
        _add(_sub(lake, "fx_rates"), "files")
        _add(_sub(lake, "fx_rates"), "rows", len(CURRENCIES))

    # ------------------------------------------------------------------ ad platform
    def write_ad_metrics(self, day: int, sessions: list[cs.Session]) -> None:
        """Final daily metrics per active campaign, consistent with the paid sessions in the clickstream."""
        date = START_DATE + dt.timedelta(days=day)
        rng = day_rng(self.seed, day, "ads")
        clicks_from_sessions: dict[int, int] = defaultdict(int)
        orders_from_sessions: dict[int, int] = defaultdict(int)
        for s in sessions:
            if s.source.campaign_id is not None:
                clicks_from_sessions[s.source.campaign_id] += 1
                orders_from_sessions[s.source.campaign_id] += int(s.order_id is not None)
        rows = []
        bid_value = bid_value_factor(self.seed, self.scale)
        truth = _sub(self.truth_day(date), "ad_metrics")
        for c in CAMPAIGNS:
            if not c.active_on(day):
                continue
            sessions_n = clicks_from_sessions[c.campaign_id]
            clicks = sessions_n + int(rng.binomial(sessions_n, 0.12)) + int(rng.poisson(0.3))
            impressions = max(
                clicks,
                int(clicks / c.ctr * rng.uniform(0.85, 1.15))
                + int(rng.poisson(max(5.0, 2_000 * self.scale * c.weight))),
            )
            cost_cents = int(round(clicks * c.cpc_cents * bid_value * rng.uniform(0.8, 1.2)))
            orders = orders_from_sessions[c.campaign_id]
            conversions = orders + int(rng.binomial(orders + 1, 0.1))
            rows.append(
                (date.isoformat(), c.campaign_id, impressions, clicks, conversions, cost_cents * 10_000, c.currency)
            )
            _add(truth, "rows")
            _add(truth, "clicks", clicks)
            _add(_sub(truth, "cost_cents"), c.currency, cost_cents)
        self._write_file(
            write_csv,
            self.paths.adplatform / "daily_metrics.csv",
            ("date", "campaign_id", "impressions", "clicks", "conversions", "cost_micros", "currency"),
            rows,
            True,
        )


_HOUR_WEIGHTS = np.array(
    [1, 0.6, 0.4, 0.3, 0.3, 0.5, 1, 2, 3, 4, 4.5, 5, 5.5, 5, 4.5, 4.5, 5, 5.5, 6.5, 7.5, 8, 7, 4.5, 2.5]
)
_HOUR_WEIGHTS = _HOUR_WEIGHTS / _HOUR_WEIGHTS.sum()

_REVIEW_TITLE = {
    5: "Love it",
    4: "Very good",
    3: "It's okay",
    2: "Disappointing",
    1: "Do not buy",
    0: "",
    6: "",
    10: "",
}
_REVIEW_TEXT = {
    5: (
        "Exactly as described, great quality.",
        "Arrived quickly and works perfectly. Would buy again!",
        "Best purchase this year.",
    ),
    4: ("Good value for the price.", "Nice, but the colour is slightly different from the photos."),
    3: ("Does the job, nothing special.", "Average quality; shipping took a while."),
    2: ("Broke after two weeks.", "Smaller than expected."),
    1: ("Stopped working after a day. Returned.", "Poor quality, not as advertised."),
}
