"""The file and API sources of a day: document store export (reviews), data lake tables, ad platform metrics.

A part of `Simulator` (simulate.py), which holds the shared state these methods use.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
import pyarrow as pa

from . import clickstream as cs
from .files import partition_dir, write_csv, write_parquet, write_text_lines
from .randomness import day_random, day_rng
from .render import add as _add
from .render import sub as _sub
from .shop_rules import (
    DOC_SCHEMA_V2_DAY,
    decimal_from_cents,
)
from .world import (
    CAMPAIGNS,
    CURRENCIES,
    START_DATE,
    bid_value_factor,
    cents_str,
    fx_rate_micros,
    mix_int,
    usd_price_cents,
)

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


class FileSourcesSimulation:
    """The file and API sources of a day (a part of `Simulator`)."""

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
    def count_paid_sessions(self, sessions: list[cs.Session]) -> None:
        """Count the paid sessions (and their orders) per campaign, a chunk of the day's sessions at a time."""
        clicks, orders = self._paid_clicks, self._paid_orders
        for s in sessions:
            campaign_id = s.source.campaign_id
            if campaign_id is not None:
                clicks[campaign_id] = clicks.get(campaign_id, 0) + 1
                orders[campaign_id] = orders.get(campaign_id, 0) + int(s.order_id is not None)

    def write_ad_metrics(self, day: int) -> None:
        """Final daily metrics per active campaign, consistent with the paid sessions in the clickstream
        (count_paid_sessions)."""
        date = START_DATE + dt.timedelta(days=day)
        rng = day_rng(self.seed, day, "ads")
        clicks_from_sessions, orders_from_sessions = self._paid_clicks, self._paid_orders
        rows = []
        bid_value = bid_value_factor(self.seed, self.scale)
        truth = _sub(self.truth_day(date), "ad_metrics")
        for c in CAMPAIGNS:
            if not c.active_on(day):
                continue
            sessions_n = clicks_from_sessions.get(c.campaign_id, 0)
            clicks = sessions_n + int(rng.binomial(sessions_n, 0.12)) + int(rng.poisson(0.3))
            impressions = max(
                clicks,
                int(clicks / c.ctr * rng.uniform(0.85, 1.15))
                + int(rng.poisson(max(5.0, 2_000 * self.scale * c.weight))),
            )
            cost_cents = int(round(clicks * c.cpc_cents * bid_value * rng.uniform(0.8, 1.2)))
            orders = orders_from_sessions.get(c.campaign_id, 0)
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
