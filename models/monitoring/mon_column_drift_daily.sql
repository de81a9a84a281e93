{#-
    Drift of every monitored column on each of the last `monitor_check_days` days against the
    `monitor_reference_days` days before it (doc block monitoring__drift): PSI and Jensen-Shannon
    divergence of the category shares (numbers: ten bins cut at the reference window's deciles),
    the rows on each side and each measure's sampling allowance. The monitored models are listed
    here for dbt's parser (doc block monitoring__declare).
-#}
-- depends_on: {{ ref('fct_orders') }}
-- depends_on: {{ ref('fct_order_items') }}
-- depends_on: {{ ref('fct_sessions') }}
-- depends_on: {{ ref('fct_events') }}
-- depends_on: {{ ref('fct_web_requests') }}
-- depends_on: {{ ref('fct_ad_performance_daily') }}
-- depends_on: {{ ref('stg_lake__inventory_snapshots') }}
-- depends_on: {{ ref('mrt_customer_features') }}

{%- set reference_days = integer_var('monitor_reference_days', 7) %}
{%- set check_days = integer_var('monitor_check_days', 1) %}

with

check_days as (

    {{ monitoring_check_days(reference_days, check_days) }}

),

category_counts as (

    select * from {{ ref('mon_category_counts_daily') }}

),

-- categorical columns: each value's rows over the reference window and on the day
category_sides as (

    select
        check_days.check_date,
        category_counts.table_name,
        category_counts.column_name,
        cast('categorical' as {{ dbt.type_string() }}) as column_kind,
        category_counts.category_value,
        sum(case when category_counts.profile_date < check_days.check_date then category_counts.row_count else 0 end)
            as reference_rows,
        sum(case when category_counts.profile_date = check_days.check_date then category_counts.row_count else 0 end)
            as current_rows
    from check_days
    inner join category_counts
        on check_days.table_name = category_counts.table_name
        and check_days.check_date >= category_counts.profile_date
        and check_days.reference_start_date <= category_counts.profile_date
    group by
        check_days.check_date,
        category_counts.table_name,
        category_counts.column_name,
        category_counts.category_value

),

-- numeric columns: the same for ten bins cut at the reference window's deciles
numeric_sides as (

    {{ monitoring_numeric_sides(monitored_relations()) }}

),

sides as (

    select * from category_sides
    union all
    select * from numeric_sides

)

{{ monitoring_divergences('sides') }}
