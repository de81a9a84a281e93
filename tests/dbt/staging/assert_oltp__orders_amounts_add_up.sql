-- An order's amounts are consistent: total = subtotal − discount + shipping, the subtotal is the
-- sum of its line totals, and each line total is quantity × unit price. Returns offending orders.
with

orders as (

    select * from {{ ref('stg_oltp__orders') }}

),

order_items as (

    select * from {{ ref('stg_oltp__order_items') }}

),

line_totals as (

    select
        order_id,
        sum(line_total) as lines_amount,
        sum(case when line_total <> quantity * unit_price then 1 else 0 end) as bad_lines
    from order_items
    group by order_id

),

checked as (

    select
        orders.order_id,
        orders.subtotal_amount,
        orders.discount_amount,
        orders.shipping_amount,
        orders.total_amount,
        line_totals.lines_amount,
        coalesce(line_totals.bad_lines, 0) as bad_lines
    from orders
    left join line_totals
        on orders.order_id = line_totals.order_id

),

failures as (

    select * from checked
    where total_amount <> subtotal_amount - discount_amount + shipping_amount
        or subtotal_amount <> coalesce(lines_amount, 0)
        or bad_lines > 0

)

select * from failures
