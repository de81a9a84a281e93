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

{#-
    Spark (parquet tables: no DELETE, no MERGE without Delta/Iceberg jars). dbt-spark accepts only
    append, insert_overwrite, merge and microbatch; the two overrides below let the project's
    `replace_window` and dbt's `delete+insert` run there with their exact semantics: the rows the
    batch replaces are left out of a rewrite of the table. The rewrite goes through a staging table
    (`<table>__dbt_rewrite`: Spark cannot overwrite a table it reads in the same statement), then
    `insert overwrite` replaces the table's files; the staging table is dropped as the model's main
    statement. Its cost is a rewrite of the table, not of the day (`insert_overwrite` by partition
    would be the day's cost, but needs every replaced row to be in the batch's partitions, which a
    key seen again on another day is not).
-#}
{% macro dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format) %}
    {%- if raw_strategy in ('replace_window', 'delete+insert') -%}
        {{ return(raw_strategy) }}
    {%- endif -%}
    {{ return(dbt_spark_validate_get_incremental_strategy_builtin(raw_strategy, file_format)) }}
{% endmacro %}

{#- dbt-spark's own validation (macros/materializations/incremental/validate.sql in dbt-spark 1.11), for its strategies. -#}
{% macro dbt_spark_validate_get_incremental_strategy_builtin(raw_strategy, file_format) %}
  {% set invalid_strategy_msg -%}
    Invalid incremental strategy provided: {{ raw_strategy }}
    Expected one of: 'append', 'merge', 'insert_overwrite', 'microbatch', 'replace_window', 'delete+insert'
  {%- endset %}
  {% set invalid_merge_msg -%}
    Invalid incremental strategy provided: {{ raw_strategy }}
    You can only choose this strategy when file_format is set to 'delta' or 'iceberg' or 'hudi'
  {%- endset %}
  {% if raw_strategy not in ['append', 'merge', 'insert_overwrite', 'microbatch'] %}
    {% do exceptions.raise_compiler_error(invalid_strategy_msg) %}
  {%-else %}
    {% if raw_strategy == 'merge' and file_format not in ['delta', 'iceberg', 'hudi'] %}
      {% do exceptions.raise_compiler_error(invalid_merge_msg) %}
    {% endif %}
  {% endif %}
  {% do return(raw_strategy) %}
{% endmacro %}

{#- dbt-spark's dispatcher of incremental SQL, with replace_window and delete+insert added. -#}
{% macro dbt_spark_get_incremental_sql(strategy, source, target, existing, unique_key, incremental_predicates) %}
  {%- if strategy == 'append' -%}
    {{ get_insert_into_sql(source, target) }}
  {%- elif strategy in ('insert_overwrite', 'microbatch') -%}
    {%- if strategy == 'microbatch' and not config.get('partition_by') -%}
      {{ exceptions.raise_compiler_error("dbt-spark 'microbatch' incremental strategy requires a `partition_by` config") }}
    {%- endif -%}
    {{ get_insert_overwrite_sql(source, target, existing) }}
  {%- elif strategy == 'merge' -%}
    {{ get_merge_sql(target, source, unique_key, dest_columns=none, incremental_predicates=incremental_predicates) }}
  {%- elif strategy in ('replace_window', 'delete+insert') -%}
    {{ spark_rewrite_incremental(strategy, source, target, unique_key, incremental_predicates or []) }}
  {%- else -%}
    {%- do exceptions.raise_compiler_error('No known SQL for the incremental strategy provided: ' ~ strategy) -%}
  {%- endif -%}
{% endmacro %}

{#- The rewrite of replace_window / delete+insert on Spark (see above); returns the last statement. -#}
{% macro spark_rewrite_incremental(strategy, source, target, unique_key, predicates) %}
    {%- set keys = [unique_key] if unique_key is string else (unique_key or []) -%}
    {%- if not keys -%}
        {{ exceptions.raise_compiler_error("incremental_strategy '" ~ strategy ~ "' needs unique_key: " ~ model.unique_id) }}
    {%- endif -%}
    {%- set columns_csv = adapter.get_columns_in_relation(target) | map(attribute='quoted') | join(', ') -%}
    {%- if strategy == 'replace_window' -%}
        {#- replace_window: a key in the batch OR any predicate replaces the row -#}
        {%- set replaced = ['DBT_INTERNAL_DEST.' ~ keys[0] ~ ' in (select ' ~ keys[0] ~ ' from DBT_INTERNAL_SOURCE)'] -%}
        {%- for predicate in predicates -%}
            {%- do replaced.append('(' ~ predicate ~ ')') -%}
        {%- endfor -%}
        {%- set replaced_sql = replaced | join(' or ') -%}
    {%- else -%}
        {#- delete+insert: every key column equal AND every predicate (dbt's predicates narrow the delete) -#}
        {%- set key_match = [] -%}
        {%- for key in keys -%}
            {%- do key_match.append('batch.' ~ key ~ ' = DBT_INTERNAL_DEST.' ~ key) -%}
        {%- endfor -%}
        {%- set replaced = ['exists (select 1 from DBT_INTERNAL_SOURCE as batch where ' ~ key_match | join(' and ') ~ ')'] -%}
        {%- for predicate in predicates -%}
            {%- do replaced.append('(' ~ predicate ~ ')') -%}
        {%- endfor -%}
        {%- set replaced_sql = replaced | join(' and ') -%}
    {%- endif -%}
    {%- set staging = target.incorporate(path={'identifier': target.identifier ~ '__dbt_rewrite'}) -%}
    {%- do run_query('drop table if exists ' ~ staging) -%}
    {%- set rewrite -%}
        create table {{ staging }} using parquet as
        with DBT_INTERNAL_SOURCE as (select * from {{ source }}),
        DBT_INTERNAL_TARGET as (select * from {{ target }})
        select {{ columns_csv }} from {{ target }} as DBT_INTERNAL_DEST
        where not coalesce({{ replaced_sql }}, false)
        union all
        select {{ columns_csv }} from DBT_INTERNAL_SOURCE
    {%- endset -%}
    {%- do run_query(rewrite) -%}
    {%- do run_query('insert overwrite table ' ~ target ~ ' select ' ~ columns_csv ~ ' from ' ~ staging) -%}
    drop table if exists {{ staging }}
{% endmacro %}
