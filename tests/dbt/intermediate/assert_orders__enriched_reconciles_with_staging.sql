-- int_orders_enriched neither loses nor multiplies orders or money: per currency, its order count,
-- gross total, captured and refunded amounts equal staging's orders, captured payments and
-- succeeded refunds. Returns the currencies (and figures) that differ.
with

enriched as (

    select * from {{ ref('int_orders_enriched') }}

),

orders as (

    select * from {{ ref('stg_oltp__orders') }}

),

payments as (

    select * from {{ ref('stg_oltp__payments') }}

),

refunds as (

    select * from {{ ref('stg_oltp__refunds') }}

),

enriched_per_currency as (

    select
        currency,
        count(*) as order_count,
        sum(total_amount) as total_amount,
        sum(captured_amount) as captured_amount,
        sum(refunded_amount) as refunded_amount
    from enriched
    group by currency

),

orders_per_currency as (

    select
        currency,
        count(*) as order_count,
        sum(total_amount) as total_amount
    from orders
    group by currency

),

captured_per_currency as (

    select
        currency,
        sum(amount) as captured_amount
    from payments
    where payment_status = 'captured'
    group by currency

),

refunded_per_currency as (

    select
        currency,
        sum(amount) as refunded_amount
    from refunds
    where refund_status = 'succeeded'
    group by currency

),

compared as (

    select
        coalesce(enriched_per_currency.currency, orders_per_currency.currency) as currency,
        enriched_per_currency.order_count,
        orders_per_currency.order_count as staged_order_count,
        enriched_per_currency.total_amount,
        orders_per_currency.total_amount as staged_total_amount,
        enriched_per_currency.captured_amount,
        coalesce(captured_per_currency.captured_amount, 0) as staged_captured_amount,
        enriched_per_currency.refunded_amount,
        coalesce(refunded_per_currency.refunded_amount, 0) as staged_refunded_amount
    from enriched_per_currency
    full outer join orders_per_currency
        on enriched_per_currency.currency = orders_per_currency.currency
    left join captured_per_currency
        on coalesce(enriched_per_currency.currency, orders_per_currency.currency) = captured_per_currency.currency
    left join refunded_per_currency
        on coalesce(enriched_per_currency.currency, orders_per_currency.currency) = refunded_per_currency.currency

),

failures as (

    select * from compared
    where order_count is distinct from staged_order_count
        or total_amount is distinct from staged_total_amount
        or captured_amount is distinct from staged_captured_amount
        or refunded_amount is distinct from staged_refunded_amount

)

select * from failures
