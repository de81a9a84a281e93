-- The churn model's scores with what happened after them: one row per scoring date and customer, the
-- model version that scored, and the realized label (no order in the churn_horizon_days after the
-- scoring date) once that window has passed.
{%- set horizon = integer_var('churn_horizon_days', 21) %}

with

scores as (

    select * from {{ ref('stg_ml_scores__churn_scores') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

data_window as (

    select max(order_date) as last_order_date
    from orders

),

orders_after as (

    select
        scores.scoring_date,
        scores.customer_id,
        count(orders.order_id) as orders_in_horizon
    from scores
    inner join orders
        on scores.customer_id = orders.customer_id
        and scores.scoring_date < orders.order_date
        and {{ dbt.dateadd('day', horizon, 'scores.scoring_date') }} >= orders.order_date
    group by scores.scoring_date, scores.customer_id

),

final as (

    select
        scores.scoring_date,
        scores.customer_id,
        scores.model_name,
        scores.model_version,
        scores.churn_probability,
        scores.scored_at,
        coalesce({{ dbt.dateadd('day', horizon, 'scores.scoring_date') }} <= data_window.last_order_date, false)
            as is_label_mature,
        case
            when {{ dbt.dateadd('day', horizon, 'scores.scoring_date') }} <= data_window.last_order_date
                then coalesce(orders_after.orders_in_horizon, 0) = 0
        end as is_churned
    from scores
    cross join data_window
    left join orders_after
        on scores.scoring_date = orders_after.scoring_date
        and scores.customer_id = orders_after.customer_id

)

select * from final
