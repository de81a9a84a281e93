-- One row per order line: the product, quantity and price as ordered, the line total in the order's
-- currency and in US dollars (at the order day's rate), with the order's date, customer, sales
-- channel and status so lines can be analysed without a join.
with

order_items as (

    select * from {{ ref('stg_oltp__order_items') }}

),

orders as (

    select * from {{ ref('int_orders_enriched') }}

),

products as (

    select * from {{ ref('stg_oltp__products') }}

),

final as (

    select
        order_items.order_item_id,
        order_items.order_id,
        orders.customer_id,
        order_items.product_id,
        products.category_id,
        orders.order_date,
        orders.placed_at,
        orders.channel as sales_channel,
        orders.order_status,
        orders.is_cancelled,
        orders.is_returned,
        orders.currency,
        order_items.quantity,
        order_items.unit_price,
        order_items.line_total,
        orders.usd_per_unit,
        cast(round(order_items.line_total * orders.usd_per_unit, 2) as decimal(12, 2)) as line_total_usd
    from order_items
    inner join orders
        on order_items.order_id = orders.order_id
    left join products
        on order_items.product_id = products.product_id

)

select * from final
