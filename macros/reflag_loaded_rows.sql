{#-
    The rows an incremental `base_` model flags in this run (doc block events__incremental_parse):
    the new rows of `new_rows`, and, on an incremental run, the rows already in the table that share
    a `key` with a new row, read back as `loaded_columns` (the same columns in the same order as
    `new_rows`, flags restored from `invalid_reason`), so a duplicate that arrives later than its
    first copy flags both again. Adds `is_loaded` and `loaded_invalid_reason`; renders the CTE
    body (a select), to use as `deliveries as ( {{ reflag_loaded_rows(...) }} )`.
-#}
{% macro reflag_loaded_rows(new_rows, key, loaded_columns) -%}
    select
        *,
        false as is_loaded,
        cast(null as {{ dbt.type_string() }}) as loaded_invalid_reason
    from {{ new_rows }}
    {%- if is_incremental() %}
    union all
    -- rows parsed by earlier runs that share the key with a new row: their flag may change
    select
        {%- for column in loaded_columns %}
        {{ column }},
        {%- endfor %}
        true as is_loaded,
        invalid_reason as loaded_invalid_reason
    from {{ this }}
    where {{ key }} in (select {{ key }} from {{ new_rows }})
    {%- endif %}
{%- endmacro %}
