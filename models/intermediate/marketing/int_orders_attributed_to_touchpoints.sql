{#- Every order with the visits that led to it: first-touch and last-touch session, channel and campaign within the attribution window. -#}

{#- a table, not the folder's view: fct_orders and a dozen tests read it, and as a view each would redo the attribution joins -#}
{{ config(materialized='table') }}

{%- set attribution_window_days = integer_var('attribution_window_days') -%}

with

orders as (

    select * from {{ ref('int_orders_enriched') }}

),

sessions as (

    select * from {{ ref('int_sessions_attributed_to_campaigns') }}

),

sessionized_events as (

    select * from {{ ref('int_events_sessionized') }}

),

-- the session in which the order was placed (web and app orders send a purchase event): the
-- session of the order's first purchase event, its session and anonymous_id taken from the same
-- event (a purchase re-sent from another session or device must not mix the two)
purchase_events as (

    select
        order_id,
        session_id,
        anonymous_id,
        row_number() over (
            partition by order_id
            order by event_at, event_id
        ) as purchase_event_rank
    from sessionized_events
    where event_type = 'purchase'
        and order_id is not null

),

purchase_sessions as (

    select
        order_id,
        session_id as purchase_session_id,
        anonymous_id
    from purchase_events
    where purchase_event_rank = 1

),

orders_with_visitor as (

    select
        orders.order_id,
        orders.customer_id,
        orders.placed_at,
        purchase_sessions.purchase_session_id,
        purchase_sessions.anonymous_id
    from orders
    left join purchase_sessions
        on orders.order_id = purchase_sessions.order_id

),

-- a touchpoint is a session of the same browser/app install, or of the same logged-in customer,
-- that started within the window before the order was placed
touchpoints_by_visitor as (

    select
        orders_with_visitor.order_id,
        sessions.session_id
    from orders_with_visitor
    inner join sessions
        on orders_with_visitor.anonymous_id = sessions.anonymous_id
    where sessions.session_started_at <= orders_with_visitor.placed_at
        and sessions.session_started_at
        >= {{ dbt.dateadd('day', -attribution_window_days, 'orders_with_visitor.placed_at') }}

),

touchpoints_by_customer as (

    select
        orders_with_visitor.order_id,
        sessions.session_id
    from orders_with_visitor
    inner join sessions
        on orders_with_visitor.customer_id = sessions.customer_id
    where sessions.session_started_at <= orders_with_visitor.placed_at
        and sessions.session_started_at
        >= {{ dbt.dateadd('day', -attribution_window_days, 'orders_with_visitor.placed_at') }}

),

-- the purchase session always counts, even if its start is after placed_at by clock skew
purchase_touchpoints as (

    select
        order_id,
        purchase_session_id as session_id
    from orders_with_visitor
    where purchase_session_id is not null

),

touchpoints as (

    select
        order_id,
        session_id
    from touchpoints_by_visitor
    union
    select
        order_id,
        session_id
    from touchpoints_by_customer
    union
    select
        order_id,
        session_id
    from purchase_touchpoints

),

touchpoints_ranked as (

    select
        touchpoints.order_id,
        sessions.session_id,
        sessions.session_started_at,
        sessions.channel,
        sessions.is_paid,
        sessions.campaign_id,
        row_number() over (
            partition by touchpoints.order_id
            order by sessions.session_started_at, sessions.session_id
        ) as touch_rank_first,
        row_number() over (
            partition by touchpoints.order_id
            order by sessions.session_started_at desc, sessions.session_id desc
        ) as touch_rank_last,
        count(*) over (partition by touchpoints.order_id) as touchpoint_count
    from touchpoints
    inner join sessions
        on touchpoints.session_id = sessions.session_id

),

first_touches as (

    select * from touchpoints_ranked
    where touch_rank_first = 1

),

last_touches as (

    select * from touchpoints_ranked
    where touch_rank_last = 1

),

final as (

    select
        orders_with_visitor.order_id,
        orders_with_visitor.purchase_session_id,
        coalesce(first_touches.touchpoint_count, 0) as touchpoint_count,
        first_touches.session_id as first_touch_session_id,
        first_touches.session_started_at as first_touch_at,
        first_touches.channel as first_touch_channel,
        first_touches.is_paid as is_first_touch_paid,
        first_touches.campaign_id as first_touch_campaign_id,
        last_touches.session_id as last_touch_session_id,
        last_touches.session_started_at as last_touch_at,
        last_touches.channel as last_touch_channel,
        last_touches.is_paid as is_last_touch_paid,
        last_touches.campaign_id as last_touch_campaign_id
    from orders_with_visitor
    left join first_touches
        on orders_with_visitor.order_id = first_touches.order_id
    left join last_touches
        on orders_with_visitor.order_id = last_touches.order_id

)

select * from final
