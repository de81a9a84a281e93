{#-
    What the monitoring layer watches, read from the models' YAML (doc block monitoring__declare):
    every model with a column whose `config.meta.monitor` is `numeric` or `categorical`, the day
    column named by the model's `config.meta.monitor_date_column`, in name order. Known only when dbt
    executes (the graph is not there while it parses); returns [] while parsing.
-#}
{% macro monitored_models() %}
    {%- set found = [] -%}
    {%- if not execute -%}
        {{ return(found) }}
    {%- endif -%}
    {%- set kinds = ['numeric', 'categorical'] -%}
    {%- for node in graph.nodes.values() | selectattr('resource_type', 'equalto', 'model') | sort(attribute='name') -%}
        {%- set columns = [] -%}
        {%- for column in node.columns.values() -%}
            {%- set column_meta = column.meta or {} -%}
            {%- if column.config is defined and column.config and column.config.meta -%}
                {%- set column_meta = column.config.meta -%}
            {%- endif -%}
            {%- set kind = column_meta.get('monitor') -%}
            {%- if kind -%}
                {%- if kind not in kinds -%}
                    {{ exceptions.raise_compiler_error(
                        node.name ~ "." ~ column.name ~ ": meta.monitor must be one of " ~ (kinds | join(', '))
                        ~ ", got \"" ~ kind ~ "\"") }}
                {%- endif -%}
                {%- do columns.append({'name': column.name, 'kind': kind}) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if columns -%}
            {%- set date_column = (node.config.meta or {}).get('monitor_date_column') or (node.meta or {}).get('monitor_date_column') -%}
            {%- if not date_column -%}
                {{ exceptions.raise_compiler_error(
                    node.name ~ " has monitored columns but no day column: add `monitor_date_column: <date column>`"
                    ~ " under the model's config.meta in its YAML") }}
            {%- endif -%}
            {%- set rows = (node.config.meta or {}).get('monitor_rows') or (node.meta or {}).get('monitor_rows') or 'sample' -%}
            {%- if rows not in ['sample', 'snapshot'] -%}
                {{ exceptions.raise_compiler_error(
                    node.name ~ ": meta.monitor_rows must be sample or snapshot, got \"" ~ rows ~ "\"") }}
            {%- endif -%}
            {%- do found.append({
                'model': node.name,
                'rows': rows,
                'unique_id': node.unique_id,
                'date_column': date_column,
                'columns': columns | sort(attribute='name'),
            }) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(found) }}
{% endmacro %}

