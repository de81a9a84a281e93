"""The shop database's catalogue and customers: day 0, daily product and customer changes, duplicate accounts.

A part of `Simulator` (simulate.py), which holds the shared state these methods use.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import numpy as np

from .oltp import OltpBatch
from .randomness import day_random, day_rng
from .render import add as _add
from .render import sub as _sub
from .shop_rules import (
    BOOTSTRAP_CHUNK,
    EPOCH0,
    INITIAL_CUSTOMERS,
    db_ts,
    money,
)
from .world import (
    CATEGORIES,
    LAST_NAMES,
    START_DATE,
    ProductInfo,
    customer,
    initial_product_count,
    is_on_promo,
    mix,
    mix_int,
    product_info,
    usd_price_cents,
)


class CatalogSimulation:
    """The shop database's catalogue and customers (a part of `Simulator`)."""

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
