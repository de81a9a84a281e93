{#- Custom incremental strategy `replace_window`: delete the rows the batch replaces (same key, or inside the window), then insert the batch. -#}
{% macro get_incremental_replace_window_sql(arg_dict) -%}
    {{ return(adapter.dispatch('get_incremental_replace_window_sql')(arg_dict)) }}
{%- endmacro %}

{#-
    Portable SQL (DuckDB, PostgreSQL): a DELETE with CTEs naming the batch and the table as loaded
    before this run, then an INSERT, in the materialization's transaction. Predicates see the target
    row as DBT_INTERNAL_DEST, the batch as DBT_INTERNAL_SOURCE and the whole table as
    DBT_INTERNAL_TARGET (`this` renders without its custom schema in a config block); they widen the
    delete (OR), unlike dbt's delete+insert where they narrow it.
-#}
{% macro default__get_incremental_replace_window_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set unique_key = arg_dict['unique_key'] -%}
    {%- set predicates = arg_dict['incremental_predicates'] or [] -%}
    {%- set quoted_dest_cols = [] -%}
    {%- for column in arg_dict['dest_columns'] -%}
        {%- do quoted_dest_cols.append(quote_identifier(column.name, 'column name')) -%}
    {%- endfor -%}
    {%- set dest_cols_csv = quoted_dest_cols | join(', ') -%}
    {%- if not unique_key or (unique_key is not string) -%}
        {{ exceptions.raise_compiler_error(
            "incremental_strategy 'replace_window' needs unique_key, one column: " ~ model.unique_id
        ) }}
    {%- endif -%}
    {#- the key is a name from config: it must be one of the model's columns, and renders quoted as the table has it -#}
    {%- set key_columns = arg_dict['dest_columns'] | selectattr('name', 'equalto', unique_key) | list
        or arg_dict['dest_columns'] | selectattr('name', 'equalto', unique_key | lower) | list
        or arg_dict['dest_columns'] | selectattr('name', 'equalto', unique_key | upper) | list -%}
    {%- if not key_columns -%}
        {{ exceptions.raise_compiler_error(
            "incremental_strategy 'replace_window': unique_key " ~ ("\"" ~ unique_key ~ "\"") ~ " is not a column of "
            ~ model.unique_id ~ " (columns: " ~ (arg_dict['dest_columns'] | map(attribute='name') | join(', ')) ~ ")"
        ) }}
    {%- endif -%}
    {%- set key = quote_identifier(key_columns[0].name, 'unique_key') -%}
    with DBT_INTERNAL_SOURCE as (

        select * from {{ source }}

    ),

    DBT_INTERNAL_TARGET as (

        select * from {{ target }}

    )

    delete from {{ target }} as DBT_INTERNAL_DEST
    where DBT_INTERNAL_DEST.{{ key }} in (select {{ key }} from DBT_INTERNAL_SOURCE)
    {%- for predicate in predicates %}
        or ({{ predicate }})
    {%- endfor %};

    insert into {{ target }} ({{ dest_cols_csv }})
    (
        select {{ dest_cols_csv }}
        from {{ source }}
    )
{%- endmacro %}

{#- The lookback cutoff: midnight var('incremental_lookback_days') days before max(date_column), as a timestamp (an aggregate expression). -#}
{% macro incremental_lookback_cutoff(date_column) -%}
    {{ return(adapter.dispatch('incremental_lookback_cutoff')(date_column)) }}
{%- endmacro %}

{#- Portable SQL through dbt's cross-database dateadd and cast. -#}
{% macro default__incremental_lookback_cutoff(date_column) -%}
    {{ dbt.dateadd(
        'day',
        -1 * integer_var('incremental_lookback_days'),
        dbt.cast('max(' ~ date_column ~ ')', api.Column.translate_type('timestamp'))
    ) }}
{%- endmacro %}
