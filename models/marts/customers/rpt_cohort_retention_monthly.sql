-- Monthly retention of customer cohorts: people (canonical customers: all accounts of one e-mail
-- address) grouped by the month of their first order, followed month by month since then: how many
-- were active (ordered), the retention rate, their net revenue and the cumulative net revenue per
-- cohort member. One row per cohort_month × months_since_first_order, up to the latest month with
-- orders, months without activity included (zero).
with

orders as (

    select * from {{ ref('fct_orders') }}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

calendar as (

    select * from {{ ref('dim_date') }}

),

-- the person behind each account: canonical_customer_id of the account's current version
account_people as (

    select
        customer_id,
        canonical_customer_id
    from customers
    where is_current

),

person_orders as (

    select
        account_people.canonical_customer_id,
        orders.order_id,
        cast({{ dbt.date_trunc('month', 'orders.order_date') }} as date) as order_month,
        orders.net_amount_usd
    from orders
    inner join account_people
        on orders.customer_id = account_people.customer_id

),

cohorts as (

    select
        canonical_customer_id,
        min(order_month) as cohort_month
    from person_orders
    group by canonical_customer_id

),

cohort_sizes as (

    select
        cohort_month,
        count(*) as cohort_size
    from cohorts
    group by cohort_month

),

data_through as (

    select
        max(order_date) as last_order_date,
        cast({{ dbt.date_trunc('month', 'max(order_date)') }} as date) as last_order_month
    from orders

),

months as (

    select distinct
        calendar.month_start_date as activity_month,
        -- complete when orders reach the month's last day (the latest month is usually partial)
        (
            data_through.last_order_date
            >= {{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, 'calendar.month_start_date')) }}
        ) as is_complete_month
    from calendar
    cross join data_through
    where calendar.month_start_date <= data_through.last_order_month

),

-- every cohort × every month from the cohort's month to the latest month with orders
cohort_months as (

    select
        cohort_sizes.cohort_month,
        cohort_sizes.cohort_size,
        months.activity_month,
        months.is_complete_month
    from cohort_sizes
    inner join months
        on cohort_sizes.cohort_month <= months.activity_month

),

activity as (

    select
        cohorts.cohort_month,
        person_orders.order_month as activity_month,
        count(distinct person_orders.canonical_customer_id) as active_customer_count,
        count(*) as order_count,
        sum(person_orders.net_amount_usd) as net_revenue_usd
    from person_orders
    inner join cohorts
        on person_orders.canonical_customer_id = cohorts.canonical_customer_id
    group by
        cohorts.cohort_month,
        person_orders.order_month

),

cohort_activity as (

    select
        cohort_months.cohort_month,
        cohort_months.activity_month,
        cohort_months.is_complete_month,
        {{ dbt.datediff('cohort_months.cohort_month', 'cohort_months.activity_month', 'month') }}
            as months_since_first_order,
        cohort_months.cohort_size,
        coalesce(activity.active_customer_count, 0) as active_customer_count,
        coalesce(activity.order_count, 0) as order_count,
        coalesce(activity.net_revenue_usd, 0) as net_revenue_usd
    from cohort_months
    left join activity
        on cohort_months.cohort_month = activity.cohort_month
        and cohort_months.activity_month = activity.activity_month

),

cumulated as (

    select
        *,
        sum(net_revenue_usd) over (
            partition by cohort_month
            order by activity_month
            rows between unbounded preceding and current row
        ) as cumulative_net_revenue_usd
    from cohort_activity

),

final as (

    select
        {{ surrogate_key(['cohort_month', 'months_since_first_order']) }} as cohort_retention_id,
        cohort_month,
        cast(months_since_first_order as integer) as months_since_first_order,
        activity_month,
        is_complete_month,
        cast(cohort_size as {{ dbt.type_bigint() }}) as cohort_size,
        cast(active_customer_count as {{ dbt.type_bigint() }}) as active_customer_count,
        {{ divide_or_null('active_customer_count', 'cohort_size') }} as retention_rate,
        cast(order_count as {{ dbt.type_bigint() }}) as order_count,
        cast(net_revenue_usd as decimal(18, 2)) as net_revenue_usd,
        cast(cumulative_net_revenue_usd as decimal(18, 2)) as cumulative_net_revenue_usd,
        {{ divide_or_null('cumulative_net_revenue_usd', 'cohort_size', 2) }}
            as cumulative_net_revenue_per_customer_usd
    from cumulated

)

select * from final
