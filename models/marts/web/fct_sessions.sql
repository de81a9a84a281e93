-- One row per clickstream session (see the doc block on sessions): when and how long, what the
-- visitor did (page views, cart, checkout, purchase), where they came from (landing page, UTM,
-- channel, campaign), and the orders placed and net revenue in US dollars.
with

sessions as (

    select * from {{ ref('int_sessions_attributed_to_campaigns') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

orders_per_session as (

    select
        purchase_session_id as session_id,
        count(*) as order_count,
        sum(total_amount_usd) as gross_revenue_usd,
        sum(net_amount_usd) as net_revenue_usd
    from orders
    where purchase_session_id is not null
    group by purchase_session_id

),

final as (

    select
        sessions.session_id,
        sessions.anonymous_id,
        sessions.customer_id,
        sessions.session_number,
        sessions.session_number = 1 as is_first_session,
        sessions.platform,
        sessions.session_start_date,
        sessions.session_started_at,
        sessions.session_ended_at,
        sessions.duration_seconds,
        sessions.event_count,
        sessions.page_view_count,
        sessions.event_count = 1 as is_bounce,
        sessions.has_add_to_cart,
        sessions.has_checkout,
        sessions.has_purchase,
        coalesce(orders_per_session.order_count, 0) as order_count,
        cast(coalesce(orders_per_session.gross_revenue_usd, 0) as decimal(12, 2)) as gross_revenue_usd,
        cast(coalesce(orders_per_session.net_revenue_usd, 0) as decimal(12, 2)) as net_revenue_usd,
        sessions.landing_page_path,
        sessions.landing_screen_name,
        sessions.landing_page_referrer,
        sessions.utm_source,
        sessions.utm_medium,
        sessions.utm_campaign,
        sessions.utm_id,
        sessions.campaign_id,
        sessions.channel,
        sessions.is_paid
    from sessions
    left join orders_per_session
        on sessions.session_id = orders_per_session.session_id

)

select * from final
