{#-
    How often each value of every monitored categorical column occurs, one row per day, table,
    column and value (doc block monitoring__category_counts). The monitored models are listed here
    for dbt's parser (doc block monitoring__declare).
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='replace_window',
        unique_key='profile_key',
        on_schema_change='fail',
        incremental_predicates=[monitoring_profile_days_replaced()],
    )
}}

-- depends_on: {{ ref('fct_orders') }}
-- depends_on: {{ ref('fct_order_items') }}
-- depends_on: {{ ref('fct_sessions') }}
-- depends_on: {{ ref('fct_events') }}
-- depends_on: {{ ref('fct_web_requests') }}
-- depends_on: {{ ref('fct_ad_performance_daily') }}
-- depends_on: {{ ref('stg_lake__inventory_snapshots') }}
-- depends_on: {{ ref('mrt_customer_features') }}

with

category_counts as (

    {{ monitoring_category_counts(monitored_relations()) }}

)

select * from category_counts
