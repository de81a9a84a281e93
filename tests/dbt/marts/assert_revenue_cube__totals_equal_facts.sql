-- The revenue cube neither loses nor double counts: its grand-total row equals the facts (orders,
-- units, item revenue, gross order value, net revenue), and every grouping level adds up to the
-- same item revenue and units (and, on levels that do not split by category, the same orders and
-- net revenue). Returns the grouping levels whose totals differ.
with

revenue_cube as (

    select * from {{ ref('rpt_daily_revenue_cube') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

order_items as (

    select * from {{ ref('fct_order_items') }}

),

order_totals as (

    select
        count(*) as order_count,
        coalesce(sum(total_amount_usd), 0) as gross_order_value_usd,
        coalesce(sum(net_amount_usd), 0) as net_revenue_usd
    from orders

),

item_totals as (

    select
        coalesce(sum(quantity), 0) as unit_count,
        coalesce(sum(line_total_usd), 0) as item_revenue_usd
    from order_items

),

level_totals as (

    select
        grouping_level,
        is_all_categories,
        count(*) as row_count,
        sum(order_count) as order_count,
        sum(unit_count) as unit_count,
        sum(item_revenue_usd) as item_revenue_usd,
        sum(gross_order_value_usd) as gross_order_value_usd,
        sum(net_revenue_usd) as net_revenue_usd
    from revenue_cube
    group by
        grouping_level,
        is_all_categories

),

failures as (

    select level_totals.*
    from level_totals
    cross join order_totals
    cross join item_totals
    where level_totals.unit_count <> item_totals.unit_count
        or level_totals.item_revenue_usd <> item_totals.item_revenue_usd
        or (
            level_totals.is_all_categories
            and (
                level_totals.order_count <> order_totals.order_count
                or level_totals.gross_order_value_usd <> order_totals.gross_order_value_usd
                or level_totals.net_revenue_usd <> order_totals.net_revenue_usd
            )
        )
        or (level_totals.grouping_level = 7 and level_totals.row_count <> 1)

    union all

    -- no grand total at all (the facts have orders, the cube has none)
    select
        7 as grouping_level,
        true as is_all_categories,
        0 as row_count,
        null as order_count,
        null as unit_count,
        null as item_revenue_usd,
        null as gross_order_value_usd,
        null as net_revenue_usd
    from order_totals
    where order_totals.order_count > 0
        and not exists (
            select 1 from revenue_cube
            where revenue_cube.grouping_level = 7
        )

)

select * from failures
