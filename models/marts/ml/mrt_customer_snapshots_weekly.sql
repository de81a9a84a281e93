-- The point-in-time training set of the churn model: the customer features as of every Sunday (the
-- weekly as-of dates) and of the newest day, each computed only from what was known at the end of that day (macro
-- customer_features_as_of), with the label from the churn_horizon_days after it: no order placed in
-- that window (is_churned), known only once the window has passed (is_label_mature).
{%- set horizon = integer_var('churn_horizon_days', 21) %}

with

customers as (

    select * from {{ ref('dim_customers') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

sessions as (

    select * from {{ ref('fct_sessions') }}

),

calendar as (

    select * from {{ ref('dim_date') }}

),

data_window as (

    select
        min(order_date) as first_order_date,
        max(order_date) as last_order_date
    from orders

),

-- every Sunday, and the newest day (the rows `make score` scores)
as_of_dates as (

    select calendar.date_day as as_of_date
    from calendar
    cross join data_window
    where
        calendar.date_day >= data_window.first_order_date
        and calendar.date_day <= data_window.last_order_date
        and (calendar.iso_day_of_week = 7 or calendar.date_day = data_window.last_order_date)

),

features as (

    {{ customer_features_as_of('as_of_dates', 'customers', 'orders', 'sessions') }}

),

orders_after as (

    select
        features.as_of_date,
        features.customer_id,
        count(orders.order_id) as orders_in_horizon
    from features
    inner join orders
        on features.customer_id = orders.customer_id
        and features.as_of_date < orders.order_date
        and {{ dbt.dateadd('day', horizon, 'features.as_of_date') }} >= orders.order_date
    group by features.as_of_date, features.customer_id

),

final as (

    select
        features.*,
        {{ dbt.dateadd('day', horizon, 'features.as_of_date') }} <= data_window.last_order_date as is_label_mature,
        case
            when {{ dbt.dateadd('day', horizon, 'features.as_of_date') }} <= data_window.last_order_date
                then coalesce(orders_after.orders_in_horizon, 0) = 0
        end as is_churned
    from features
    cross join data_window
    left join orders_after
        on features.as_of_date = orders_after.as_of_date
        and features.customer_id = orders_after.customer_id

)

select * from final
