-- The churn model's scores as written by `make score`; empty until it first runs.
{%- set columns = {
    'scoring_date': 'date',
    'customer_id': dbt.type_bigint(),
    'model_name': dbt.type_string(),
    'model_version': dbt.type_bigint(),
    'churn_probability': dbt.type_float(),
    'scored_at': dbt.type_timestamp(),
} %}

with

source as (

    select * from {{ source_if_loaded('ml_scores', 'churn_scores', columns) }}

),

final as (

    select
        cast(scoring_date as date) as scoring_date,
        cast(customer_id as {{ dbt.type_bigint() }}) as customer_id,
        cast(model_name as {{ dbt.type_string() }}) as model_name,
        cast(model_version as {{ dbt.type_bigint() }}) as model_version,
        cast(churn_probability as {{ dbt.type_float() }}) as churn_probability,
        cast(scored_at as {{ dbt.type_timestamp() }}) as scored_at
    from source

)

select * from final
