{#- Surrogate key: md5 of the fields cast to text, nulls replaced by a marker, joined by '-'. -#}
{% macro surrogate_key(field_list) -%}
    {#- a string would be iterated character by character (one field per letter) -#}
    {%- if field_list is string or field_list is not iterable or (field_list | length) == 0 -%}
        {{ exceptions.raise_compiler_error("surrogate_key: field_list must be a non-empty list of columns or SQL expressions, got " ~ ("\"" ~ (field_list | string) ~ "\"")) }}
    {%- endif -%}
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
