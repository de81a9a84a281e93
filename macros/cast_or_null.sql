{#- Cast that yields null instead of failing the query when a value does not convert (DuckDB: try_cast). -#}
{% macro cast_or_null(expression, type) %}
    {{- return(adapter.dispatch('cast_or_null')(expression, type)) -}}
{% endmacro %}

{% macro default__cast_or_null(expression, type) -%}
    cast({{ expression }} as {{ type }})
{%- endmacro %}

{% macro duckdb__cast_or_null(expression, type) -%}
    try_cast({{ expression }} as {{ type }})
{%- endmacro %}

{#- PostgreSQL: the text through try_cast_text (macros/engine_setup.sql), then a cast for the type modifiers (decimal(12, 2) rounds). -#}
{% macro postgres__cast_or_null(expression, type) -%}
    cast({{ engine_function('try_cast_text') }}(cast({{ expression }} as text), cast(null as {{ type }})) as {{ type }})
{%- endmacro %}

{#- Spark: try_cast (the type name translated by spark_data_type). -#}
{% macro spark__cast_or_null(expression, type) -%}
    try_cast({{ expression }} as {{ spark_data_type(type) }})
{%- endmacro %}
