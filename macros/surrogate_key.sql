{#- Surrogate key: md5 of the fields cast to text, nulls replaced by a marker, joined by '-'. -#}
{% macro surrogate_key(field_list) -%}
    {{ return(adapter.dispatch('surrogate_key')(field_list)) }}
{%- endmacro %}

{#- Portable SQL: md5 over a || concatenation (32 lowercase hex characters). -#}
{% macro default__surrogate_key(field_list) -%}
    md5(
    {%- for field in field_list -%}
        coalesce(cast({{ field }} as {{ dbt.type_string() }}), '_dbt_utils_surrogate_key_null_')
        {%- if not loop.last %} || '-' || {% endif -%}
    {%- endfor -%}
    )
{%- endmacro %}

{#- DuckDB: the same key with concat_ws (every field is coalesced first, as concat_ws skips nulls). -#}
{% macro duckdb__surrogate_key(field_list) -%}
    md5(concat_ws('-'
    {%- for field in field_list -%}
        , coalesce(cast({{ field }} as varchar), '_dbt_utils_surrogate_key_null_')
    {%- endfor -%}
    ))
{%- endmacro %}
