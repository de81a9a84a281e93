{#-
    Every paid session is an ad click: per campaign and day, the paid sessions that started that day
    (UTC) are at most the clicks the ad platform reports (clicks also count visitors whose tracking
    was blocked or who bounced before the SDK loaded). The last 3 report days are left out: the
    platform serves them as preliminary figures (4-12% low) and restates them as days pass, so they
    may be below the sessions until then. Returns one row per campaign and day that breaks the rule.
-#}

{%- set restatement_days = 3 -%}

with

sessions as (

    select * from {{ ref('int_sessions_attributed_to_campaigns') }}

),

daily_metrics as (

    select * from {{ ref('stg_adplatform__daily_metrics') }}

),

final_days as (

    select {{ dbt.dateadd('day', -restatement_days, 'max(report_date)') }} as last_final_date
    from daily_metrics

),

paid_sessions as (

    select
        campaign_id,
        session_start_date,
        count(*) as paid_sessions
    from sessions
    where is_paid
    group by campaign_id, session_start_date

),

final as (

    select
        paid_sessions.campaign_id,
        paid_sessions.session_start_date,
        paid_sessions.paid_sessions,
        daily_metrics.clicks
    from paid_sessions
    cross join final_days
    left join daily_metrics
        on paid_sessions.campaign_id = daily_metrics.campaign_id
        and paid_sessions.session_start_date = daily_metrics.report_date
    where paid_sessions.session_start_date <= final_days.last_final_date
        and (
            paid_sessions.campaign_id is null
            or daily_metrics.clicks is null
            or daily_metrics.clicks < paid_sessions.paid_sessions
        )

)

select * from final
