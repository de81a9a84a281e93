"""One demo warehouse for the whole session: 50 days of dirty demo data, ingested and built once.

Tests must not change it; a test that advances the demo or rebuilds works on `Warehouse.copy()`.

The session's warehouses are built in background threads that start as soon as collection ends, so
they are ready (or nearly) when the tests that use them run: the tests before them (generator,
ingestion, lint, make, and the warehouse tests that need only the session warehouse) run beside them.
A warehouse no selected test uses is not built (`pytest -m "not slow"` builds none); the tests that
wait for a later job run after the others (`pytest_collection_modifyitems`). The jobs, in order (one
thread per chain: the session warehouse and the stages that start from a copy of it, in order; the
seed variants in a thread of their own):

- `built_warehouse`: generate, ingest, `dbt build`.
- `advanced_warehouse`: a copy of it advanced one day, ingested and built (incremental) twice.
- `rebuilt_warehouse`, `rebuilt_twice_warehouse`: a copy of it after `dbt build`, a copy of that after
  another (test_idempotency.py).
- `reingested_warehouse`, `reingested_twice_warehouse`, `reingested_twice_rebuilt_warehouse`: a copy
  of it after an ingest of the same sources, a copy of that after another, and a copy of that after
  `dbt build` (test_idempotency.py).
- `full_refreshed_warehouse`: a copy of the advanced one after `dbt run --full-refresh`.
- `ml_warehouse`: 70 days at SCALE=0.03, built up to the churn model's tables (test_ml.py).
- `seed_variant_builds`: other seeds, day counts (1 to 120), scales and dirt rates, each generated,
  ingested and built in a folder of its own (test_seed_variants.py); the outcome of each, not an
  exception, so one variant's failure does not hide the others'.

Each step runs on a copy (`Warehouse.copy`: the sources, dlt's state and the warehouse file, byte for
byte) of the warehouse before it, so every stage stays there to be compared. All are read-only for
the tests. A failing step fails every test that uses its warehouse (or a later one), with the step's
output, as when a fixture ran it in the foreground.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
from warehouse_helpers import Warehouse

PREPARED = pytest.StashKey[dict[str, Future[Warehouse]]]()
EXECUTORS = pytest.StashKey[list[ThreadPoolExecutor]]()
STARTER = pytest.StashKey[Callable[[], None]]()
_start_lock = threading.Lock()
WAREHOUSE_TESTS = "tests/python/warehouse/"
"""Where the tests of the session warehouses live: one pytest-xdist unit (tests/python/conftest.py)."""


def _build(warehouse: Warehouse) -> None:
    # 50 days cross the reviews' schema change; a high dirty rate makes every bad-record kind occur. Seed 59:
    # refunds of orders placed 8 and 12 days before fall due in the two days `_advance` adds, so the
    # incremental sessions must restate old sessions' revenue (test_incremental.py); at SCALE 0.01 (about
    # two orders a day) most seeds have none due then
    warehouse.demo("generate", "--scale", "0.01", "--days", "50", "--dirty-rate", "0.3", "--seed", "59")
    warehouse.ingest()
    warehouse.dbt("build")


def _advance(warehouse: Warehouse) -> None:
    # one day at a time: each incremental build must pick up late events of a day it already loaded
    for _ in range(2):
        warehouse.demo("advance", "--days", "1")
        warehouse.ingest()
        warehouse.dbt("build")


def _full_refresh(warehouse: Warehouse) -> None:
    warehouse.dbt("run", "--full-refresh")  # every model again from the raw data


def _dbt_build(warehouse: Warehouse) -> None:
    warehouse.dbt("build")


def _ingest(warehouse: Warehouse) -> None:
    warehouse.ingest()


def _ml_build(warehouse: Warehouse) -> None:
    # enough weeks for the churn model (test_ml.py): 70 days give seven weeks with mature labels
    warehouse.demo("generate", "--scale", "0.03", "--days", "70", "--quiet")
    warehouse.ingest()
    warehouse.dbt(
        "build",
        "--select",
        "+mrt_customer_snapshots_weekly",
        "+rpt_churn_model_performance_weekly",
        "--exclude-resource-type",
        "unit_test",
        "--indirect-selection",
        "cautious",
    )


def _seed_variants(warehouse: Warehouse) -> None:
    from test_seed_variants import build_variants

    build_variants(warehouse.root)


JOBS: dict[str, tuple[str | None, Callable[[Warehouse], None]]] = {
    # fixture -> (the fixture whose warehouse it starts from a copy of, what it does), in the order they
    # run (the order the tests need them in)
    "built_warehouse": (None, _build),
    "advanced_warehouse": ("built_warehouse", _advance),
    "rebuilt_warehouse": ("built_warehouse", _dbt_build),
    "rebuilt_twice_warehouse": ("rebuilt_warehouse", _dbt_build),
    "reingested_warehouse": ("built_warehouse", _ingest),
    "reingested_twice_warehouse": ("reingested_warehouse", _ingest),
    "reingested_twice_rebuilt_warehouse": ("reingested_twice_warehouse", _dbt_build),
    "full_refreshed_warehouse": ("advanced_warehouse", _full_refresh),
    "ml_warehouse": (None, _ml_build),
    "seed_variant_builds": (None, _seed_variants),
}


def _job(
    steps: Callable[[Warehouse], None], warehouse: Warehouse, copy_to: list[Path], after: Future[Warehouse] | None
) -> Warehouse:
    """Run the steps, then make the copies the later jobs start from (before any test can use it).

    ``after``: the job that made this one's starting copy; its failure is this job's failure.
    """
    if after is not None:
        after.result()
    steps(warehouse)
    for root in copy_to:
        warehouse.copy(root)
    return warehouse


def _chain(name: str) -> str:
    """The job a job's chain starts from (a job whose warehouse starts from no other job's)."""
    while (start := JOBS[name][0]) is not None:
        name = start
    return name


def _in_xdist_worker() -> bool:
    return "PYTEST_XDIST_WORKER" in os.environ


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start building, in the background, the session warehouses the selected tests use.

    In a pytest-xdist worker (`make test` runs `-n 2`) every worker collects every test, but only the
    one that gets this folder's tests runs them: the builds start when its first test here sets up.
    """
    if session.config.option.collectonly:
        return
    used = {name for item in session.items for name in getattr(item, "fixturenames", ())}
    wanted = [name for name in JOBS if name in used]  # fixturenames hold a test's fixtures and their parents
    if not wanted:
        return
    if _in_xdist_worker():
        session.config.stash[STARTER] = lambda: _start(session, wanted)
        return
    _start(session, wanted)


