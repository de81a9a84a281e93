{#- ISO day of the week of a date: Monday = 1 … Sunday = 7, an integer. -#}
{% macro iso_day_of_week(expr) -%}
    {{ return(adapter.dispatch('iso_day_of_week')(expr)) }}
{%- endmacro %}

{#- DuckDB, PostgreSQL: extract(isodow …). -#}
{% macro default__iso_day_of_week(expr) -%}
    cast(extract(isodow from {{ expr }}) as integer)
{%- endmacro %}

{#- Spark: extract(dayofweek_iso …). -#}
{% macro spark__iso_day_of_week(expr) -%}
    extract(dayofweek_iso from {{ expr }})
{%- endmacro %}
