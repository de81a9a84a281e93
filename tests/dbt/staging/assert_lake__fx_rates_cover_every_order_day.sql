-- Orders can be converted to US dollars: every (day, currency) with orders has an FX rate for
-- that day. Returns the days and currencies without one.
with

orders as (

    select * from {{ ref('stg_oltp__orders') }}

),

fx_rates as (

    select * from {{ ref('stg_lake__fx_rates') }}

),

order_days as (

    select distinct
        cast(placed_at as date) as order_date,
        currency
    from orders

),

missing as (

    select order_days.*
    from order_days
    left join fx_rates
        on order_days.order_date = fx_rates.rate_date
        and order_days.currency = fx_rates.currency
    where fx_rates.rate_date is null

)

select * from missing
