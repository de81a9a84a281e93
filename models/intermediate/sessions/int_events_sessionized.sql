{#-
    Every valid clickstream event with its session: a new session after more than 30 minutes of
    inactivity per anonymous_id. Incremental (doc block `sessions__incremental`): a run recomputes
    only the visitors with events from new dlt loads, over all their events, and replaces their rows.
-#}

{#- a table, not the folder's view: its tests and the marts read it, and as a view each would redo the sessionization over all events -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='anonymous_id',
        on_schema_change='fail',
    )
}}

{%- set inactivity_minutes = 30 -%}

with

valid_events as (

    select * from {{ ref('stg_events__events') }}

),

{%- if is_incremental() %}

-- the visitors with an event from a load this table has not seen (a new event, or a copy received
-- earlier that now stands for an event loaded before)
changed_visitors as (

    select distinct anonymous_id
    from valid_events
    where dlt_load_id not in (select distinct dlt_load_id from {{ this }})

),
{%- endif %}

events as (

    select * from valid_events
    {%- if is_incremental() %}
    where anonymous_id in (select anonymous_id from changed_visitors)
    {%- endif %}

),

-- the visitor's previous event, in event time (not arrival order), ties broken by event_id, and the
-- event's place in that order
previous_events as (

    select
        *,
        lag(event_at) over (
            partition by anonymous_id
            order by event_at, event_id
        ) as previous_event_at,
        row_number() over (
            partition by anonymous_id
            order by event_at, event_id
        ) as visitor_event_number
    from events

),

session_starts as (

    select
        *,
        case
            when previous_event_at is null then true
            when event_at > {{ dbt.dateadd('minute', inactivity_minutes, 'previous_event_at') }} then true
            else false
        end as is_session_start
    from previous_events

),

-- running over the same order as above (one more sort, not two): the session's number, and its first
-- event's time and place, the latest session start so far (event_at never decreases in this order)
session_numbers as (

    select
        *,
        cast(sum(case when is_session_start then 1 else 0 end) over visitor_order as {{ dbt.type_bigint() }})
            as session_number,
        max(case when is_session_start then event_at end) over visitor_order as session_started_at,
        max(case when is_session_start then visitor_event_number end) over visitor_order
            as session_first_event_number
    from session_starts
    window visitor_order as (
        partition by anonymous_id
        order by event_at, event_id
        rows between unbounded preceding and current row
    )

),

session_bounds as (

    select
        *,
        cast(visitor_event_number - session_first_event_number + 1 as {{ dbt.type_bigint() }})
            as event_number_in_session
    from session_numbers

),

final as (

    select
        event_id,
        {{ surrogate_key(['anonymous_id', 'session_started_at']) }} as session_id,
        anonymous_id,
        session_number,
        session_started_at,
        event_number_in_session,
        is_session_start,
        previous_event_at,
        event_type,
        event_at,
        event_date,
        received_at,
        user_id,
        customer_id,
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
        currency,
        dlt_load_id
    from session_bounds

)

select * from final
