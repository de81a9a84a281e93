{#-
    Drift of every monitored column on each of the last `monitor_check_days` days against the
    `monitor_reference_days` days before it (doc block monitoring__drift): population stability
    index (PSI) and Jensen-Shannon divergence of the category shares (numbers: of ten bins cut at
    the reference window's deciles), with the rows on each side and the sampling allowance a
    stationary column reaches by chance at these sample sizes.
-#}
-- depends_on: {{ ref('fct_orders') }}
-- depends_on: {{ ref('fct_order_items') }}
-- depends_on: {{ ref('fct_sessions') }}
-- depends_on: {{ ref('fct_events') }}
-- depends_on: {{ ref('fct_web_requests') }}
-- depends_on: {{ ref('fct_ad_performance_daily') }}

{%- set reference_days = integer_var('monitor_reference_days', 7) %}
{%- set check_days = integer_var('monitor_check_days', 1) %}
{%- set tables = monitored_relations() %}
{%- set numeric_columns = [] %}
{%- for table in tables %}
    {%- for column in table.columns | selectattr('kind', 'equalto', 'numeric') %}
        {%- do numeric_columns.append({'table': table, 'column': column}) %}
    {%- endfor %}
{%- endfor %}

with

check_days as (

    {{ monitoring_check_days(reference_days, check_days) }}

),

category_counts as (

    select * from {{ ref('mon_category_counts_daily') }}

),

{#- categorical columns: the counts of each value, summed over the reference window and on the day -#}
category_sides as (

    select
        check_days.check_date,
        category_counts.table_name,
        category_counts.column_name,
        cast('categorical' as {{ dbt.type_string() }}) as column_kind,
        category_counts.category_value,
        sum(case when category_counts.profile_date < check_days.check_date then category_counts.row_count else 0 end) as reference_rows,
        sum(case when category_counts.profile_date = check_days.check_date then category_counts.row_count else 0 end) as current_rows
    from check_days
    inner join category_counts
        on category_counts.table_name = check_days.table_name
        and category_counts.profile_date <= check_days.check_date
        and category_counts.profile_date >= check_days.reference_start_date
    group by 1, 2, 3, 4, 5

),
{%- for item in numeric_columns %}
    {%- set table = item.table %}
    {%- set day = quote_identifier(table.date_column, 'monitor_date_column of ' ~ table.model) %}
    {%- set cte = 'numeric_' ~ loop.index %}

{#- {{ table.model }}.{{ item.column.name }}: non-null values in the days any check reads -#}
{{ cte }}_values as (

    select
        cast({{ day }} as date) as value_date,
        {{ monitoring_float(quote_identifier(item.column.name, 'monitored column')) }} as value
    from {{ table.relation }}
    where {{ quote_identifier(item.column.name, 'monitored column') }} is not null
        and cast({{ day }} as date) >= (
            select min(reference_start_date) from check_days where table_name = '{{ table.model }}'
        )

),

{{ cte }}_edges as (

    select
        check_days.check_date,
        {%- for decile in range(1, 10) %}
        {{ monitoring_quantile(cte ~ '_values.value', decile / 10) }} as edge_{{ decile }}{{ ',' if not loop.last }}
        {%- endfor %}
    from check_days
    inner join {{ cte }}_values
        on {{ cte }}_values.value_date < check_days.check_date
        and {{ cte }}_values.value_date >= check_days.reference_start_date
    where check_days.table_name = '{{ table.model }}'
    group by check_days.check_date

),

{{ cte }}_sides as (

    select
        {{ cte }}_edges.check_date,
        cast('{{ table.model }}' as {{ dbt.type_string() }}) as table_name,
        cast('{{ item.column.name }}' as {{ dbt.type_string() }}) as column_name,
        cast('numeric' as {{ dbt.type_string() }}) as column_kind,
        case
            {%- for decile in range(1, 10) %}
            when {{ cte }}_values.value <= {{ cte }}_edges.edge_{{ decile }} then 'decile_{{ decile }}'
            {%- endfor %}
            else 'decile_10'
        end as category_value,
        sum(case when {{ cte }}_values.value_date < {{ cte }}_edges.check_date then 1 else 0 end) as reference_rows,
        sum(case when {{ cte }}_values.value_date = {{ cte }}_edges.check_date then 1 else 0 end) as current_rows
    from {{ cte }}_edges
    inner join check_days
        on check_days.table_name = '{{ table.model }}'
        and check_days.check_date = {{ cte }}_edges.check_date
    inner join {{ cte }}_values
        on {{ cte }}_values.value_date <= {{ cte }}_edges.check_date
        and {{ cte }}_values.value_date >= check_days.reference_start_date
    group by 1, 2, 3, 4, 5

),
{%- endfor %}

sides as (

    select * from category_sides
    {%- for item in numeric_columns %}
    union all
    select * from numeric_{{ loop.index }}_sides
    {%- endfor %}

)

{{ monitoring_divergences('sides') }}
