-- Every order's net amount is what was captured minus what was refunded, never negative (a refund
-- never exceeds the captured payment), and its USD figures follow the conversion rule. Returns
-- offending orders.
with

enriched as (

    select * from {{ ref('int_orders_enriched') }}

),

failures as (

    select * from enriched
    where net_amount <> captured_amount - refunded_amount
        or net_amount < 0
        or total_amount_usd <> round(total_amount * usd_per_unit, 2)
        or net_amount_usd <> round(net_amount * usd_per_unit, 2)

)

select * from failures
