"""The demo shop's marketing and conversion figures, read from the built warehouse's marts.

    python -m demo kpis [--data-dir DATA_DIR | --warehouse FILE] [--json] [--check]

What a marketing analyst checks first to decide whether the data looks like a real shop: session
conversion rate, bounce rate, and per paid channel the click-through rate, cost per click, return on
ad spend (last-touch attributed net revenue / spend) and customer acquisition cost against the margin
of a first order. `REALISTIC` holds the ranges a real mid-size online shop sees; the demo is tuned
to land inside them and `tests/python/warehouse/test_demo_realism.py` checks it on every build.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from .generator.world import GROSS_MARGIN
from .paths import data_dir_from_env

PAID_CHANNELS = ("Paid Search", "Paid Social", "Display")

# (low, high) of what a real mid-size online shop sees; the sources are the usual industry
# benchmarks (e-commerce session conversion 1-4%, apps higher; search ROAS 3-8x, social and display
# lower; CTR: search 2-8%, social 0.5-2%, display 0.1-1%).
REALISTIC: dict[str, tuple[float, float]] = {
    "session_conversion_rate": (0.015, 0.05),
    "bounce_rate": (0.30, 0.60),
    "roas": (2.0, 8.0),
    "ctr_search": (0.02, 0.08),
    "ctr_social": (0.005, 0.02),
    "ctr_display": (0.001, 0.01),
    "cpc_usd": (0.30, 3.00),
}


@dataclass(frozen=True)
class ChannelKpis:
    channel: str
    spend_usd: float
    impressions: int
    clicks: int
    ctr: float | None
    cpc_usd: float | None
    attributed_orders: int
    attributed_revenue_usd: float
    roas: float | None
    new_customers: int
    cac_usd: float | None


@dataclass(frozen=True)
class ShopKpis:
    sessions: int
    session_conversion_rate: float
    bounce_rate: float
    orders: int
    offline_order_share: float
    average_order_value_usd: float
    first_order_margin_usd: float
    channels: list[ChannelKpis]
    paid: ChannelKpis


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def read_kpis(warehouse: Path) -> ShopKpis:
    """Compute the figures from the marts of a built warehouse (opened read-only)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        sessions, converting, bounces = con.execute(
            "select count(*), count(*) filter (where has_purchase), count(*) filter (where is_bounce)"
            " from marts.fct_sessions"
        ).fetchall()[0]
        orders, offline, aov, first_aov = con.execute(
            "select count(*), count(*) filter (where sales_channel in ('marketplace', 'phone')),"
            " avg(net_amount_usd), avg(net_amount_usd) filter (where is_first_order)"
            " from marts.fct_orders where not is_cancelled"
        ).fetchall()[0]
        rows = con.execute(
            """
            select
                campaigns.channel,
                sum(ads.cost_usd),
                sum(ads.impressions),
                sum(ads.clicks),
                sum(ads.last_touch_order_count),
                sum(ads.last_touch_net_revenue_usd),
                sum(ads.last_touch_new_customer_count)
            from marts.fct_ad_performance_daily as ads
            inner join marts.dim_campaigns as campaigns on ads.campaign_id = campaigns.campaign_id
            group by campaigns.channel
            order by campaigns.channel
            """
        ).fetchall()
    finally:
        con.close()

    def channel(
        name: str, spend: float, impressions: int, clicks: int, orders: int, revenue: float, new: int
    ) -> ChannelKpis:
        return ChannelKpis(
            channel=name,
            spend_usd=round(spend, 2),
            impressions=impressions,
            clicks=clicks,
            ctr=_ratio(clicks, impressions),
            cpc_usd=_ratio(spend, clicks),
            attributed_orders=orders,
            attributed_revenue_usd=round(revenue, 2),
            roas=_ratio(revenue, spend),
            new_customers=new,
            cac_usd=_ratio(spend, new),
        )

    channels = [
        channel(
            str(r[0]),
            float(r[1] or 0),
            int(r[2] or 0),
            int(r[3] or 0),
            int(r[4] or 0),
            float(r[5] or 0),
            int(r[6] or 0),
        )
        for r in rows
    ]
    paid = channel(
        "All paid",
        sum(c.spend_usd for c in channels),
        sum(c.impressions for c in channels),
        sum(c.clicks for c in channels),
        sum(c.attributed_orders for c in channels),
        sum(c.attributed_revenue_usd for c in channels),
        sum(c.new_customers for c in channels),
    )
    return ShopKpis(
        sessions=int(sessions),
        session_conversion_rate=converting / sessions if sessions else 0.0,
        bounce_rate=bounces / sessions if sessions else 0.0,
        orders=int(orders),
        offline_order_share=offline / orders if orders else 0.0,
        average_order_value_usd=round(float(aov or 0), 2),
        first_order_margin_usd=round(float(first_aov or 0) * GROSS_MARGIN, 2),
        channels=channels,
        paid=paid,
    )


