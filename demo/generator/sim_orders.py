"""The shop database's orders: new orders, their lifecycle (status history, payments, refunds), offline orders.

A part of `Simulator` (simulate.py), which holds the shared state these methods use.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import numpy as np

from .oltp import OltpBatch
from .randomness import day_random, day_rng, weighted
from .render import add as _add
from .render import sub as _sub
from .shop_rules import (
    EPOCH0,
    FREE_SHIPPING_CENTS,
    ITEMS_PER_OFFLINE_ORDER,
    LATE_COMMIT_P,
    OFFLINE_ORDERS_PER_DAY,
    PAYMENT_METHODS,
    RATINGS,
    SHIPPING_CENTS,
    db_ts,
    money,
)
from .world import (
    START_DATE,
    customer,
    fx_rate_micros,
    mix_int,
    to_usd_cents,
)


class OrderSimulation:
    """The shop database's orders (a part of `Simulator`)."""

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
        method = "marketplace" if channel == "marketplace" else weighted(r, PAYMENT_METHODS)
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
                rating=weighted(r, RATINGS),
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
        # known buyers are drawn by their traits and engagement (behaviour.py); deleted and churned never buy
        known_buyers = iter(self.known_offline_buyers(day, n))
        for placed_at in times.tolist():
            channel = "marketplace" if r.random() < 0.75 else "phone"
            customer_id = next(known_buyers, None) if r.random() < 0.5 else None
            new_customer = customer_id is None
            if new_customer:
                customer_id = self.state.next_id("customer")
                self._new_customers.append((customer_id, placed_at - 120))
            else:
                self.renew(customer_id, day)
            profile = customer(self.seed, customer_id)
            n_items = weighted(r, ITEMS_PER_OFFLINE_ORDER)
            cart = self._cart(r, picks, prices, profile.currency, n_items)
            self.new_order(
                day, r, customer_id, profile.currency, profile.country, channel, placed_at, cart, new_customer
            )

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
