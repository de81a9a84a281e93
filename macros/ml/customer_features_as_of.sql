{#- The customer features of every as-of date, each computed only from what was known at the end of that date. -#}
{% macro customer_features_as_of(as_of_dates, customers, orders, sessions) -%}
    {#- as_of_dates: a relation or CTE with one column as_of_date; customers: dim_customers (every
        version); orders: fct_orders; sessions: fct_sessions. Every input row is joined only where it
        happened on or before the as-of date: the leakage test runs this macro on inputs cut off at
        an as-of date and compares. -#}
    {#- var ml_leakage_demo (only for the leakage test's own test, tests/python/warehouse/test_ml.py):
        the order features also count the 30 days after the as-of date, a leak the test must catch -#}
    {%- set order_window_end = dbt.dateadd('day', 30, as_of_dates ~ '.as_of_date')
        if var('ml_leakage_demo', false) else as_of_dates ~ '.as_of_date' %}
    with

    customers_as_of as (

        select
            {{ as_of_dates }}.as_of_date,
            {{ customers }}.customer_id,
            {{ customers }}.country_code,
            {{ customers }}.has_marketing_opt_in,
            {{ dbt.datediff('cast(' ~ customers ~ '.created_at as date)', as_of_dates ~ '.as_of_date', 'day') }}
                as account_age_days
        from {{ as_of_dates }}
        inner join {{ customers }}
            on cast({{ customers }}.created_at as date) <= {{ as_of_dates }}.as_of_date
            and cast({{ customers }}.valid_from as date) <= {{ as_of_dates }}.as_of_date
            and (
                {{ customers }}.valid_to is null
                or cast({{ customers }}.valid_to as date) > {{ as_of_dates }}.as_of_date
            )
        where not {{ customers }}.is_deleted

    ),

    order_features as (

        select
            {{ as_of_dates }}.as_of_date,
            {{ orders }}.customer_id,
            count(*) as order_count,
            sum(
                case when {{ orders }}.order_date > {{ dbt.dateadd('day', -30, as_of_dates ~ '.as_of_date') }} then 1 else 0 end
            ) as orders_last_30_days,
            sum({{ orders }}.total_amount_usd) as gross_revenue_usd,
            {{ money_average(orders ~ '.total_amount_usd') }} as average_order_value_usd,
            sum(case when {{ orders }}.sales_channel in ('web', 'app') then 1 else 0 end) as online_order_count,
            sum(case when {{ orders }}.discount_amount > 0 then 1 else 0 end) as discounted_order_count,
            max({{ orders }}.order_date) as last_order_date,
            min(case when {{ orders }}.is_first_order then coalesce({{ orders }}.first_touch_channel, {{ orders }}.sales_channel) end)
                as acquisition_channel
        from {{ as_of_dates }}
        inner join {{ orders }}
            on {{ orders }}.order_date <= {{ order_window_end }}
        group by {{ as_of_dates }}.as_of_date, {{ orders }}.customer_id

    ),

    session_features as (

        select
            {{ as_of_dates }}.as_of_date,
            {{ sessions }}.customer_id,
            count(*) as session_count,
            sum(
                case when {{ sessions }}.session_start_date > {{ dbt.dateadd('day', -7, as_of_dates ~ '.as_of_date') }} then 1 else 0 end
            ) as sessions_last_7_days,
            sum(
                case when {{ sessions }}.session_start_date > {{ dbt.dateadd('day', -30, as_of_dates ~ '.as_of_date') }} then 1 else 0 end
            ) as sessions_last_30_days,
            sum(case when {{ sessions }}.is_paid then 1 else 0 end) as paid_session_count,
            sum(case when {{ sessions }}.platform in ('ios', 'android') then 1 else 0 end) as app_session_count,
            max({{ sessions }}.session_start_date) as last_session_date
        from {{ as_of_dates }}
        inner join {{ sessions }}
            on {{ sessions }}.session_start_date <= {{ as_of_dates }}.as_of_date
        where {{ sessions }}.customer_id is not null
        group by {{ as_of_dates }}.as_of_date, {{ sessions }}.customer_id

    )

    select
        customers_as_of.as_of_date,
        customers_as_of.customer_id,
        customers_as_of.country_code,
        coalesce(order_features.acquisition_channel, 'none') as acquisition_channel,
        customers_as_of.has_marketing_opt_in,
        cast(customers_as_of.account_age_days as {{ dbt.type_bigint() }}) as account_age_days,
        cast(coalesce(order_features.order_count, 0) as {{ dbt.type_bigint() }}) as order_count,
        cast(coalesce(order_features.orders_last_30_days, 0) as {{ dbt.type_bigint() }}) as orders_last_30_days,
        cast({{ dbt.datediff('order_features.last_order_date', 'customers_as_of.as_of_date', 'day') }} as {{ dbt.type_bigint() }})
            as days_since_last_order,
        cast(coalesce(order_features.gross_revenue_usd, 0) as decimal(12, 2)) as gross_revenue_usd,
        cast(order_features.average_order_value_usd as decimal(12, 2)) as average_order_value_usd,
        cast(coalesce(order_features.online_order_count, 0) as {{ dbt.type_bigint() }}) as online_order_count,
        cast(coalesce(order_features.discounted_order_count, 0) as {{ dbt.type_bigint() }}) as discounted_order_count,
        cast(coalesce(session_features.session_count, 0) as {{ dbt.type_bigint() }}) as session_count,
        cast(coalesce(session_features.sessions_last_7_days, 0) as {{ dbt.type_bigint() }}) as sessions_last_7_days,
        cast(coalesce(session_features.sessions_last_30_days, 0) as {{ dbt.type_bigint() }}) as sessions_last_30_days,
        cast(coalesce(session_features.paid_session_count, 0) as {{ dbt.type_bigint() }}) as paid_session_count,
        cast(coalesce(session_features.app_session_count, 0) as {{ dbt.type_bigint() }}) as app_session_count,
        cast({{ dbt.datediff('session_features.last_session_date', 'customers_as_of.as_of_date', 'day') }} as {{ dbt.type_bigint() }})
            as days_since_last_session
    from customers_as_of
    left join order_features
        on customers_as_of.as_of_date = order_features.as_of_date
        and customers_as_of.customer_id = order_features.customer_id
    left join session_features
        on customers_as_of.as_of_date = session_features.as_of_date
        and customers_as_of.customer_id = session_features.customer_id
{%- endmacro %}
