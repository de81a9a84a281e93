"""Drift you can inject, with ground truth: `python -m demo advance --drift <kind>` (make advance DRIFT=...).

A drift is a lasting change of one source that starts on the first day of the `advance` that asks for
it and stays from then on (later advances keep applying it). Each is recorded in DATA_DIR/.demo_state/
drift.json and in the manifest's `drift` list: kind, start day, size, what changes, and which
warehouse tables and columns it affects (`detect_on`: where monitoring must flag it; `affected`:
everything it changes downstream too, so alarms there are expected rather than false).

Kinds (default size in brackets):
- channel_mix [0.8]: that share of the web sessions that would arrive organic or direct arrive from
  social instead (a viral post / a broken referrer policy).
- price [0.5]: list prices of one top-level category (the one with the largest sum of list prices)
  rise by that share.
- volume_drop [0.85]: the web server's log shipper loses that share of the access-log lines.
- null_spike [0.8]: that share of the access-log lines carry no response size ("-", nginx's null).
- schema_change [1.0]: the inventory export renames `on_hand` to `on_hand_units` (that share of
  the days' files; 1 = all).

Everything else the generator does stays as it was: the drift draws from its own random streams, so
the data of an unaffected source is byte-identical to a run without drift.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import json
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq

from . import clickstream as cs
from .files import partition_dir, write_gzip_lines, write_json, write_parquet
from .oltp import OltpBatch
from .randomness import day_random
from .shop_rules import EPOCH0, db_ts, money
from .simulate import Simulator
from .world import CATEGORIES, START_DATE, ProductInfo, usd_price_cents

DEFAULT_SIZE = {"channel_mix": 0.8, "price": 0.5, "volume_drop": 0.85, "null_spike": 0.8, "schema_change": 1.0}
KINDS = tuple(DEFAULT_SIZE)
DRIFT_FILE = "drift.json"
RENAMED_FIELD = ("on_hand", "on_hand_units")


def _top_category_of(info: ProductInfo) -> dict[int, int]:
    parents = {c[0]: c[1] for c in CATEGORIES}
    return {cid: parents.get(cid) or cid for cid in set(info.category_id.tolist())}


def price_category(info: ProductInfo) -> tuple[int, str]:
    """The top-level category with the largest sum of list prices (ties: the lowest id): the one whose
    repricing matters most to the business."""
    top = _top_category_of(info)
    mass: dict[int, int] = {}
    for cid, price in zip(info.category_id.tolist(), info.base_price_cents.tolist(), strict=True):
        mass[top[cid]] = mass.get(top[cid], 0) + int(price)
    best = min(mass, key=lambda c: (-mass[c], c))
    return best, next(c[3] for c in CATEGORIES if c[0] == best)


def describe(kind: str, start_day: int, size: float | None, info: ProductInfo | None = None) -> dict[str, Any]:
    """The manifest entry of a drift: its ground truth."""
    if kind not in DEFAULT_SIZE:
        raise ValueError(f"unknown drift kind {kind!r}: one of {', '.join(KINDS)}")
    size = DEFAULT_SIZE[kind] if size is None else float(size)
    if not 0 < size <= (10 if kind == "price" else 1):
        raise ValueError(f"drift size {size} out of range for {kind}")
    entry: dict[str, Any] = {
        "kind": kind,
        "start_day": start_day,
        "start_date": (START_DATE + dt.timedelta(days=start_day)).isoformat(),
        "size": size,
    }
    if kind == "channel_mix":
        entry.update(
            source="events",
            change=f"{size:.0%} of web sessions that would be organic or direct come from social (instagram)",
            detect_on=[["fct_sessions", "channel"]],
            affected=[["fct_sessions", "channel"], ["fct_orders", "last_touch_channel"]],
        )
    elif kind == "price":
        assert info is not None
        cid, slug = price_category(info)
        entry.update(
            source="oltp products / lake inventory_snapshots",
            category_id=cid,
            category=slug,
            change=f"list prices of category {slug} (id {cid} and its subcategories) x{1 + size:.2f}",
            detect_on=[["stg_lake__inventory_snapshots", "list_price_usd"], ["fct_order_items", "line_total_usd"]],
            affected=[
                ["stg_lake__inventory_snapshots", "list_price_usd"],
                ["fct_order_items", "line_total_usd"],
                ["fct_orders", "total_amount_usd"],
            ],
        )
    elif kind == "volume_drop":
        entry.update(
            source="weblogs",
            change=f"{size:.0%} of the access-log lines are lost before the file is shipped",
            detect_on=[["fct_web_requests", "*"]],
            affected=[["fct_web_requests", "*"], ["stg_weblogs__requests", "*"]],
        )
    elif kind == "null_spike":
        entry.update(
            source="weblogs",
            change=f'{size:.0%} of the access-log lines write the response size as "-" (a log format change)',
            detect_on=[["fct_web_requests", "response_bytes"]],
            affected=[["fct_web_requests", "response_bytes"], ["stg_weblogs__requests", "response_bytes"]],
        )
    else:
        entry.update(
            source="lake inventory_snapshots",
            change=f"the inventory export renames field {RENAMED_FIELD[0]} to {RENAMED_FIELD[1]}",
            detect_on=[
                ["lake.inventory_snapshots", RENAMED_FIELD[1]],
                ["stg_lake__inventory_snapshots", "on_hand_quantity"],
            ],
            affected=[
                ["lake.inventory_snapshots", RENAMED_FIELD[1]],
                ["stg_lake__inventory_snapshots", "on_hand_quantity"],
            ],
        )
    return entry


def load(state_dir: Path) -> list[dict[str, Any]]:
    path = state_dir / DRIFT_FILE
    return json.loads(path.read_text())["drifts"] if path.exists() else []


def record(state_dir: Path, drifts: list[dict[str, Any]]) -> None:
    write_json(state_dir / DRIFT_FILE, {"drifts": drifts})


class DriftSimulator(Simulator):
    """The demo's Simulator with the recorded drifts applied from their start day on."""

    def __init__(self, *args: Any, drifts: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.drifts = {d["kind"]: d for d in drifts}
        self._day = 0
        self._days_run: list[int] = []
        self._drifted: tuple[int, ProductInfo] | None = None

    def _drift_in_effect(self, kind: str, day: int | None = None) -> dict[str, Any] | None:
        d = self.drifts.get(kind)
        return d if d is not None and (self._day if day is None else day) >= d["start_day"] else None

    def run_day(self, day: int) -> None:
        self._day = day
        self._days_run.append(day)
        super().run_day(day)

    # -- channel_mix: sessions are re-sourced after planning, before anything is rendered from them
    def plan_sessions(self, day: int) -> tuple[int, Iterator[list[cs.Session]]]:
        n, planned = super().plan_sessions(day)
        d = self._drift_in_effect("channel_mix")
        if not d:
            return n, planned

        def resourced(size: float) -> Iterator[list[cs.Session]]:
            r = day_random(self.seed, day, "drift-channel_mix")
            for sessions in planned:
                for s in sessions:
                    moved = r.random() < size
                    if s.platform == "web" and s.source.channel in ("organic", "direct") and moved:
                        s.source = cs.Source("social", *cs.SOCIAL[:2], referrer=cs.SOCIAL[2])
                yield sessions

        return n, resourced(d["size"])

    # -- price: the category's base prices change, so list prices, promotions, carts and the lake follow
    def products(self) -> ProductInfo:
        info = super().products()
        d = self._drift_in_effect("price")
        if not d:
            return info
        if self._drifted is None or self._drifted[0] != len(info.product_id):
            top = _top_category_of(info)
            hit = np.array([top[c] == d["category_id"] for c in info.category_id.tolist()])
            scaled = np.where(
                hit, np.round(info.base_price_cents * (1 + d["size"]) / 100) * 100 - 1, info.base_price_cents
            )
            self._drifted = (len(info.product_id), dataclasses.replace(info, base_price_cents=scaled.astype(np.int64)))
        return self._drifted[1]

    def catalog_changes(self, day: int, batch: OltpBatch) -> None:
        super().catalog_changes(day, batch)
        d = self._drift_in_effect("price")
        if d and day == d["start_day"]:  # the shop's product table gets the new list prices that morning
            info = self.products()
            top = _top_category_of(info)
            prices = usd_price_cents(self.seed, info, day)
            gone = set(self.state.discontinued)
            ts = db_ts(EPOCH0 + day * 86_400 + 360)
            batch.update(
                "products",
                [
                    {"product_id": int(pid), "list_price_usd": money(int(prices[i])), "updated_at": ts}
                    for i, pid in enumerate(info.product_id.tolist())
                    if top[int(info.category_id[i])] == d["category_id"] and pid not in gone
                ],
            )

    # -- volume_drop and schema_change: the files as shipped, after the day is written
    def close(self) -> None:
        super().close()
        for day in self._days_run:
            date = START_DATE + dt.timedelta(days=day)
            drop, nulls = self._drift_in_effect("volume_drop", day), self._drift_in_effect("null_spike", day)
            if drop or nulls:
                _rewrite_log(
                    self.paths.nginx_logs / f"access.log-{date:%Y%m%d}.gz",
                    drop["size"] if drop else 0.0,
                    nulls["size"] if nulls else 0.0,
                )
            d = self._drift_in_effect("schema_change", day)
            if d and day_random(self.seed, day, "drift-schema_change").random() < d["size"]:
                path = partition_dir(self.paths.inventory, date) / "part-00000.parquet"
                table = pq.read_table(path)
                names = [RENAMED_FIELD[1] if n == RENAMED_FIELD[0] else n for n in table.column_names]
                write_parquet(path, table.rename_columns(names))


_SIZE_FIELD = re.compile(r'^(\S+ \S+ \S+ \[[^\]]*\] "[^"]*" \d{3}) (\d+) ')


def _rewrite_log(path: Path, drop: float, nulls: float) -> None:
    """Lose the lines whose checksum falls in `drop` (deterministic, spread over the day); write the
    response size as "-" (nginx's null) on the lines whose checksum falls in `nulls`."""
    lines = gzip.decompress(path.read_bytes()).decode("utf-8").splitlines()
    out = []
    for line in lines:
        h = zlib.crc32(line.encode())
        if h % 10_000 < drop * 10_000:
            continue
        if (h // 10_000) % 10_000 < nulls * 10_000:
            line = _SIZE_FIELD.sub(r"\1 - ", line, count=1)
        out.append(line)
    write_gzip_lines(path, out)