# a channel's ROAS, CTR and CPC are judged only from this many attributed orders on: below it, one
# order more or less moves ROAS by more than the width of the band
MIN_ORDERS_TO_JUDGE = 30
CTR_RANGE = {"Paid Search": "ctr_search", "Paid Social": "ctr_social", "Display": "ctr_display"}


def realism_violations(kpis: ShopKpis) -> list[str]:
    """What falls outside the ranges of a real mid-size shop (REALISTIC); empty when the demo looks real."""
    found = []

    def check(name: str, value: float | None, band: str) -> None:
        low, high = REALISTIC[band]
        if value is None or not low <= value <= high:
            found.append(f"{name} = {value} outside [{low}, {high}]")

    check("session conversion rate", kpis.session_conversion_rate, "session_conversion_rate")
    check("bounce rate", kpis.bounce_rate, "bounce_rate")
    for c in [*kpis.channels, kpis.paid]:
        if c.attributed_orders < MIN_ORDERS_TO_JUDGE:
            continue
        check(f"{c.channel} ROAS", c.roas, "roas")
        check(f"{c.channel} CPC (USD)", c.cpc_usd, "cpc_usd")
        if c.channel in CTR_RANGE:
            check(f"{c.channel} CTR", c.ctr, CTR_RANGE[c.channel])
    if kpis.paid.attributed_orders >= MIN_ORDERS_TO_JUDGE and not (
        kpis.paid.cac_usd is not None and kpis.paid.cac_usd < kpis.first_order_margin_usd
    ):
        found.append(f"paid CAC {kpis.paid.cac_usd} not below the first-order margin {kpis.first_order_margin_usd}")
    return found


def _pct(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value * 100:.{digits}f}%"


def _money(value: float | None) -> str:
    return "-" if value is None else f"${value:,.2f}"


def format_kpis(kpis: ShopKpis) -> str:
    """The figures as the plain-text table demo/README.md quotes."""
    lines = [
        f"sessions {kpis.sessions:,}, conversion rate {_pct(kpis.session_conversion_rate, 2)}, "
        f"bounce rate {_pct(kpis.bounce_rate)}",
        f"orders {kpis.orders:,} (marketplace and phone {_pct(kpis.offline_order_share)}), "
        f"AOV {_money(kpis.average_order_value_usd)}, first-order margin {_money(kpis.first_order_margin_usd)} "
        f"(gross margin {GROSS_MARGIN:.0%})",
        "",
        f"{'channel':<12} {'spend':>11} {'clicks':>8} {'CTR':>6} {'CPC':>6} {'orders':>7} {'attributed':>12} "
        f"{'ROAS':>5} {'new cust.':>9} {'CAC':>8}",
    ]
    for c in [*kpis.channels, kpis.paid]:
        lines.append(
            f"{c.channel:<12} {_money(c.spend_usd):>11} {c.clicks:>8,} {_pct(c.ctr, 2):>6} {_money(c.cpc_usd):>6} "
            f"{c.attributed_orders:>7,} {_money(c.attributed_revenue_usd):>12} "
            f"{'-' if c.roas is None else f'{c.roas:.1f}x':>5} {c.new_customers:>9,} {_money(c.cac_usd):>8}"
        )
    lines.append("(ROAS and new customers: last-touch attribution within 30 days, net revenue in USD)")
    violations = realism_violations(kpis)
    lines.append(
        "realistic: every figure inside the ranges of a real mid-size online shop (demo/kpis.py)"
        if not violations
        else "NOT realistic: " + "; ".join(violations)
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demo kpis", description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", help="the data folder (default: $DATA_DIR or ./data)")
    parser.add_argument("--warehouse", type=Path, help="DuckDB file (default: DATA_DIR/published/warehouse.duckdb)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when a figure is outside a real shop's range (REALISTIC)"
    )
    args = parser.parse_args(argv)
    warehouse = args.warehouse or data_dir_from_env(args.data_dir) / "published" / "warehouse.duckdb"
    if not warehouse.is_file():
        print(f"error: no warehouse at {warehouse}: run make run (or make build) first", file=sys.stderr)
        return 1
    kpis = read_kpis(warehouse)
    print(json.dumps(asdict(kpis), indent=2) if args.json else format_kpis(kpis))
    return 1 if args.check and realism_violations(kpis) else 0


if __name__ == "__main__":
    sys.exit(main())
