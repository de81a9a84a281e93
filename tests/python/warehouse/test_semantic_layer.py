"""The semantic layer: `mf validate-configs` passes on the built warehouse, and every metric `mf query`
returns equals the same figure computed with SQL over the marts (and, where it has one, the generator's
manifest), so a wrong metric definition (wrong measure, column, filter or ratio) fails here.

`mf` reads `<project dir>/target/semantic_manifest.json` and does not honour `--target-path` or
DBT_TARGET_PATH, so the tests give it a project folder of its own: the repo's dbt_project.yml and
profiles.yml, and the semantic manifest the warehouse's `dbt build` wrote (DBT_PROJECT_DIR and
DBT_PROFILES_DIR point `mf` there).
"""

from __future__ import annotations

import csv
import json
import shutil
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from warehouse_helpers import PYTHON, REPO, Warehouse, run

MF = str(Path(PYTHON).with_name("mf"))


@pytest.fixture(scope="module")
def mf_project(built_warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("mf_project")
    shutil.copy(REPO / "dbt_project.yml", project)
    shutil.copy(REPO / "profiles.yml", project)
    (project / "target").mkdir()
    shutil.copy(built_warehouse.root / "target" / "semantic_manifest.json", project / "target")
    return project


def _mf(warehouse: Warehouse, project: Path, *args: str) -> str:
    env = {**warehouse.env, "DBT_PROJECT_DIR": str(project), "DBT_PROFILES_DIR": str(project)}
    return run([MF, *args], env, timeout=300).stdout


def _mf_query(warehouse: Warehouse, project: Path, *args: str) -> list[dict[str, str]]:
    """`mf query` with these arguments; its result table as rows of column → text ('' for null)."""
    out = project / "query.csv"
    out.unlink(missing_ok=True)
    _mf(warehouse, project, "query", *args, "--csv", str(out), "--quiet")
    with out.open(newline="") as table:
        return list(csv.DictReader(table))


def _day(text: str) -> date:
    return datetime.fromisoformat(text).date()


def test_semantic_layer_validates_against_the_warehouse(built_warehouse: Warehouse, mf_project: Path) -> None:
    output = _mf(built_warehouse, mf_project, "validate-configs")
    assert "Successfully validated metrics against data warehouse" in output
    assert "Breaking issues" not in output


def test_order_metrics_by_week_equal_the_marts(built_warehouse: Warehouse, mf_project: Path) -> None:
    metrics = "revenue,gross_revenue,orders,new_customers,average_order_value"
    rows = _mf_query(built_warehouse, mf_project, "--metrics", metrics, "--group-by", "metric_time__week")
    got = {_day(row["metric_time__week"]): row for row in rows}

    expected = built_warehouse.rows(
        """
        select
            cast(date_trunc('week', order_date) as date),
            sum(net_amount_usd),
            sum(total_amount_usd),
            count(*),
            count(*) filter (where is_first_order)
        from marts.fct_orders
        group by 1
        """
    )
    assert set(got) == {week for week, *_ in expected}
    for week, net, gross, orders, new_customers in expected:
        row = got[week]
        assert Decimal(row["revenue"]) == net, week
        assert Decimal(row["gross_revenue"]) == gross, week
        assert int(row["orders"]) == orders, week
        assert int(row["new_customers"]) == new_customers, week
        assert float(row["average_order_value"]) == pytest.approx(float(net) / orders, rel=1e-9), week

    # totals: revenue is the marts' net revenue; gross revenue is the generator's gross total in USD
    assert sum(Decimal(row["revenue"]) for row in rows) == built_warehouse.one(
        "select sum(net_amount_usd) from marts.fct_orders"
    )
    manifest = json.loads((built_warehouse.data_dir / "manifest.json").read_text())
    assert sum(Decimal(row["gross_revenue"]) for row in rows) == Decimal(manifest["orders"]["gross_total_usd"])


def test_session_metrics_by_channel_equal_the_marts(built_warehouse: Warehouse, mf_project: Path) -> None:
    rows = _mf_query(
        built_warehouse,
        mf_project,
        "--metrics",
        "sessions,sessions_with_purchase,conversion_rate",
        "--group-by",
        "metric_time__month,session__channel",
    )
    got = {(_day(row["metric_time__month"]), row["session__channel"]): row for row in rows}

    expected = built_warehouse.rows(
        """
        select
            cast(date_trunc('month', session_start_date) as date),
            channel,
            count(*),
            count(*) filter (where has_purchase)
        from marts.fct_sessions
        group by 1, 2
        """
    )
    assert set(got) == {(month, channel) for month, channel, *_ in expected}
    for month, channel, sessions, purchasing in expected:
        row = got[(month, channel)]
        assert int(row["sessions"]) == sessions
        assert int(row["sessions_with_purchase"]) == purchasing
        assert float(row["conversion_rate"]) == pytest.approx(purchasing / sessions, rel=1e-9)

    manifest = json.loads((built_warehouse.data_dir / "manifest.json").read_text())
    assert sum(int(row["sessions"]) for row in rows) == manifest["events"]["sessions"]


def test_ad_metrics_by_month_equal_spend_and_last_touch_orders(built_warehouse: Warehouse, mf_project: Path) -> None:
    metrics = "ad_spend,attributed_revenue,paid_new_customers,roas,cac"
    rows = _mf_query(built_warehouse, mf_project, "--metrics", metrics, "--group-by", "metric_time__month")
    got = {_day(row["metric_time__month"]): row for row in rows}

    # spend from the ad platform's days; attribution straight from the orders (not the ad mart's columns)
    spend = dict(
        built_warehouse.rows(
            "select cast(date_trunc('month', report_date) as date), sum(cost_usd)"
            " from marts.fct_ad_performance_daily group by 1"
        )
    )
    attributed = {
        month: (revenue, new_customers)
        for month, revenue, new_customers in built_warehouse.rows(
            """
            select
                cast(date_trunc('month', order_date) as date),
                sum(net_amount_usd),
                count(*) filter (where is_first_order)
            from marts.fct_orders
            where last_touch_campaign_id is not null
            group by 1
            """
        )
    }
    assert set(got) == set(spend) | set(attributed)
    for month, row in got.items():
        month_spend = spend.get(month, Decimal(0))
        revenue, new_customers = attributed.get(month, (Decimal(0), 0))
        assert Decimal(row["ad_spend"]) == month_spend, month
        assert Decimal(row["attributed_revenue"]) == revenue, month
        assert int(row["paid_new_customers"]) == new_customers, month
        assert month_spend > 0 and new_customers > 0, "the demo spends and acquires customers every month"
        assert float(row["roas"]) == pytest.approx(float(revenue) / float(month_spend), rel=1e-9), month
        assert float(row["cac"]) == pytest.approx(float(month_spend) / new_customers, rel=1e-9), month


def test_dimensions_join_through_their_entities(built_warehouse: Warehouse, mf_project: Path) -> None:
    # ad performance → campaigns (campaign entity): spend and attributed revenue per campaign channel
    rows = _mf_query(
        built_warehouse, mf_project, "--metrics", "ad_spend,attributed_revenue", "--group-by", "campaign__channel"
    )
    got = {row["campaign__channel"]: (Decimal(row["ad_spend"]), Decimal(row["attributed_revenue"])) for row in rows}
    expected = {
        channel: (spend, revenue)
        for channel, spend, revenue in built_warehouse.rows(
            """
            select campaigns.channel, sum(performance.cost_usd), sum(performance.last_touch_net_revenue_usd)
            from marts.fct_ad_performance_daily as performance
            inner join marts.dim_campaigns as campaigns
                on performance.campaign_id = campaigns.campaign_id
            group by 1
            """
        )
    }
    assert got == expected

    # orders → the customer version valid when the order was placed (customer_version entity)
    rows = _mf_query(
        built_warehouse, mf_project, "--metrics", "revenue", "--group-by", "customer_version__country_code"
    )
    got_by_country = {row["customer_version__country_code"]: Decimal(row["revenue"]) for row in rows}
    expected_by_country = dict(
        built_warehouse.rows(
            """
            select customers.country_code, sum(orders.net_amount_usd)
            from marts.fct_orders as orders
            left join marts.dim_customers as customers
                on orders.customer_sk = customers.customer_sk
            group by 1
            """
        )
    )
    assert got_by_country == {("" if country is None else country): net for country, net in expected_by_country.items()}
