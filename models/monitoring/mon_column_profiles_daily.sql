{#-
    Summary statistics of every monitored column (config.meta.monitor in the models' YAML), one row
    per day, table and column: rows, nulls, distinct values, and for numbers min, max, mean,
    standard deviation and quantiles (doc block monitoring__profiles).
-#}
-- depends_on: {{ ref('fct_orders') }}
-- depends_on: {{ ref('fct_order_items') }}
-- depends_on: {{ ref('fct_sessions') }}
-- depends_on: {{ ref('fct_events') }}
-- depends_on: {{ ref('fct_web_requests') }}
-- depends_on: {{ ref('fct_ad_performance_daily') }}

{%- set tables = monitored_relations() %}
{%- set ns = namespace(first=true) %}

{%- for table in tables %}
    {%- set day = quote_identifier(table.date_column, 'monitor_date_column of ' ~ table.model) %}
    {%- for column in table.columns %}
        {%- set value = quote_identifier(column.name, 'monitored column') %}
        {%- if not ns.first %}
union all
        {%- endif %}
        {%- set ns.first = false %}
select
    cast({{ day }} as date) as profile_date,
    cast('{{ table.model }}' as {{ dbt.type_string() }}) as table_name,
    cast('{{ column.name }}' as {{ dbt.type_string() }}) as column_name,
    cast('{{ column.kind }}' as {{ dbt.type_string() }}) as column_kind,
    count(*) as row_count,
    count(*) - count({{ value }}) as null_count,
    {{ monitoring_float('count(*) - count(' ~ value ~ ')') }} / count(*) as null_rate,
    count(distinct {{ value }}) as distinct_count,
        {%- if column.kind == 'numeric' %}
            {%- set number = monitoring_float(value) %}
    min({{ number }}) as min_value,
    max({{ number }}) as max_value,
    avg({{ number }}) as mean_value,
    stddev_samp({{ number }}) as stddev_value,
    {{ monitoring_quantile(number, 0.05) }} as p05_value,
    {{ monitoring_quantile(number, 0.25) }} as p25_value,
    {{ monitoring_quantile(number, 0.5) }} as median_value,
    {{ monitoring_quantile(number, 0.75) }} as p75_value,
    {{ monitoring_quantile(number, 0.95) }} as p95_value
        {%- else %}
            {%- for statistic in ['min', 'max', 'mean', 'stddev', 'p05', 'p25', 'median', 'p75', 'p95'] %}
    {{ monitoring_float('null') }} as {{ statistic }}_value{{ ',' if not loop.last }}
            {%- endfor %}
        {%- endif %}
from {{ table.relation }}
where {{ day }} is not null
group by cast({{ day }} as date)
    {%- endfor %}
{%- endfor %}
{%- if not tables %}
{#- while dbt parses (and in a project that monitors nothing): the same columns, no rows -#}
select
    cast(null as date) as profile_date,
    cast(null as {{ dbt.type_string() }}) as table_name,
    cast(null as {{ dbt.type_string() }}) as column_name,
    cast(null as {{ dbt.type_string() }}) as column_kind,
    cast(0 as {{ dbt.type_bigint() }}) as row_count,
    cast(0 as {{ dbt.type_bigint() }}) as null_count,
    {{ monitoring_float('null') }} as null_rate,
    cast(0 as {{ dbt.type_bigint() }}) as distinct_count,
    {%- for statistic in ['min', 'max', 'mean', 'stddev', 'p05', 'p25', 'median', 'p75', 'p95'] %}
    {{ monitoring_float('null') }} as {{ statistic }}_value{{ ',' if not loop.last }}
    {%- endfor %}
where 1 = 0
{%- endif %}
