{#- Capture group `group` of the first match of `pattern` in `expr`; null when there is no match. -#}
{% macro regex_extract(expr, pattern, group=1) -%}
    {{ return(adapter.dispatch('regex_extract')(expr, pattern, group)) }}
{%- endmacro %}

{#- PostgreSQL and most engines: regexp_match returns the groups as an array (null without a match). -#}
{% macro default__regex_extract(expr, pattern, group=1) -%}
    {%- if group | int == 0 -%}
    substring({{ expr }} from '({{ pattern | replace("'", "''") }})')
    {%- else -%}
    (regexp_match({{ expr }}, '{{ pattern | replace("'", "''") }}'))[{{ group | int }}]
    {%- endif -%}
{%- endmacro %}

{#- DuckDB: regexp_extract returns '' without a match, so it is guarded to return null instead. -#}
{% macro duckdb__regex_extract(expr, pattern, group=1) -%}
    {%- set quoted = "'" ~ (pattern | replace("'", "''")) ~ "'" -%}
    case when regexp_matches({{ expr }}, {{ quoted }}) then regexp_extract({{ expr }}, {{ quoted }}, {{ group | int }}) end
{%- endmacro %}

{#- Whether `pattern` matches anywhere in `expr` (anchor it with ^ and $ for a full match); null for null. -#}
{% macro regex_matches(expr, pattern) -%}
    {{ return(adapter.dispatch('regex_matches')(expr, pattern)) }}
{%- endmacro %}

{#- PostgreSQL and most engines: the POSIX match operator ~. -#}
{% macro default__regex_matches(expr, pattern) -%}
    ({{ expr }} ~ '{{ pattern | replace("'", "''") }}')
{%- endmacro %}

{#- DuckDB: regexp_matches (a partial match, like ~). -#}
{% macro duckdb__regex_matches(expr, pattern) -%}
    regexp_matches({{ expr }}, '{{ pattern | replace("'", "''") }}')
{%- endmacro %}
