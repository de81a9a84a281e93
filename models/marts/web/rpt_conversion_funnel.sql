-- The shopping funnel per day, platform and marketing channel: visits (sessions), visits that
-- viewed a product, added to the cart, started checkout and purchased, with the step and overall
-- conversion rates. One row per session_start_date × platform × channel that had sessions.
with

sessions as (

    select * from {{ ref('fct_sessions') }}

),

sessionized_events as (

    select * from {{ ref('int_events_sessionized') }}

),

-- a product view is a page view (web) or screen view (apps) of a product: the event names one
product_view_sessions as (

    select distinct session_id
    from sessionized_events
    where event_type in ('page_view', 'screen_view')
        and product_id is not null

),

session_steps as (

    select
        sessions.session_start_date,
        sessions.platform,
        sessions.channel,
        sessions.page_view_count > 0 as has_page_view,
        product_view_sessions.session_id is not null as has_product_view,
        sessions.has_add_to_cart,
        sessions.has_checkout,
        sessions.has_purchase,
        sessions.order_count,
        sessions.net_revenue_usd
    from sessions
    left join product_view_sessions
        on sessions.session_id = product_view_sessions.session_id

),

daily_funnel as (

    select
        session_start_date,
        platform,
        channel,
        count(*) as session_count,
        sum(case when has_page_view then 1 else 0 end) as page_view_session_count,
        sum(case when has_product_view then 1 else 0 end) as product_view_session_count,
        sum(case when has_add_to_cart then 1 else 0 end) as add_to_cart_session_count,
        sum(case when has_checkout then 1 else 0 end) as checkout_session_count,
        sum(case when has_purchase then 1 else 0 end) as purchase_session_count,
        sum(order_count) as order_count,
        sum(net_revenue_usd) as net_revenue_usd
    from session_steps
    group by
        session_start_date,
        platform,
        channel

),

final as (

    select
        {{ surrogate_key(['session_start_date', 'platform', 'channel']) }} as conversion_funnel_id,
        session_start_date,
        platform,
        channel,
        cast(session_count as {{ dbt.type_bigint() }}) as session_count,
        cast(page_view_session_count as {{ dbt.type_bigint() }}) as page_view_session_count,
        cast(product_view_session_count as {{ dbt.type_bigint() }}) as product_view_session_count,
        cast(add_to_cart_session_count as {{ dbt.type_bigint() }}) as add_to_cart_session_count,
        cast(checkout_session_count as {{ dbt.type_bigint() }}) as checkout_session_count,
        cast(purchase_session_count as {{ dbt.type_bigint() }}) as purchase_session_count,
        {{ divide_or_null('product_view_session_count', 'session_count') }} as product_view_rate,
        {{ divide_or_null('add_to_cart_session_count', 'product_view_session_count') }}
            as view_to_cart_rate,
        {{ divide_or_null('checkout_session_count', 'add_to_cart_session_count') }}
            as cart_to_checkout_rate,
        {{ divide_or_null('purchase_session_count', 'checkout_session_count') }}
            as checkout_to_purchase_rate,
        {{ divide_or_null('purchase_session_count', 'session_count') }} as session_conversion_rate,
        cast(order_count as {{ dbt.type_bigint() }}) as order_count,
        cast(net_revenue_usd as decimal(18, 2)) as net_revenue_usd
    from daily_funnel

)

select * from final