def _start_if_deferred(config: pytest.Config) -> None:
    with _start_lock:
        starter = config.stash.get(STARTER, None)
        if starter is not None:
            del config.stash[STARTER]
            starter()


def pytest_runtest_setup(item: pytest.Item) -> None:
    """In an xdist worker: the first test of this folder starts the deferred builds."""
    _start_if_deferred(item.config)


def _start(session: pytest.Session, wanted: list[str]) -> None:
    factory: pytest.TempPathFactory = session.config._tmp_path_factory  # what the tmp_path_factory fixture returns
    roots = {name: factory.mktemp(name.removesuffix("_warehouse")) for name in wanted}
    # one thread per chain: the session warehouse's stages in order, the seed variants beside them, so the
    # variants do not wait for the whole chain (at the end of the suite the foreground only waits)
    executors: dict[str, ThreadPoolExecutor] = {}
    prepared: dict[str, Future[Warehouse]] = {}
    for name in wanted:
        start, steps = JOBS[name]
        chain = _chain(name)
        if chain not in executors:
            executors[chain] = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"warehouse-{chain}")
        copy_to = [roots[later] for later in wanted if JOBS[later][0] == name]
        after = prepared[start] if start else None
        prepared[name] = executors[chain].submit(_job, steps, Warehouse(roots[name]), copy_to, after)
    session.config.stash[EXECUTORS] = list(executors.values())
    session.config.stash[PREPARED] = prepared


def pytest_sessionfinish(session: pytest.Session) -> None:
    for executor in session.config.stash.get(EXECUTORS, []):
        executor.shutdown(wait=True, cancel_futures=True)


def _prepared(request: pytest.FixtureRequest, name: str) -> Warehouse:
    """The background job's warehouse; built here if no job was started for it (e.g. requested dynamically)."""
    _start_if_deferred(request.config)
    job = request.config.stash.get(PREPARED, {}).get(name)
    if job is not None:
        return job.result()
    start, steps = JOBS[name]
    root = request.config._tmp_path_factory.mktemp(name.removesuffix("_warehouse"))
    warehouse = Warehouse(root) if start is None else request.getfixturevalue(start).copy(root)
    return _job(steps, warehouse, [], None)


