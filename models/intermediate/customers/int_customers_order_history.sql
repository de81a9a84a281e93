-- Every customer account with its order history: first, second and last order, order count and
-- lifetime gross and net revenue in US dollars. One row per account (customer_id), accounts
-- without orders included; canonical_customer_id says which person the account belongs to.

{#- a table, not the folder's view: dim_customers and 15 tests read it, and as a view each would redo the order-history aggregation over every order -#}
{{ config(materialized='table') }}

with

customers as (

    select * from {{ ref('stg_oltp__customers') }}

),

orders as (

    select * from {{ ref('int_orders_enriched') }}

),

order_totals as (

    select
        customer_id,
        count(*) as order_count,
        sum(case when is_cancelled then 1 else 0 end) as cancelled_order_count,
        sum(case when is_returned then 1 else 0 end) as returned_order_count,
        min(placed_at) as first_order_at,
        max(placed_at) as last_order_at,
        sum(total_amount_usd) as lifetime_gross_revenue_usd,
        sum(net_amount_usd) as lifetime_net_revenue_usd
    from orders
    group by customer_id

),

first_orders as (

    select
        customer_id,
        order_id as first_order_id,
        channel as first_order_channel
    from orders
    where customer_order_sequence = 1

),

second_orders as (

    select
        customer_id,
        placed_at as second_order_at
    from orders
    where customer_order_sequence = 2

),

customers_joined as (

    select
        customers.customer_id,
        customers.canonical_customer_id,
        customers.is_duplicate_account,
        customers.created_at as customer_created_at,
        coalesce(order_totals.order_count, 0) as order_count,
        coalesce(order_totals.cancelled_order_count, 0) as cancelled_order_count,
        coalesce(order_totals.returned_order_count, 0) as returned_order_count,
        first_orders.first_order_id,
        first_orders.first_order_channel,
        order_totals.first_order_at,
        second_orders.second_order_at,
        order_totals.last_order_at,
        cast(coalesce(order_totals.lifetime_gross_revenue_usd, 0) as decimal(12, 2))
            as lifetime_gross_revenue_usd,
        cast(coalesce(order_totals.lifetime_net_revenue_usd, 0) as decimal(12, 2))
            as lifetime_net_revenue_usd
    from customers
    left join order_totals
        on customers.customer_id = order_totals.customer_id
    left join first_orders
        on customers.customer_id = first_orders.customer_id
    left join second_orders
        on customers.customer_id = second_orders.customer_id

),

final as (

    select
        customer_id,
        canonical_customer_id,
        is_duplicate_account,
        customer_created_at,
        order_count,
        cancelled_order_count,
        returned_order_count,
        order_count > 0 as has_ordered,
        order_count > 1 as is_repeat_customer,
        first_order_id,
        first_order_channel,
        first_order_at,
        cast(first_order_at as date) as first_order_date,
        cast(second_order_at as date) as second_order_date,
        last_order_at,
        cast(last_order_at as date) as last_order_date,
        {{ dbt.datediff('cast(first_order_at as date)', 'cast(second_order_at as date)', 'day') }}
            as days_between_first_and_second_order,
        lifetime_gross_revenue_usd,
        lifetime_net_revenue_usd
    from customers_joined

)

select * from final
