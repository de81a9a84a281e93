-- int_customers_order_history keeps every customer account once and every order once: its
-- account count equals staging's, and its order count, gross and net US-dollar revenue add up to
-- int_orders_enriched. Returns a row when any figure differs.
with

history as (

    select * from {{ ref('int_customers_order_history') }}

),

customers as (

    select * from {{ ref('stg_oltp__customers') }}

),

orders as (

    select * from {{ ref('int_orders_enriched') }}

),

history_totals as (

    select
        count(*) as customer_count,
        sum(order_count) as order_count,
        sum(lifetime_gross_revenue_usd) as gross_revenue_usd,
        sum(lifetime_net_revenue_usd) as net_revenue_usd
    from history

),

order_totals as (

    select
        count(*) as order_count,
        coalesce(sum(total_amount_usd), 0) as gross_revenue_usd,
        coalesce(sum(net_amount_usd), 0) as net_revenue_usd
    from orders

),

customer_totals as (

    select count(*) as customer_count
    from customers

),

compared as (

    select
        history_totals.customer_count,
        customer_totals.customer_count as staged_customer_count,
        history_totals.order_count,
        order_totals.order_count as enriched_order_count,
        history_totals.gross_revenue_usd,
        order_totals.gross_revenue_usd as enriched_gross_revenue_usd,
        history_totals.net_revenue_usd,
        order_totals.net_revenue_usd as enriched_net_revenue_usd
    from history_totals
    cross join order_totals
    cross join customer_totals

),

failures as (

    select * from compared
    where customer_count <> staged_customer_count
        or order_count <> enriched_order_count
        or gross_revenue_usd <> enriched_gross_revenue_usd
        or net_revenue_usd <> enriched_net_revenue_usd

)

select * from failures
