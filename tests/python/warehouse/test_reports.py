"""The report marts (rpt_*) against the generator's ground truth (DATA_DIR/manifest.json).

The revenue cube's grand total and sales-channel subtotals, the marketing report's spend, the funnel's
sessions and the cohorts' orders must equal what the demo generator says it produced, on dirty data.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from warehouse_helpers import Warehouse


def _manifest(warehouse: Warehouse) -> dict[str, Any]:
    return json.loads((warehouse.data_dir / "manifest.json").read_text())


def test_revenue_cube_totals_equal_the_manifest(built_warehouse: Warehouse) -> None:
    orders = _manifest(built_warehouse)["orders"]
    _one, _rows = built_warehouse.one, built_warehouse.rows

    grand_total = _rows(
        "select order_count, unit_count, gross_order_value_usd, is_all_dates, is_all_sales_channels,"
        " is_all_categories, sales_channel, top_category_name"
        " from marts.rpt_daily_revenue_cube where grouping_level = 7"
    )
    assert grand_total == [
        (orders["orders"], orders["units"], Decimal(orders["gross_total_usd"]), True, True, True, "(all)", "(all)")
    ]

    # channel subtotals over all days and categories: orders per sales channel
    by_channel = dict(
        _rows("select sales_channel, order_count from marts.rpt_daily_revenue_cube where grouping_level = 5")
    )
    assert by_channel == orders["by_channel"]

    # per day (all channels and categories): orders and gross USD of the manifest's days
    by_day = {
        str(day): (count, gross)
        for day, count, gross in _rows(
            "select order_date, order_count, gross_order_value_usd"
            " from marts.rpt_daily_revenue_cube where grouping_level = 3"
        )
    }
    expected_by_day = {day["date"]: (day["orders"], Decimal(day["gross_total_usd"])) for day in orders["by_day"]}
    assert by_day == {day: figures for day, figures in expected_by_day.items() if figures[0] > 0}

    # net revenue: the cube's USD total is fct_orders', whose per-currency amounts are the manifest's
    net = dict(_rows("select currency, sum(net_amount) from marts.fct_orders group by 1"))
    assert net == {currency: Decimal(total) for currency, total in orders["net_revenue"].items()}
    assert _one("select net_revenue_usd from marts.rpt_daily_revenue_cube where grouping_level = 7") == _one(
        "select sum(net_amount_usd) from marts.fct_orders"
    )
    # order-level measures only where the row does not split by category
    assert (
        _one(
            "select count(*) from marts.rpt_daily_revenue_cube where not is_all_categories"
            " and (net_revenue_usd is not null or gross_order_value_usd is not null)"
        )
        == 0
    )


def test_marketing_funnel_and_cohorts_equal_the_manifest(built_warehouse: Warehouse) -> None:
    manifest = _manifest(built_warehouse)
    _one, _rows = built_warehouse.one, built_warehouse.rows

    served = manifest["ad_platform"]["served"]
    cost = dict(_rows("select currency, sum(cost_micros) from marts.fct_ad_performance_daily group by 1"))
    assert cost == served["cost_micros_by_currency"]
    clicks = _rows(
        "select grain, sum(impressions), sum(clicks) from marts.rpt_marketing_performance group by 1 order by 1"
    )
    assert clicks == [(grain, served["impressions"], served["clicks"]) for grain in ("campaign", "channel", "total")]
    # spend in USD: the same at every grain, and the fact's total
    spend = dict(_rows("select grain, sum(spend_usd) from marts.rpt_marketing_performance group by 1"))
    assert set(spend.values()) == {_one("select sum(cost_usd) from marts.fct_ad_performance_daily")}

    events = manifest["events"]
    assert _one("select sum(session_count) from marts.rpt_conversion_funnel") == events["sessions"]
    purchases = _one("select sum(purchase_session_count) from marts.rpt_conversion_funnel")
    assert purchases == _one("select count(distinct session_id) from marts.fct_sessions where has_purchase")

    orders = manifest["orders"]
    assert _one("select sum(order_count) from marts.rpt_cohort_retention_monthly") == orders["orders"]
    assert _one("select sum(net_revenue_usd) from marts.rpt_cohort_retention_monthly") == _one(
        "select sum(net_amount_usd) from marts.fct_orders"
    )
    month_zero = _rows(
        "select retention_rate from marts.rpt_cohort_retention_monthly where months_since_first_order = 0"
    )
    assert month_zero and all(rate == Decimal("1.0000") for (rate,) in month_zero)
