-- The feature table for the customer models (churn, lifetime value): one row per current customer
-- account, with recency, frequency and monetary features, web behaviour and profile attributes,
-- all computed as of `as_of_date`, the last day the warehouse has orders for. Deterministic for a
-- given warehouse state, so a training run can be reproduced.
with

customers as (

    select * from {{ ref('dim_customers') }}
    where is_current

),

orders as (

    select * from {{ ref('fct_orders') }}

),

sessions as (

    select * from {{ ref('fct_sessions') }}

),

as_of as (

    select max(order_date) as as_of_date
    from orders

),

order_features as (

    select
        orders.customer_id,
        count(*) as order_count,
        sum(case when orders.order_date > {{ dbt.dateadd('day', -90, 'as_of.as_of_date') }} then 1 else 0 end)
            as orders_last_90_days,
        sum(case when orders.is_cancelled or orders.is_returned then 1 else 0 end) as cancelled_or_returned_count,
        sum(orders.net_amount_usd) as net_revenue_usd,
        {{ money_average('orders.total_amount_usd') }} as average_order_value_usd,
        max(orders.order_date) as last_order_date,
        sum(case when orders.sales_channel in ('web', 'app') then 1 else 0 end) as online_order_count
    from orders
    cross join as_of
    group by orders.customer_id

),

session_features as (

    select
        sessions.customer_id,
        count(*) as session_count,
        sum(case when sessions.session_start_date > {{ dbt.dateadd('day', -30, 'as_of.as_of_date') }} then 1 else 0 end)
            as sessions_last_30_days,
        sum(case when sessions.is_paid then 1 else 0 end) as paid_session_count,
        max(sessions.session_start_date) as last_session_date
    from sessions
    cross join as_of
    where sessions.customer_id is not null
    group by sessions.customer_id

),

final as (

    select
        customers.customer_id,
        as_of.as_of_date,
        customers.country_code,
        customers.preferred_currency,
        customers.has_marketing_opt_in,
        customers.is_deleted,
        customers.is_duplicate_account,
        cast(
            {{ dbt.datediff('cast(customers.created_at as date)', 'as_of.as_of_date', 'day') }}
            as {{ dbt.type_bigint() }}
        ) as account_age_days,
        coalesce(order_features.order_count, 0) as order_count,
        cast(coalesce(order_features.orders_last_90_days, 0) as {{ dbt.type_bigint() }}) as orders_last_90_days,
        cast(
            {{ dbt.datediff('order_features.last_order_date', 'as_of.as_of_date', 'day') }}
            as {{ dbt.type_bigint() }}
        ) as days_since_last_order,
        cast(
            {{ dbt.datediff('customers.first_order_date', 'as_of.as_of_date', 'day') }}
            as {{ dbt.type_bigint() }}
        ) as days_since_first_order,
        cast(coalesce(order_features.net_revenue_usd, 0) as decimal(12, 2)) as net_revenue_usd,
        cast(order_features.average_order_value_usd as decimal(12, 2)) as average_order_value_usd,
        cast(
            coalesce(order_features.cancelled_or_returned_count, 0) as {{ dbt.type_bigint() }}
        ) as cancelled_or_returned_count,
        cast(coalesce(order_features.online_order_count, 0) as {{ dbt.type_bigint() }}) as online_order_count,
        coalesce(session_features.session_count, 0) as session_count,
        cast(coalesce(session_features.sessions_last_30_days, 0) as {{ dbt.type_bigint() }})
            as sessions_last_30_days,
        cast(coalesce(session_features.paid_session_count, 0) as {{ dbt.type_bigint() }}) as paid_session_count,
        cast(
            {{ dbt.datediff('session_features.last_session_date', 'as_of.as_of_date', 'day') }}
            as {{ dbt.type_bigint() }}
        ) as days_since_last_session
    from customers
    cross join as_of
    left join order_features
        on customers.customer_id = order_features.customer_id
    left join session_features
        on customers.customer_id = session_features.customer_id

)

select * from final
