-- Revenue as a cube over order day × sales channel × top-level product category, with every
-- subtotal (group by cube): one row per grouping level and combination. Item measures come from the
-- order lines; order-level measures (gross order value, net revenue) only on rows that do not split
-- by category, where they are honest (see the doc blocks in _finance__docs.md).
-- Portability: `group by cube` and one-argument grouping() are SQL:1999, documented by DuckDB,
-- PostgreSQL 9.5+, Snowflake, BigQuery and Redshift, so no adapter.dispatch macro; the multi-argument
-- grouping(a, b, c) and grouping_id() are not portable and are not used (the level is computed).
with

order_items as (

    select * from {{ ref('fct_order_items') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

products as (

    select * from {{ ref('dim_products') }}

),

-- one row per order line; an order without lines keeps one row (category '(no items)') so that
-- every order is counted; the order's own amounts ride on its first row only (no fan-out)
order_lines as (

    select
        orders.order_id,
        orders.order_date,
        orders.sales_channel,
        case
            when order_items.order_item_id is null then '(no items)'
            else coalesce(products.top_category_name, '(unknown)')
        end as top_category_name,
        coalesce(order_items.quantity, 0) as quantity,
        coalesce(order_items.line_total_usd, 0) as line_total_usd,
        row_number() over (
            partition by orders.order_id
            order by order_items.order_item_id
        ) = 1 as is_first_row_of_order,
        orders.total_amount_usd,
        orders.net_amount_usd
    from orders
    left join order_items
        on orders.order_id = order_items.order_id
    left join products
        on order_items.product_id = products.product_id

),

cube_aggregated as (

    select
        order_date,
        sales_channel,
        top_category_name,
        grouping(order_date) as is_all_dates_grouping,
        grouping(sales_channel) as is_all_channels_grouping,
        grouping(top_category_name) as is_all_categories_grouping,
        count(distinct order_id) as order_count,
        sum(quantity) as unit_count,
        sum(line_total_usd) as item_revenue_usd,
        sum(case when is_first_row_of_order then total_amount_usd else 0 end) as gross_order_value_usd,
        sum(case when is_first_row_of_order then net_amount_usd else 0 end) as net_revenue_usd
    from order_lines
    group by cube(order_date, sales_channel, top_category_name)
    -- no orders at all, no rows: DuckDB and PostgreSQL group empty input once (a grand total of null
    -- sums, which the not_null constraints refuse), Spark not at all; every other group has rows
    having count(*) > 0

),

final as (

    select
        {{ surrogate_key([
            'is_all_dates_grouping', 'is_all_channels_grouping', 'is_all_categories_grouping',
            'order_date', 'sales_channel', 'top_category_name'
        ]) }} as revenue_cube_id,
        cast(
            is_all_dates_grouping * 4 + is_all_channels_grouping * 2 + is_all_categories_grouping
            as integer
        ) as grouping_level,
        is_all_dates_grouping = 1 as is_all_dates,
        is_all_channels_grouping = 1 as is_all_sales_channels,
        is_all_categories_grouping = 1 as is_all_categories,
        order_date,
        case when is_all_channels_grouping = 1 then '(all)' else sales_channel end as sales_channel,
        case
            when is_all_categories_grouping = 1 then '(all)' else top_category_name
        end as top_category_name,
        cast(order_count as {{ dbt.type_bigint() }}) as order_count,
        cast(unit_count as {{ dbt.type_bigint() }}) as unit_count,
        cast(item_revenue_usd as decimal(18, 2)) as item_revenue_usd,
        case
            when is_all_categories_grouping = 1 then cast(gross_order_value_usd as decimal(18, 2))
        end as gross_order_value_usd,
        case
            when is_all_categories_grouping = 1 then cast(net_revenue_usd as decimal(18, 2))
        end as net_revenue_usd
    from cube_aggregated

)

select * from final
