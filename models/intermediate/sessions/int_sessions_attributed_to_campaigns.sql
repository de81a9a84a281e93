{#-
    One row per clickstream session: its activity, landing page, UTM parameters and marketing channel.
    Incremental (doc block `sessions__sessions_incremental`): a run recomputes only the sessions of the
    visitors `int_events_sessionized` rewrote since (an event from a dlt load that no stored session has
    as its newest), and of the visitors whose channel the `channel_mapping` seed now gives differently,
    and replaces them.
-#}

{#- a table, not the folder's view: its tests and the marts read it, and as a view each would redo the session aggregation over all events -#}
{#- `sessionized_events` is read three times (landing events, customers, activity): inlined, each reads the columns it needs from the table; materialized (DuckDB's default for a CTE read more than once) it held every column of every event -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='anonymous_id',
        on_schema_change='fail',
    )
}}

with

all_sessionized_events as {{ inlined_cte() }} (

    select * from {{ ref('int_events_sessionized') }}

),

channel_mapping as (

    select * from {{ ref('channel_mapping') }}

),

{%- if is_incremental() %}

loaded_sessions as (

    select * from {{ this }}

),

-- the visitors to recompute: an event from a dlt load no session here has as its newest (the visitor
-- was sessionized again, or is new), or a session with UTM parameters whose channel the seed now maps
-- differently (the UTM rule of `channels` below; the referrer rules change only with this SQL)
changed_visitors as (

    select anonymous_id
    from all_sessionized_events
    where dlt_load_id not in (select distinct dlt_load_id from loaded_sessions)

    union

    select loaded_sessions.anonymous_id
    from loaded_sessions
    left join channel_mapping
        on loaded_sessions.utm_source = channel_mapping.utm_source
        and loaded_sessions.utm_medium = channel_mapping.utm_medium
    where (loaded_sessions.utm_source is not null or loaded_sessions.utm_medium is not null)
        and (
            loaded_sessions.channel <> coalesce(channel_mapping.channel, 'Other')
            or loaded_sessions.is_paid <> coalesce(channel_mapping.is_paid, false)
        )

),
{%- endif %}

sessionized_events as {{ inlined_cte() }} (

    select * from all_sessionized_events
    {%- if is_incremental() %}
    where anonymous_id in (select anonymous_id from changed_visitors)
    {%- endif %}

),

landing_events as (

    select
        session_id,
        anonymous_id,
        session_number,
        platform,
        page_path as landing_page_path,
        screen_name as landing_screen_name,
        page_referrer as landing_page_referrer,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_id,
        campaign_id
    from sessionized_events
    where event_number_in_session = 1

),

-- the customer the session ends logged in as: the last event that carries a customer id
identified_events as (

    select
        session_id,
        customer_id,
        row_number() over (
            partition by session_id
            order by event_at desc, event_id desc
        ) as recency_rank
    from sessionized_events
    where customer_id is not null

),

session_customers as (

    select
        session_id,
        customer_id
    from identified_events
    where recency_rank = 1

),

session_activity as (

    select
        session_id,
        min(event_at) as session_started_at,
        max(event_at) as session_ended_at,
        count(*) as event_count,
        cast(
            sum(case when event_type in ('page_view', 'screen_view') then 1 else 0 end)
            as {{ dbt.type_bigint() }}
        ) as page_view_count,
        cast(
            sum(case when event_type = 'add_to_cart' then 1 else 0 end)
            as {{ dbt.type_bigint() }}
        ) as add_to_cart_count,
        cast(
            sum(case when event_type = 'checkout_started' then 1 else 0 end)
            as {{ dbt.type_bigint() }}
        ) as checkout_count,
        cast(
            sum(case when event_type = 'purchase' then 1 else 0 end)
            as {{ dbt.type_bigint() }}
        ) as purchase_count,
        count(distinct order_id) as order_count,
        max(dlt_load_id) as dlt_load_id
    from sessionized_events
    group by session_id

),

-- the rule is the doc block sessions__channel; the referrer hosts are the search engines we know
channels as (

    select
        landing_events.session_id,
        case
            when landing_events.utm_source is not null or landing_events.utm_medium is not null
                then coalesce(channel_mapping.channel, 'Other')
            when landing_events.landing_page_referrer is null
                or landing_events.landing_page_referrer = ''
                then 'Direct'
            when lower(landing_events.landing_page_referrer) like '%://www.google.%'
                or lower(landing_events.landing_page_referrer) like '%://google.%'
                or lower(landing_events.landing_page_referrer) like '%://www.bing.%'
                or lower(landing_events.landing_page_referrer) like '%://duckduckgo.%'
                or lower(landing_events.landing_page_referrer) like '%://search.yahoo.%'
                or lower(landing_events.landing_page_referrer) like '%://www.ecosia.%'
                then 'Organic Search'
            else 'Referral'
        end as channel,
        coalesce(channel_mapping.is_paid, false) as is_paid
    from landing_events
    left join channel_mapping
        on landing_events.utm_source = channel_mapping.utm_source
        and landing_events.utm_medium = channel_mapping.utm_medium

),

final as (

    select
        landing_events.session_id,
        landing_events.anonymous_id,
        session_customers.customer_id,
        landing_events.session_number,
        landing_events.platform,
        session_activity.session_started_at,
        session_activity.session_ended_at,
        cast(session_activity.session_started_at as date) as session_start_date,
        cast(
            floor(
                {{ dbt.datediff(
                    'session_activity.session_started_at', 'session_activity.session_ended_at', 'millisecond'
                ) }}
                / 1000.0
            ) as {{ dbt.type_bigint() }}
        ) as duration_seconds,
        session_activity.event_count,
        session_activity.page_view_count,
        session_activity.add_to_cart_count > 0 as has_add_to_cart,
        session_activity.checkout_count > 0 as has_checkout,
        session_activity.purchase_count > 0 as has_purchase,
        session_activity.purchase_count,
        session_activity.order_count,
        landing_events.landing_page_path,
        landing_events.landing_screen_name,
        landing_events.landing_page_referrer,
        landing_events.utm_source,
        landing_events.utm_medium,
        landing_events.utm_campaign,
        landing_events.utm_id,
        landing_events.campaign_id,
        channels.channel,
        channels.is_paid,
        session_activity.dlt_load_id
    from landing_events
    inner join session_activity
        on landing_events.session_id = session_activity.session_id
    inner join channels
        on landing_events.session_id = channels.session_id
    left join session_customers
        on landing_events.session_id = session_customers.session_id

)

select * from final
