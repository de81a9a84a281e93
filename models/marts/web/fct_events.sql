{#-
    One row per valid clickstream event with its session (int_events_sessionized). Incremental: each
    run replaces every event from the window start on (doc block web__incremental_window).
-#}

{{
    config(
        materialized='incremental',
        incremental_strategy='replace_window',
        unique_key='event_id',
        on_schema_change='fail',
        incremental_predicates=[
            'DBT_INTERNAL_DEST.event_at >= (select min(event_at) from DBT_INTERNAL_SOURCE)',
        ],
    )
}}

with

sessionized_events as (

    select * from {{ ref('int_events_sessionized') }}

),

{% if is_incremental() %}

-- midnight var('incremental_lookback_days') days before the newest event date already loaded
lookback_cutoff as (

    select {{ incremental_lookback_cutoff('event_date') }} as cutoff_at
    from {{ this }}

),

-- the earliest start of a session with an event at or after the cutoff: a session open at the
-- cutoff is rebuilt whole (a late event may have merged it with the next one, changing its id)
sessions_open_at_cutoff as (

    select min(session_started_at) as earliest_started_at
    from sessionized_events
    where event_at >= (select cutoff_at from lookback_cutoff)

),

window_start as (

    select coalesce(sessions_open_at_cutoff.earliest_started_at, lookback_cutoff.cutoff_at) as window_started_at
    from lookback_cutoff
    cross join sessions_open_at_cutoff

),

events_to_load as (

    select sessionized_events.*
    from sessionized_events
    cross join window_start
    where window_start.window_started_at is null
        or sessionized_events.event_at >= window_start.window_started_at

),

{% else %}

events_to_load as (

    select * from sessionized_events

),

{% endif %}

final as (

    select
        event_id,
        session_id,
        anonymous_id,
        customer_id,
        event_number_in_session,
        is_session_start,
        event_type,
        event_at,
        event_date,
        received_at,
        cast(received_at as date) > event_date as is_late_arrival,
        platform,
        page_path,
        page_referrer,
        screen_name,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_id,
        campaign_id,
        product_id,
        order_id,
        order_total,
        currency
    from events_to_load

)

select * from final
