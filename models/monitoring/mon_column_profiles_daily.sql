{#-
    Summary statistics of every monitored column (config.meta.monitor in the models' YAML), one row
    per day, table and column (doc block monitoring__profiles). The monitored models are read
    through monitored_relations(): they are listed here for dbt's parser (doc block monitoring__declare).
-#}
{#-
    The delete: each row the batch brings again (its key), and every day of a (table, column) from the
    batch's first day of it on, so a day whose rows are gone from the table since its last profile goes
    too; days before that keep their profile (history, also of a table that holds only today).
-#}
{%- set days_profiled_again -%}
    DBT_INTERNAL_DEST.profile_date >= (
        select min(batch.profile_date) from DBT_INTERNAL_SOURCE as batch
        where
            batch.table_name = DBT_INTERNAL_DEST.table_name
            and batch.column_name = DBT_INTERNAL_DEST.column_name
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

profiles as (

    {{ monitoring_profiles(monitored_relations()) }}

)

select * from profiles