{#-
    The monitored models as relations of the calling model. dbt learns a model's inputs while it
    parses, before the graph exists, so each monitoring model names them in `-- depends_on:` lines;
    this fails compilation with the line to add when a newly monitored model is missing there.
-#}
{% macro monitored_relations() %}
    {%- set monitored = monitored_models() -%}
    {%- for table in monitored -%}
        {%- if table.unique_id not in model.depends_on.nodes -%}
            {{ exceptions.raise_compiler_error(
                model.name ~ " does not read " ~ table.model ~ ", whose columns declare meta.monitor: add the line"
                ~ "  -- depends_on: {{ ref('" ~ table.model ~ "') }}  to " ~ model.original_file_path) }}
        {%- endif -%}
        {%- do table.update({'relation': ref(table.model)}) -%}
    {%- endfor -%}
    {{ return(monitored) }}
{% endmacro %}

{#- The value of a monitored column as text for category counts; a null is the category '(null)'. -#}
{% macro monitoring_category(column) -%}
    coalesce(cast({{ column }} as {{ dbt.type_string() }}), '(null)')
{%- endmacro %}

{#- The p-quantile (0..1) of a numeric expression within a group, interpolated. -#}
{% macro monitoring_quantile(expression, p) -%}
    {{ return(adapter.dispatch('monitoring_quantile')(expression, p)) }}
{%- endmacro %}

{#- SQL:2003 ordered-set aggregate: DuckDB, PostgreSQL, Snowflake, Redshift. -#}
{% macro default__monitoring_quantile(expression, p) -%}
    percentile_cont({{ p }}) within group (order by {{ expression }})
{%- endmacro %}

{#- Spark SQL's exact interpolated percentile. -#}
{% macro spark__monitoring_quantile(expression, p) -%}
    percentile({{ expression }}, {{ p }})
{%- endmacro %}

{#- The p-quantiles (a list of numbers in 0..1) of a numeric expression within a group, interpolated, as
    one array (`monitoring_array_item` reads it). One aggregate keeps one copy of the group's values;
    one `monitoring_quantile` per p keeps a copy each, which DuckDB cannot spill (nine deciles over
    13M web requests ran out of a 3 GB cap at SCALE 10). -#}
{% macro monitoring_quantiles(expression, ps) -%}
    {{ return(adapter.dispatch('monitoring_quantiles')(expression, ps)) }}
{%- endmacro %}

{#- PostgreSQL (and the SQL:2003 ordered-set form elsewhere): an array of fractions gives an array. -#}
{% macro default__monitoring_quantiles(expression, ps) -%}
    percentile_cont(array[{{ ps | join(', ') }}]::double precision []) within group (order by {{ expression }})
{%- endmacro %}

{% macro duckdb__monitoring_quantiles(expression, ps) -%}
    quantile_cont({{ expression }}, [{{ ps | join(', ') }}])
{%- endmacro %}

{% macro spark__monitoring_quantiles(expression, ps) -%}
    percentile({{ expression }}, array({{ ps | join(', ') }}))
{%- endmacro %}

{#- The index-th item (from 1) of an array. -#}
{% macro monitoring_array_item(array, index) -%}
    {{ return(adapter.dispatch('monitoring_array_item')(array, index)) }}
{%- endmacro %}

{#- DuckDB lists and PostgreSQL arrays count from 1. -#}
{% macro default__monitoring_array_item(array, index) -%}
    {{ array }}[{{ index }}]
{%- endmacro %}

{% macro spark__monitoring_array_item(array, index) -%}
    element_at({{ array }}, {{ index }})
{%- endmacro %}

{#- A number as a 64-bit float (dbt.type_float() is DuckDB's 32-bit FLOAT: 7 digits are too few for PSI). -#}
{% macro monitoring_float(expression) -%}
    {{ return(adapter.dispatch('monitoring_float')(expression)) }}
{%- endmacro %}

{#- SQL standard: PostgreSQL, Snowflake, Redshift. -#}
{% macro default__monitoring_float(expression) -%}
    cast({{ expression }} as double precision)
{%- endmacro %}

{% macro duckdb__monitoring_float(expression) -%}
    cast({{ expression }} as double)
{%- endmacro %}

{% macro spark__monitoring_float(expression) -%}
    cast({{ expression }} as double)
{%- endmacro %}

{#- A monitoring threshold var as a SQL number literal: fails compilation naming the var unless it is a number >= 0. -#}
{% macro monitoring_threshold(name) -%}
    {%- set value = var(name) | string | trim -%}
    {%- if not modules.re.fullmatch('[0-9]{1,6}(\.[0-9]{1,9})?', value) -%}
        {{ exceptions.raise_compiler_error(
            "var '" ~ name ~ "' must be a number >= 0, got \"" ~ value ~ "\" (set it in dbt_project.yml or with --vars)") }}
    {%- endif -%}
    {{- value -}}
{%- endmacro %}

{#- The day of the week of a date as a number (which day is 0 differs by engine; only equality is used). -#}
{% macro monitoring_day_of_week(expression) -%}
    {{ return(adapter.dispatch('monitoring_day_of_week')(expression)) }}
{%- endmacro %}

{#- DuckDB, PostgreSQL, Redshift: Sunday = 0. -#}
{% macro default__monitoring_day_of_week(expression) -%}
    extract(dow from {{ expression }})
{%- endmacro %}

{#- Spark SQL: Sunday = 1. -#}
{% macro spark__monitoring_day_of_week(expression) -%}
    dayofweek({{ expression }})
{%- endmacro %}

{#-
    An aggregate whose value does not depend on the order rows arrive in: floating-point sums differ
    in their last bits when a parallel engine adds partial sums in another order, and the project's
    content hashes (idempotency, crash recovery) compare every table bit for bit.
-#}
{% macro monitoring_ordered_aggregate(function, expression, order_by) -%}
    {{ return(adapter.dispatch('monitoring_ordered_aggregate')(function, expression, order_by)) }}
{%- endmacro %}

{#- DuckDB, PostgreSQL: the aggregate reads its rows sorted (`avg(x order by x)`). -#}
{% macro default__monitoring_ordered_aggregate(function, expression, order_by) -%}
    {{ function }}({{ expression }} order by {{ order_by }})
{%- endmacro %}

{#- Spark SQL has no ordered form of avg/stddev/sum: the plain aggregate. -#}
{% macro spark__monitoring_ordered_aggregate(function, expression, order_by) -%}
    {{ function }}({{ expression }})
{%- endmacro %}
