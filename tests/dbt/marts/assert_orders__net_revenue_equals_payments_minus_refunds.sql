-- Revenue in the marts is the money in the shop database: per currency, the net amount of
-- fct_orders equals the captured payments minus the succeeded refunds of staging (and the gross
-- total equals the staged orders'). Returns the currencies whose figures differ.
with

orders as (

    select * from {{ ref('fct_orders') }}

),

staged_orders as (

    select * from {{ ref('stg_oltp__orders') }}

),

payments as (

    select * from {{ ref('stg_oltp__payments') }}

),

refunds as (

    select * from {{ ref('stg_oltp__refunds') }}

),

mart_totals as (

    select
        currency,
        sum(total_amount) as total_amount,
        sum(net_amount) as net_amount
    from orders
    group by currency

),

staged_order_totals as (

    select
        currency,
        sum(total_amount) as total_amount
    from staged_orders
    group by currency

),

captured_totals as (

    select
        staged_orders.currency,
        sum(payments.amount) as captured_amount
    from payments
    inner join staged_orders
        on payments.order_id = staged_orders.order_id
    where payments.payment_status = 'captured'
    group by staged_orders.currency

),

refunded_totals as (

    select
        staged_orders.currency,
        sum(refunds.amount) as refunded_amount
    from refunds
    inner join staged_orders
        on refunds.order_id = staged_orders.order_id
    where refunds.refund_status = 'succeeded'
    group by staged_orders.currency

),

source_totals as (

    select
        staged_order_totals.currency,
        staged_order_totals.total_amount,
        coalesce(captured_totals.captured_amount, 0) - coalesce(refunded_totals.refunded_amount, 0) as net_amount
    from staged_order_totals
    left join captured_totals
        on staged_order_totals.currency = captured_totals.currency
    left join refunded_totals
        on staged_order_totals.currency = refunded_totals.currency

),

failures as (

    select
        coalesce(mart_totals.currency, source_totals.currency) as currency,
        mart_totals.total_amount as mart_total_amount,
        source_totals.total_amount as source_total_amount,
        mart_totals.net_amount as mart_net_amount,
        source_totals.net_amount as source_net_amount
    from mart_totals
    full outer join source_totals
        on mart_totals.currency = source_totals.currency
    where mart_totals.currency is null
        or source_totals.currency is null
        or mart_totals.total_amount <> source_totals.total_amount
        or mart_totals.net_amount <> source_totals.net_amount

)

select * from failures
