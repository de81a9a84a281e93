{#-
    One row per clickstream session (see the doc block on sessions): when and how long, what the
    visitor did (page views, cart, checkout, purchase), where they came from (landing page, UTM,
    channel, campaign), and the orders placed and net revenue in US dollars. Incremental: each run
    replaces every session from the window start on, plus older sessions whose orders changed
    (doc block web__incremental_window).
-#}

{#- the delete's window: from the earliest start of a batch session still going at the lookback cutoff -#}
{%- set sessions_from_window_start -%}
    DBT_INTERNAL_DEST.session_started_at >= (
        select min(session_started_at)
        from DBT_INTERNAL_SOURCE
        where session_ended_at >= (
            select {{ incremental_lookback_cutoff('session_start_date') }} from DBT_INTERNAL_TARGET
        )
    )
{%- endset -%}

{{
    config(
        materialized='incremental',
        incremental_strategy='replace_window',
        unique_key='session_id',
        on_schema_change='fail',
        incremental_predicates=[sessions_from_window_start],
    )
}}

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

{% if is_incremental() %}

loaded_sessions as (

    select * from {{ this }}

),

-- midnight var('incremental_lookback_days') days before the newest session start date already loaded
lookback_cutoff as (

    select {{ incremental_lookback_cutoff('session_start_date') }} as cutoff_at
    from loaded_sessions

),

-- the earliest start of a session still going at or after the cutoff: such a session is rebuilt whole
sessions_open_at_cutoff as (

    select min(session_started_at) as earliest_started_at
    from sessions
    where session_ended_at >= (select cutoff_at from lookback_cutoff)

),

window_start as (

    select coalesce(sessions_open_at_cutoff.earliest_started_at, lookback_cutoff.cutoff_at) as window_started_at
    from lookback_cutoff
    cross join sessions_open_at_cutoff

),

-- loaded sessions before the window whose order figures changed since (an order placed or
-- re-attributed, a payment, a refund, a cancellation): rebuilt by key
restated_sessions as (

    select loaded_sessions.session_id
    from loaded_sessions
    cross join window_start
    left join orders_per_session
        on loaded_sessions.session_id = orders_per_session.session_id
    where loaded_sessions.session_started_at < window_start.window_started_at
        and (
            loaded_sessions.order_count <> coalesce(orders_per_session.order_count, 0)
            or loaded_sessions.gross_revenue_usd
            <> cast(coalesce(orders_per_session.gross_revenue_usd, 0) as decimal(12, 2))
            or loaded_sessions.net_revenue_usd
            <> cast(coalesce(orders_per_session.net_revenue_usd, 0) as decimal(12, 2))
        )

),

sessions_to_load as (

    select sessions.*
    from sessions
    cross join window_start
    where window_start.window_started_at is null
        or sessions.session_started_at >= window_start.window_started_at
        or sessions.session_id in (select session_id from restated_sessions)

),

{% else %}

sessions_to_load as (

    select * from sessions

),

{% endif %}

final as (

    select
        sessions_to_load.session_id,
        sessions_to_load.anonymous_id,
        sessions_to_load.customer_id,
        sessions_to_load.session_number,
        sessions_to_load.session_number = 1 as is_first_session,
        sessions_to_load.platform,
        sessions_to_load.session_start_date,
        sessions_to_load.session_started_at,
        sessions_to_load.session_ended_at,
        sessions_to_load.duration_seconds,
        sessions_to_load.event_count,
        sessions_to_load.page_view_count,
        sessions_to_load.event_count = 1 as is_bounce,
        sessions_to_load.has_add_to_cart,
        sessions_to_load.has_checkout,
        sessions_to_load.has_purchase,
        coalesce(orders_per_session.order_count, 0) as order_count,
        cast(coalesce(orders_per_session.gross_revenue_usd, 0) as decimal(12, 2)) as gross_revenue_usd,
        cast(coalesce(orders_per_session.net_revenue_usd, 0) as decimal(12, 2)) as net_revenue_usd,
        sessions_to_load.landing_page_path,
        sessions_to_load.landing_screen_name,
        sessions_to_load.landing_page_referrer,
        sessions_to_load.utm_source,
        sessions_to_load.utm_medium,
        sessions_to_load.utm_campaign,
        sessions_to_load.utm_id,
        sessions_to_load.campaign_id,
        sessions_to_load.channel,
        sessions_to_load.is_paid
    from sessions_to_load
    left join orders_per_session
        on sessions_to_load.session_id = orders_per_session.session_id

)

select * from final
