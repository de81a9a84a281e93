{#-
    How often each value of every monitored categorical column occurs, one row per day, table,
    column and value (a null counts as the value '(null)'): the category shares the drift measures
    compare (doc block monitoring__category_counts).
-#}
-- depends_on: {{ ref('fct_orders') }}
-- depends_on: {{ ref('fct_order_items') }}
-- depends_on: {{ ref('fct_sessions') }}
-- depends_on: {{ ref('fct_events') }}
-- depends_on: {{ ref('fct_web_requests') }}
-- depends_on: {{ ref('fct_ad_performance_daily') }}

{%- set ns = namespace(first=true) %}
{%- for table in monitored_relations() %}
    {%- set day = quote_identifier(table.date_column, 'monitor_date_column of ' ~ table.model) %}
    {%- for column in table.columns | selectattr('kind', 'equalto', 'categorical') %}
        {%- if not ns.first %}
union all
        {%- endif %}
        {%- set ns.first = false %}
select
    cast({{ day }} as date) as profile_date,
    cast('{{ table.model }}' as {{ dbt.type_string() }}) as table_name,
    cast('{{ column.name }}' as {{ dbt.type_string() }}) as column_name,
    {{ monitoring_category(quote_identifier(column.name, 'monitored column')) }} as category_value,
    count(*) as row_count
from {{ table.relation }}
where {{ day }} is not null
group by 1, 4
    {%- endfor %}
{%- endfor %}
{%- if ns.first %}
select
    cast(null as date) as profile_date,
    cast(null as {{ dbt.type_string() }}) as table_name,
    cast(null as {{ dbt.type_string() }}) as column_name,
    cast(null as {{ dbt.type_string() }}) as category_value,
    cast(0 as {{ dbt.type_bigint() }}) as row_count
where 1 = 0
{%- endif %}
