"""Deterministic generator of the demo shop's source systems (see `python -m demo --help`)."""

from __future__ import annotations

import datetime as dt
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..adplatform.cli import running_server
from ..paths import SourcePaths
from . import drift as drift_mod
from .files import write_json
from .manifest import build_manifest
from .oltp import OltpStore, redact_url
from .simulate import Simulator, relaxed_gc
from .state import GeneratorState
from .world import CAMPAIGNS, START_DATE, campaign_created_at, product_info

DEFAULT_SEED = 42
DEFAULT_DAYS = 90
DEFAULT_DIRTY_RATE = 0.01
SQLITE_TARGET = "sqlite (DATA_DIR/sources/shop.sqlite)"
PARALLEL: bool | None = None
"""Render in a worker process: None decides by size. Output is identical either way."""


@dataclass(frozen=True)
class RunSummary:
    days: int
    first_day: dt.date
    last_day: dt.date
    seconds: float
    manifest: dict[str, Any]


def _store(paths: SourcePaths, oltp_url: str | None) -> OltpStore:
    if oltp_url:
        return OltpStore(oltp_url)
    paths.oltp_sqlite.parent.mkdir(parents=True, exist_ok=True)
    return OltpStore(f"sqlite:///{paths.oltp_sqlite.resolve()}")


def _progress(day: int, first: int, last: int, started: float, quiet: bool) -> None:
    if quiet:
        return
    done = day - first + 1
    total = last - first + 1
    if done == total or done % max(1, total // 10) == 0:
        elapsed = time.perf_counter() - started
        date = START_DATE + dt.timedelta(days=day)
        print(f"  day {done}/{total} ({date}) {elapsed:6.1f}s", file=sys.stderr, flush=True)


def _run_days(
    state: GeneratorState,
    paths: SourcePaths,
    store: OltpStore,
    days: int,
    quiet: bool,
    drifts: list[dict] | None = None,
) -> RunSummary:
    started = time.perf_counter()
    # A worker process pays off from about 3 SCALE-days on; below, its start-up costs more than it saves.
    parallel = PARALLEL if PARALLEL is not None else state.scale * days >= 3
    if drifts:  # injected drift (demo/generator/drift.py): the same simulator with the drifts applied
        sim: Simulator = drift_mod.DriftSimulator(state, paths, store, parallel=parallel, drifts=drifts)
    else:
        sim = Simulator(state, paths, store, parallel=parallel)
    first = state.days_generated
    last = first + days - 1
    try:
        with relaxed_gc():
            for day in range(first, last + 1):
                sim.run_day(day)
                _progress(day, first, last, started, quiet)
    finally:
        sim.close()
    write_ad_platform_files(paths, state)
    state.save(paths.state_dir / "state.json")
    manifest = build_manifest(state, paths)
    manifest["drift"] = drifts or []
    write_json(paths.manifest, manifest)
    return RunSummary(
        days,
        START_DATE + dt.timedelta(days=first),
        START_DATE + dt.timedelta(days=last),
        time.perf_counter() - started,
        manifest,
    )


def write_ad_platform_files(paths: SourcePaths, state: GeneratorState) -> None:
    """campaigns.json and state.json: what the ad platform API serves as of the last simulated day."""
    as_of_day = state.days_generated - 1
    as_of = START_DATE + dt.timedelta(days=as_of_day)
    campaigns = []
    for c in CAMPAIGNS:
        created = campaign_created_at(c)
        if created.date() > as_of:
            continue
        ended = c.end_day is not None and c.end_day < as_of_day
        updated = (
            dt.datetime.combine(START_DATE + dt.timedelta(days=c.end_day + 1), dt.time(0, 5)) if ended else created
        )
        campaigns.append(
            {
                "campaign_id": c.campaign_id,
                "name": c.name,
                "network": c.network,
                "objective": c.objective,
                "status": "ENDED" if ended else "ACTIVE",
                "currency": c.currency,
                "daily_budget_micros": c.daily_budget_cents * 10_000,
                "start_date": (START_DATE + dt.timedelta(days=c.start_day)).isoformat(),
                "end_date": (START_DATE + dt.timedelta(days=c.end_day)).isoformat() if c.end_day is not None else None,
                "created_at": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "updated_at": updated.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "utm_campaign": c.utm_campaign,
            }
        )
    write_json(paths.adplatform / "campaigns.json", campaigns)
    write_json(paths.adplatform / "state.json", {"as_of": as_of.isoformat(), "restatement_days": 3})


def generate(
    data_dir: Path,
    days: int = DEFAULT_DAYS,
    scale: float = 1.0,
    seed: int = DEFAULT_SEED,
    dirty: bool = True,
    dirty_rate: float = DEFAULT_DIRTY_RATE,
    oltp_url: str | None = None,
    quiet: bool = False,
) -> RunSummary:
    """Write `days` days of the demo shop from scratch into data_dir (replacing earlier demo data)."""
    if days < 1:
        raise ValueError("days must be at least 1")
    if scale <= 0:
        raise ValueError("scale must be positive")
    paths = SourcePaths(Path(data_dir))
    url = running_server(paths.data_dir)
    if url:
        raise ValueError(
            f"the demo ad platform API is serving this data at {url}: "
            "run `make api-stop` (python -m demo api stop) before generating new data"
        )
    for folder in (paths.sources, paths.state_dir):
        if folder.exists():
            shutil.rmtree(folder)
    paths.sources.mkdir(parents=True)
    store = _store(paths, oltp_url)
    try:
        store.reset()
        state = GeneratorState(
            seed=seed,
            scale=scale,
            dirty=dirty,
            dirty_rate=dirty_rate,
            oltp_target=redact_url(oltp_url) if oltp_url else SQLITE_TARGET,
        )
        return _run_days(state, paths, store, days, quiet)
    finally:
        store.dispose()


def advance(
    data_dir: Path,
    days: int = 1,
    oltp_url: str | None = None,
    quiet: bool = False,
    drift: str | None = None,
    drift_size: float | None = None,
) -> RunSummary:
    """Simulate the next `days` days on top of existing demo data; `drift` starts one on the first new day."""
    if days < 1:
        raise ValueError("days must be at least 1")
    paths = SourcePaths(Path(data_dir))
    state = GeneratorState.load(paths.state_dir / "state.json")
    if state.oltp_target != SQLITE_TARGET:
        if not oltp_url:
            raise ValueError(
                f"the demo OLTP database lives in {state.oltp_target}: pass the same URL "
                "(--oltp-url or DEMO_OLTP_URL) to advance it"
            )
        if redact_url(oltp_url) != state.oltp_target:
            raise ValueError(f"demo data was generated into {state.oltp_target}, not {redact_url(oltp_url)}")
    elif oltp_url:
        raise ValueError("demo data was generated into SQLite; run `generate` with --oltp-url to use a server")
    drifts = drift_mod.load(paths.state_dir)
    if drift:
        if any(d["kind"] == drift for d in drifts):
            raise ValueError(f"drift {drift} was already injected into this demo data (see the manifest)")
        info = product_info(state.seed, np.arange(1, state.n_products + 1)) if drift == "price" else None
        drifts = [*drifts, drift_mod.describe(drift, state.days_generated, drift_size, info)]
    store = _store(paths, oltp_url)
    try:
        summary = _run_days(state, paths, store, days, quiet, drifts)
    finally:
        store.dispose()
    if drift:
        drift_mod.record(paths.state_dir, drifts)
    return summary
