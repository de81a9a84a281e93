"""The demo shop's marketing figures look like a real mid-size online shop's, read from the marts.

A marketing analyst stops trusting a demo whose ads return 70 dollars per dollar (as this one once
did). `demo/kpis.py` holds the ranges (session conversion 1.5-5%, bounce 30-60%, ROAS 2-8x per paid
channel, CTR and CPC per network, CAC below a first order's margin); the seed variants check them on
other seeds and day counts (test_seed_variants.py).
"""

from __future__ import annotations

from warehouse_helpers import Warehouse

from demo.kpis import MIN_ORDERS_TO_JUDGE, read_kpis, realism_violations


def test_the_session_demo_looks_like_a_real_shop(built_warehouse: Warehouse) -> None:
    kpis = read_kpis(built_warehouse.data_dir / "warehouse.duckdb")
    assert kpis.paid.attributed_orders >= MIN_ORDERS_TO_JUDGE, "too little paid traffic to judge the demo"
    assert realism_violations(kpis) == []
    # the figures come from the data: spend and revenue are the marts' own sums
    spend = built_warehouse.one("select sum(cost_usd) from marts.fct_ad_performance_daily")
    assert abs(kpis.paid.spend_usd - float(spend)) < 0.01


def test_an_unrealistic_shop_is_reported() -> None:
    from dataclasses import replace

    from demo.kpis import ChannelKpis, ShopKpis

    search = ChannelKpis("Paid Search", 2_000.0, 50_000, 1_400, 0.028, 1.43, 40, 9_000.0, 4.5, 30, 66.7)
    real = ShopKpis(20_000, 0.03, 0.45, 600, 0.3, 200.0, 90.0, [search], search)
    assert realism_violations(real) == []
    rich = replace(search, attributed_revenue_usd=140_000.0, roas=70.0)  # the demo before it was fixed
    assert [v for v in realism_violations(replace(real, channels=[rich], paid=rich)) if "ROAS" in v]
    expensive = replace(search, cac_usd=120.0)  # paying more for a customer than a first order earns
    assert [v for v in realism_violations(replace(real, paid=expensive)) if "CAC" in v]
    assert realism_violations(replace(real, session_conversion_rate=0.24))  # the demo before it was fixed