@pytest.fixture(scope="session")
def built_warehouse(request: pytest.FixtureRequest) -> Iterator[Warehouse]:
    yield _prepared(request, "built_warehouse")


@pytest.fixture(scope="session")
def advanced_warehouse(request: pytest.FixtureRequest, built_warehouse: Warehouse) -> Warehouse:
    """The session warehouse after two more days: each advanced, ingested and built (incremental) in turn."""
    return _prepared(request, "advanced_warehouse")


@pytest.fixture(scope="session")
def rebuilt_warehouse(request: pytest.FixtureRequest, built_warehouse: Warehouse) -> Warehouse:
    """A copy of the session warehouse after one more `dbt build` (nothing new in the sources)."""
    return _prepared(request, "rebuilt_warehouse")


@pytest.fixture(scope="session")
def rebuilt_twice_warehouse(request: pytest.FixtureRequest, rebuilt_warehouse: Warehouse) -> Warehouse:
    """A copy of the rebuilt warehouse after yet another `dbt build`."""
    return _prepared(request, "rebuilt_twice_warehouse")


@pytest.fixture(scope="session")
def reingested_warehouse(request: pytest.FixtureRequest, built_warehouse: Warehouse) -> Warehouse:
    """A copy of the session warehouse (its sources and dlt state too) after one more ingest of the same sources."""
    return _prepared(request, "reingested_warehouse")


@pytest.fixture(scope="session")
def reingested_twice_warehouse(request: pytest.FixtureRequest, reingested_warehouse: Warehouse) -> Warehouse:
    """A copy of the reingested warehouse after yet another ingest of the same sources."""
    return _prepared(request, "reingested_twice_warehouse")


@pytest.fixture(scope="session")
def reingested_twice_rebuilt_warehouse(
    request: pytest.FixtureRequest, reingested_twice_warehouse: Warehouse
) -> Warehouse:
    """A copy of the twice reingested warehouse after `dbt build`."""
    return _prepared(request, "reingested_twice_rebuilt_warehouse")


@pytest.fixture(scope="session")
def full_refreshed_warehouse(request: pytest.FixtureRequest, advanced_warehouse: Warehouse) -> Warehouse:
    """The advanced warehouse with every model rebuilt from the raw data (`dbt run --full-refresh`)."""
    return _prepared(request, "full_refreshed_warehouse")


@pytest.fixture(scope="session")
def ml_warehouse(request: pytest.FixtureRequest) -> Warehouse:
    """70 days at SCALE=0.03, built up to the churn model's snapshots and score marts (test_ml.py)."""
    return _prepared(request, "ml_warehouse")


@pytest.fixture(scope="session")
def seed_variant_builds(request: pytest.FixtureRequest) -> Warehouse:
    """A folder with one sub-folder per variant of test_seed_variants.py, each built, and its outcome."""
    return _prepared(request, "seed_variant_builds")


@pytest.fixture(scope="session")
def generated_docs(built_warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`dbt docs generate` once on the built warehouse: a folder with index.html, manifest.json, catalog.json."""
    built_warehouse.dbt("docs", "generate")
    site = tmp_path_factory.mktemp("docs-site")
    for name in ("index.html", "manifest.json", "catalog.json"):
        shutil.copy(built_warehouse.root / "target" / name, site / name)
    return site


def _last_job(item: pytest.Item) -> int:
    """The position in JOBS of the last background job the test waits for (0: none, or the session warehouse)."""
    used = getattr(item, "fixturenames", ())
    return max((position for position, name in enumerate(JOBS) if name in used), default=0)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "built_warehouse" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)
    if _in_xdist_worker():
        # the warehouse tests first (one xdist unit, tests/python/conftest.py): the worker that gets them
        # starts the builds at once; among them, tests that wait for a later background job after the others
        items.sort(key=lambda item: (not item.nodeid.startswith(WAREHOUSE_TESTS), _last_job(item)))
        return
    # tests that wait for a later background job run after those that do not (otherwise in their order),
    # so the foreground keeps working while the background builds
    items.sort(key=_last_job)
