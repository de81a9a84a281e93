{#-
    Every valid clickstream event is in exactly one session, and no event is lost or made up:
    count(stg events) = count(sessionized events) = distinct event ids there = sum of the sessions'
    event counts, and the sessions are exactly the distinct session ids of the events.
    Returns a row on failure.
-#}

with

staged as (

    select count(*) as n_events from {{ ref('stg_events__events') }}

),

sessionized as (

    select
        count(*) as n_rows,
        count(distinct event_id) as n_events,
        count(distinct session_id) as n_sessions
    from {{ ref('int_events_sessionized') }}

),

sessions as (

    select
        count(*) as n_sessions,
        sum(event_count) as n_events
    from {{ ref('int_sessions_attributed_to_campaigns') }}

),

final as (

    select
        staged.n_events as staged_events,
        sessionized.n_rows as sessionized_rows,
        sessionized.n_events as sessionized_events,
        sessions.n_events as events_in_sessions,
        sessionized.n_sessions as sessionized_sessions,
        sessions.n_sessions as sessions
    from staged
    cross join sessionized
    cross join sessions
    where sessionized.n_rows <> staged.n_events
        or sessionized.n_events <> staged.n_events
        or coalesce(sessions.n_events, 0) <> staged.n_events
        or sessionized.n_sessions <> sessions.n_sessions

)

select * from final
