-- Orders with what happened to them: item and unit counts, money captured and refunded (net), the
-- gross and net amounts in US dollars at the FX rate of the order date, and the first time the
-- order reached each status. One row per order; every staged order is kept.

{#- a table, not the folder's view: four models and 32 tests read it, and as a view each would redo the joins and aggregations of orders, items, payments, refunds and FX rates -#}
{{ config(materialized='table') }}

with

orders as (

    select * from {{ ref('stg_oltp__orders') }}

),

order_items as (

    select * from {{ ref('stg_oltp__order_items') }}

),

payments as (

    select * from {{ ref('stg_oltp__payments') }}

),

refunds as (

    select * from {{ ref('stg_oltp__refunds') }}

),

order_status_history as (

    select * from {{ ref('stg_oltp__order_status_history') }}

),

fx_rates as (

    select * from {{ ref('stg_lake__fx_rates') }}

),

items_per_order as (

    select
        order_id,
        count(*) as item_count,
        cast(sum(quantity) as {{ dbt.type_bigint() }}) as unit_count
    from order_items
    group by order_id

),

payments_per_order as (

    select
        order_id,
        count(*) as payment_attempt_count,
        sum(case when payment_status = 'captured' then amount else 0 end) as captured_amount
    from payments
    group by order_id

),

-- only refunds whose money actually went back count; pending and failed ones are not revenue lost
refunds_per_order as (

    select
        order_id,
        count(*) as refund_count,
        sum(amount) as refunded_amount
    from refunds
    where refund_status = 'succeeded'
    group by order_id

),

status_times as (

    select
        order_id,
        min(case when order_status = 'paid' then changed_at end) as paid_at,
        min(case when order_status = 'shipped' then changed_at end) as shipped_at,
        min(case when order_status = 'delivered' then changed_at end) as delivered_at,
        min(case when order_status = 'cancelled' then changed_at end) as cancelled_at,
        min(case when order_status = 'returned' then changed_at end) as returned_at
    from order_status_history
    group by order_id

),

orders_joined as (

    select
        orders.order_id,
        orders.order_number,
        orders.customer_id,
        orders.channel,
        orders.order_status,
        orders.currency,
        orders.placed_at,
        cast(orders.placed_at as date) as order_date,
        orders.subtotal_amount,
        orders.discount_amount,
        orders.shipping_amount,
        orders.total_amount,
        orders.coupon_code,
        orders.ship_country_code,
        coalesce(items_per_order.item_count, 0) as item_count,
        coalesce(items_per_order.unit_count, 0) as unit_count,
        coalesce(payments_per_order.payment_attempt_count, 0) as payment_attempt_count,
        cast(coalesce(payments_per_order.captured_amount, 0) as decimal(12, 2)) as captured_amount,
        coalesce(refunds_per_order.refund_count, 0) as refund_count,
        cast(coalesce(refunds_per_order.refunded_amount, 0) as decimal(12, 2)) as refunded_amount,
        status_times.paid_at,
        status_times.shipped_at,
        status_times.delivered_at,
        status_times.cancelled_at,
        status_times.returned_at
    from orders
    left join items_per_order
        on orders.order_id = items_per_order.order_id
    left join payments_per_order
        on orders.order_id = payments_per_order.order_id
    left join refunds_per_order
        on orders.order_id = refunds_per_order.order_id
    left join status_times
        on orders.order_id = status_times.order_id

),

net_computed as (

    select
        *,
        cast(captured_amount - refunded_amount as decimal(12, 2)) as net_amount
    from orders_joined

),

-- per order: round(amount × usd_per_unit, 2), half away from zero (round() on a decimal does
-- that on DuckDB, PostgreSQL and Snowflake), at the rate of the day the order was placed
converted_to_usd as (

    select
        net_computed.*,
        fx_rates.usd_per_unit,
        cast(
            round(net_computed.total_amount * fx_rates.usd_per_unit, 2) as decimal(12, 2)
        ) as total_amount_usd,
        cast(
            round(net_computed.net_amount * fx_rates.usd_per_unit, 2) as decimal(12, 2)
        ) as net_amount_usd
    from net_computed
    left join fx_rates
        on net_computed.order_date = fx_rates.rate_date
        and net_computed.currency = fx_rates.currency

),

customer_sequence as (

    select
        *,
        cast(row_number() over (
            partition by customer_id
            order by placed_at, order_id
        ) as {{ dbt.type_bigint() }}) as customer_order_sequence
    from converted_to_usd

),

final as (

    select
        order_id,
        order_number,
        customer_id,
        customer_order_sequence,
        channel,
        order_status,
        currency,
        placed_at,
        order_date,
        subtotal_amount,
        discount_amount,
        shipping_amount,
        total_amount,
        coupon_code,
        ship_country_code,
        item_count,
        unit_count,
        payment_attempt_count,
        captured_amount,
        refund_count,
        refunded_amount,
        net_amount,
        usd_per_unit,
        total_amount_usd,
        net_amount_usd,
        paid_at,
        shipped_at,
        delivered_at,
        cancelled_at,
        returned_at,
        cancelled_at is not null as is_cancelled,
        returned_at is not null as is_returned
    from customer_sequence

)

select * from final
