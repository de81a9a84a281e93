{#-
    How often each value of every monitored categorical column occurs, one row per day, table,
    column and value (doc block monitoring__category_counts). The monitored models are listed here
    for dbt's parser (doc block monitoring__declare).
-#}
{#- a (table, column, day) the batch profiles again is replaced whole: a value gone from the day goes too -#}
{%- set days_profiled_again -%}
    exists (
        select 1 from DBT_INTERNAL_SOURCE as batch
        where
            batch.table_name = DBT_INTERNAL_DEST.table_name
            and batch.column_name = DBT_INTERNAL_DEST.column_name
            and batch.profile_date = DBT_INTERNAL_DEST.profile_date
    )
{%- endset -%}

{{
    config(
        materialized='incremental',
        incremental_strategy='replace_window',
        unique_key='profile_key',
        on_schema_change='fail',
        incremental_predicates=[days_profiled_again],
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
