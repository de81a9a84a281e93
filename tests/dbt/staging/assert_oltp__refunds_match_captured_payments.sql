-- A refund returns money from a captured payment of the same order, in that payment's currency,
-- and never more than was captured. Returns offending refunds.
with

refunds as (

    select * from {{ ref('stg_oltp__refunds') }}

),

payments as (

    select * from {{ ref('stg_oltp__payments') }}

),

refunded_per_payment as (

    select
        payment_id,
        sum(amount) as refunded_amount
    from refunds
    group by payment_id

),

checked as (

    select
        refunds.refund_id,
        refunds.order_id,
        refunds.payment_id,
        refunds.currency,
        payments.order_id as payment_order_id,
        payments.currency as payment_currency,
        payments.payment_status,
        payments.amount as captured_amount,
        refunded_per_payment.refunded_amount
    from refunds
    inner join payments
        on refunds.payment_id = payments.payment_id
    inner join refunded_per_payment
        on refunds.payment_id = refunded_per_payment.payment_id

),

failures as (

    select * from checked
    where payment_status <> 'captured'
        or order_id <> payment_order_id
        or currency <> payment_currency
        or refunded_amount > captured_amount

)

select * from failures
