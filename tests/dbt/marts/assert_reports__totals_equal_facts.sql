-- The web and customer reports add up to their facts: the funnel's sessions, purchase sessions,
-- orders and net revenue equal fct_sessions'; the cohorts' orders and net revenue equal
-- fct_orders', and month 0 of every cohort has every member active. Returns what differs.
with

funnel as (

    select * from {{ ref('rpt_conversion_funnel') }}

),

sessions as (

    select * from {{ ref('fct_sessions') }}

),

cohorts as (

    select * from {{ ref('rpt_cohort_retention_monthly') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

funnel_totals as (

    select
        coalesce(sum(session_count), 0) as session_count,
        coalesce(sum(purchase_session_count), 0) as purchase_session_count,
        coalesce(sum(order_count), 0) as order_count,
        coalesce(sum(net_revenue_usd), 0) as net_revenue_usd
    from funnel

),

session_totals as (

    select
        count(*) as session_count,
        coalesce(sum(case when has_purchase then 1 else 0 end), 0) as purchase_session_count,
        coalesce(sum(order_count), 0) as order_count,
        coalesce(sum(net_revenue_usd), 0) as net_revenue_usd
    from sessions

),

cohort_totals as (

    select
        coalesce(sum(order_count), 0) as order_count,
        coalesce(sum(net_revenue_usd), 0) as net_revenue_usd
    from cohorts

),

order_totals as (

    select
        count(*) as order_count,
        coalesce(sum(net_amount_usd), 0) as net_revenue_usd
    from orders

),

failures as (

    select 'rpt_conversion_funnel' as report
    from funnel_totals
    cross join session_totals
    where funnel_totals.session_count <> session_totals.session_count
        or funnel_totals.purchase_session_count <> session_totals.purchase_session_count
        or funnel_totals.order_count <> session_totals.order_count
        or funnel_totals.net_revenue_usd <> session_totals.net_revenue_usd

    union all

    select 'rpt_cohort_retention_monthly' as report
    from cohort_totals
    cross join order_totals
    where cohort_totals.order_count <> order_totals.order_count
        or cohort_totals.net_revenue_usd <> order_totals.net_revenue_usd

    union all

    select 'rpt_cohort_retention_monthly month 0' as report
    from cohorts
    where months_since_first_order = 0
        and active_customer_count <> cohort_size

)

select * from failures
