"""One simulated day of the demo shop, written to every source system at once.

Day d draws its randomness from streams seeded by (seed, d, stream), and carries only small state
(id counters, pending order transitions, late events) to the next day. So `generate --days N` followed
by `advance --days 1` writes exactly what `generate --days N+1` writes.
"""

from __future__ import annotations

import datetime as dt
import gc
import multiprocessing
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import numpy as np

from . import clickstream as cs
from . import render
from .oltp import OltpBatch, OltpStore
from .randomness import day_random
from .render import DayRenderer, RenderJob, RenderResult, merge_counts
from .render import add as _add
from .render import sub as _sub
from .shop_rules import (
    EPOCH0,
    WEEKDAY_FACTOR,
)
from .sim_behaviour import BehaviourSimulation
from .sim_catalog import CatalogSimulation
from .sim_files import FileSourcesSimulation
from .sim_orders import OrderSimulation
from .sim_sessions import SessionSimulation
from .state import GeneratorState
from .world import (
    START_DATE,
    ProductInfo,
    product_info,
)

RENDER_BACKLOG = 4
"""Render tasks (a day's start, a chunk of sessions, a day's end) handed to the worker and not yet done: the
simulator runs at most this far ahead, so the sessions waiting for the worker do not grow with SCALE."""
GC_THRESHOLDS = (50_000, 20, 100)
"""A day makes millions of short-lived objects and hardly any reference cycles: with a young generation
of 50k objects instead of CPython's 700 the collector runs ~30x less often (about 15% of the CPU)."""


@contextmanager
def relaxed_gc() -> Iterator[None]:
    """GC_THRESHOLDS while the simulation runs (also in the render worker); the old ones afterwards."""
    old = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*old)


class Simulator(CatalogSimulation, OrderSimulation, SessionSimulation, FileSourcesSimulation, BehaviourSimulation):
    """Advances the shop one day at a time, writing the OLTP database and the source files.

    One part per source system (sim_catalog, sim_orders, sim_sessions, sim_files); this class holds
    the state they share, the writers, and the order of a day (`run_day`).
    """

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
        # Rendering events and logs (the bulk of the bytes) runs in a second process, a few chunks of
        # sessions behind the simulation (RENDER_BACKLOG).
        self._render_pool = (
            ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=gc.set_threshold,
                initargs=GC_THRESHOLDS,
            )
            if parallel
            else None
        )
        self._rendering: deque[Future[Any]] = deque()  # in the worker's order: absorbed in day order
        self._renderer: DayRenderer | None = None  # without a worker: the day being rendered here
        self._worker_has_late = False  # the worker holds the late events of the day it rendered last

    def _write_file(self, fn: Any, *args: Any) -> None:
        self._in_flight.append(self._file_io.submit(fn, *args))

    def flush(self) -> None:
        """Wait for every queued write; re-raise the first failure."""
        in_flight, self._in_flight = self._in_flight, []
        for future in in_flight:
            future.result()

    def _collect_render(self, backlog: int = 0) -> None:
        """Wait for the worker's oldest tasks until at most `backlog` are left; take in each finished
        day's rendering: its counters and the events that arrive late."""
        while len(self._rendering) > backlog:
            result = self._rendering.popleft().result()
            if isinstance(result, RenderResult):
                self._absorb(result)

    def _to_worker(self, fn: Any, *args: Any) -> None:
        assert self._render_pool is not None
        self._rendering.append(self._render_pool.submit(fn, *args))
        self._collect_render(RENDER_BACKLOG)

    def _absorb(self, result: RenderResult) -> None:
        merge_counts(self.state.truth, result.truth)
        self.state.late_events = result.late_events

    def _render_start(self, day: int) -> None:
        """Begin rendering the day (in the worker, or here without one)."""
        slugs, _ = self._slugs()
        # The worker carries the late events from one day to the next; state.late_events are those of
        # the day before this run (or, without a worker, of the day rendered last).
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
            arrived_late=None if self._worker_has_late else self.state.late_events,
        )
        if self._render_pool is None:
            self._renderer = DayRenderer(job)
        else:
            self._to_worker(render.start_day, job)
            self._worker_has_late = True

    def _render_sessions(self, sessions: list[cs.Session]) -> None:
        """Render the next chunk of the day's sessions (SESSIONS_PER_FILE, in start order)."""
        if self._renderer is not None:
            self._renderer.add(sessions)
        else:
            self._to_worker(render.add_sessions, sessions)

    def _render_finish(self) -> None:
        """The day's access log; the day's counters and late events are taken in when done."""
        if self._renderer is not None:
            renderer, self._renderer = self._renderer, None
            self._absorb(renderer.finish())
        else:
            self._to_worker(render.finish_day)

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
        self._paid_clicks: dict[int, int] = {}  # campaign id: sessions, orders (write_ad_metrics)
        self._paid_orders: dict[int, int] = {}
        if day == 0:
            self.bootstrap(batch)
        else:
            self.catalog_changes(day, batch)
        self.customer_changes(day, batch)
        self.churn_step(day)
        # Sessions are planned, shopped and rendered SESSIONS_PER_FILE at a time: memory stays flat in SCALE.
        n_sessions, planned = self.plan_sessions(day)
        self._render_start(day)
        for sessions in self.shop(day, n_sessions, planned):
            self._render_sessions(sessions)
            self.count_paid_sessions(sessions)
        self.offline_orders(day)
        if self._new_customers:
            ids = np.array([c for c, _ in self._new_customers])
            created = np.array([t for _, t in self._new_customers])
            self._insert_customers(batch, ids, created, day_random(self.seed, day, "customers-dirty"), date)
        self.duplicate_accounts(day, batch)
        reviews = self.apply_transitions(day, batch)
        self._insert_orders(batch)
        self.store.write(batch)
        self._render_finish()
        self.write_reviews(day, reviews)
        self.write_lake(day)
        self.write_ad_metrics(day)
        self.end_of_day_behaviour(day)
        self.state.days_generated = day + 1
