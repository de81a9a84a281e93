-- One row per order: what was ordered, paid, refunded and kept (net), in the order's currency and
-- in US dollars, the customer version valid when the order was placed, and the first-touch and
-- last-touch visit (channel and campaign) that led to it.
with

orders as (

    select * from {{ ref('int_orders_enriched') }}

),

attributions as (

    select * from {{ ref('int_orders_attributed_to_touchpoints') }}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

-- the customer version valid at placed_at (the first version also covers anything before it)
customer_versions as (

    select
        orders.order_id,
        customers.customer_sk
    from orders
    inner join customers
        on orders.customer_id = customers.customer_id
        and (orders.placed_at >= customers.valid_from or customers.version_number = 1)
        and (orders.placed_at < customers.valid_to or customers.valid_to is null)

),

final as (

    select
        orders.order_id,
        orders.order_number,
        orders.customer_id,
        customer_versions.customer_sk,
        orders.customer_order_sequence,
        orders.customer_order_sequence = 1 as is_first_order,
        orders.order_date,
        orders.placed_at,
        orders.channel as sales_channel,
        orders.order_status,
        orders.ship_country_code,
        orders.coupon_code,
        orders.currency,
        orders.item_count,
        orders.unit_count,
        orders.subtotal_amount,
        orders.discount_amount,
        orders.shipping_amount,
        orders.total_amount,
        orders.captured_amount,
        orders.refunded_amount,
        orders.net_amount,
        orders.usd_per_unit,
        orders.total_amount_usd,
        orders.net_amount_usd,
        orders.payment_attempt_count,
        orders.refund_count,
        orders.paid_at,
        orders.shipped_at,
        orders.delivered_at,
        orders.cancelled_at,
        orders.returned_at,
        orders.is_cancelled,
        orders.is_returned,
        attributions.purchase_session_id,
        attributions.touchpoint_count,
        attributions.first_touch_session_id,
        attributions.first_touch_at,
        coalesce(attributions.first_touch_channel, '(none)') as first_touch_channel,
        attributions.first_touch_campaign_id,
        attributions.last_touch_session_id,
        attributions.last_touch_at,
        coalesce(attributions.last_touch_channel, '(none)') as last_touch_channel,
        attributions.last_touch_campaign_id
    from orders
    left join attributions
        on orders.order_id = attributions.order_id
    left join customer_versions
        on orders.order_id = customer_versions.order_id

)

select * from final
