{#-
    Summary statistics of every monitored column (config.meta.monitor in the models' YAML), one row
    per day, table and column (doc block monitoring__profiles). The monitored models are read
    through monitored_relations(): they are listed here for dbt's parser (doc block monitoring__declare).
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

profiles as (

    {{ monitoring_profiles(monitored_relations()) }}

)

select * from profiles
