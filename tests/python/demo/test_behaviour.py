"""The demo customers' latent behaviour (demo/generator/behaviour.py): churn is final, orders renew
engagement, the oracle is written for every Sunday and agrees with the latent state."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import duckdb
import numpy as np
import pytest

from demo.generator import behaviour as bh
from demo.generator import generate
from demo.generator.state import GeneratorState
from demo.generator.world import START_DATE


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("behaviour")
    generate(data_dir, days=36, scale=0.03, seed=5, quiet=True)
    return data_dir


def test_weighted_sampling_is_distinct_positive_and_proportional() -> None:
    rng = np.random.default_rng(0)
    weights = np.array([0.0, 1.0, 1.0, 8.0, 0.0, 2.0])
    counts = np.zeros(len(weights))
    for _ in range(4000):
        chosen = bh.sample_without_replacement(rng, weights, 1)
        counts[chosen] += 1
    assert counts[0] == counts[4] == 0
    assert counts[3] / counts[1] == pytest.approx(8, rel=0.25)
    many = bh.sample_without_replacement(rng, weights, 10)
    assert sorted(many.tolist()) == [1, 2, 3, 5]  # never more than the positive weights, each once


def test_traits_are_pure_functions_of_seed_and_id() -> None:
    ids = np.arange(1, 500)
    a, b = bh.traits(42, ids), bh.traits(42, ids)
    assert np.array_equal(a.activity, b.activity) and np.array_equal(a.decay_days, b.decay_days)
    assert not np.array_equal(a.activity, bh.traits(43, ids).activity)
    assert a.conversion_factor.mean() == pytest.approx(1.0, abs=0.05)


def test_churned_customers_never_order_again(shop: Path) -> None:
    state = GeneratorState.load(shop / ".demo_state" / "state.json")
    churn_day = np.array(state.churn_day)
    assert (churn_day >= 0).sum() > 0.1 * len(churn_day), "some customers churn"
    assert (churn_day < 0).sum() > 0.1 * len(churn_day), "many stay"
    con = sqlite3.connect(shop / "sources" / "shop.sqlite")
    try:
        orders = con.execute("select customer_id, placed_at from orders").fetchall()
    finally:
        con.close()
    late = []
    for customer_id, placed_at in orders:
        placed = (
            dt.datetime.fromisoformat(placed_at)
            if isinstance(placed_at, str)
            else dt.datetime.fromtimestamp(placed_at, dt.UTC)
        )
        day = (placed.date() - START_DATE).days
        if customer_id <= len(churn_day) and 0 <= churn_day[customer_id - 1] <= day:
            late.append((customer_id, day, int(churn_day[customer_id - 1])))
    assert not late, late[:5]
    last = np.array(state.last_order_day)
    ordered = {c for c, _ in orders}
    assert all(last[c - 1] >= 0 for c in ordered if c <= len(last)), "an order renews engagement (its day)"


def test_the_oracle_is_written_for_every_sunday(shop: Path) -> None:
    manifest = json.loads((shop / "manifest.json").read_text())["customer_behaviour"]
    sundays = [
        START_DATE + dt.timedelta(days=d) for d in range(36) if (START_DATE + dt.timedelta(days=d)).isoweekday() == 7
    ]
    assert [entry["scoring_date"] for entry in manifest["oracle"]] == [d.isoformat() for d in sundays]
    assert manifest["horizon_days"] == bh.CHURN_HORIZON_DAYS
    first = manifest["oracle"][0]
    assert first["label_mature"] is True and manifest["oracle"][-1]["label_mature"] is False
    rows = (
        duckdb.connect()
        .execute(
            f"select min(p_no_order), max(p_no_order), bool_and(p_no_order = 1) filter (where not is_active),"
            f" avg(p_no_order) filter (where is_active) from read_parquet('{shop / first['path']}')"
        )
        .fetchone()
    )
    assert rows is not None
    low, high, inactive_certain, active_mean = rows
    assert 0 <= low < 0.5 and high == 1.0
    assert inactive_certain, "a churned or deleted customer orders with probability 0"
    assert active_mean < 1.0
