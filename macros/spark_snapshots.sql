{#-
    Snapshots on Spark without Delta/Iceberg/Hudi (their jars cannot be fetched here): dbt-spark's
    snapshot materialization refuses any other file format because its merge step is MERGE INTO.
    This copy of it (dbt-spark 1.11, macros/materializations/snapshot.sql) drops that check, and
    `spark__snapshot_merge_sql` below does what the merge does with a rewrite of the parquet table:
    the current versions the staging relation closes get its dbt_valid_to, its new versions are
    added. The result is the same snapshot as on DuckDB and PostgreSQL; a Delta, Iceberg or Hudi
    table still gets dbt-spark's MERGE INTO.
-#}
{% materialization snapshot, adapter='spark' %}

  {%- set target_table = model.get('alias', model.get('name')) -%}

  {%- set strategy_name = config.get('strategy') -%}
  {%- set unique_key = config.get('unique_key') %}
  {%- set file_format = config.get('file_format') or 'parquet' -%}
  {%- set grant_config = config.get('grants') -%}

  {% set target_relation_exists, target_relation = get_or_create_relation(
          database=none,
          schema=model.schema,
          identifier=target_table,
          type='table') -%}

  {% if not adapter.check_schema_exists(model.database, model.schema) %}
    {% do create_schema(model.schema) %}
  {% endif %}

  {%- if not target_relation.is_table -%}
    {% do exceptions.relation_wrong_type(target_relation, 'table') %}
  {%- endif -%}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}

  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {% set strategy_macro = strategy_dispatch(strategy_name) %}
  {% set strategy = strategy_macro(model, "snapshotted_data", "source_data", model['config'], target_relation_exists) %}

  {% if not target_relation_exists %}

      {% set build_sql = build_snapshot_table(strategy, model['compiled_code']) %}
      {% set final_sql = create_table_as(False, target_relation, build_sql) %}

  {% else %}

      {% set columns = config.get("snapshot_table_column_names") or get_snapshot_table_column_names() %}

      {{ adapter.valid_snapshot_target(target_relation, columns) }}

      {% set staging_table = spark_build_snapshot_staging_table(strategy, sql, target_relation) %}

      -- this may no-op if the database does not require column expansion
      {% do adapter.expand_target_column_types(from_relation=staging_table,
                                               to_relation=target_relation) %}

      {% set missing_columns = adapter.get_missing_columns(staging_table, target_relation)
                                   | rejectattr('name', 'equalto', 'dbt_change_type')
                                   | rejectattr('name', 'equalto', 'DBT_CHANGE_TYPE')
                                   | rejectattr('name', 'equalto', 'dbt_unique_key')
                                   | rejectattr('name', 'equalto', 'DBT_UNIQUE_KEY')
                                   | list %}

      {% do create_columns(target_relation, missing_columns) %}

      {% set source_columns = adapter.get_columns_in_relation(staging_table)
                                   | rejectattr('name', 'equalto', 'dbt_change_type')
                                   | rejectattr('name', 'equalto', 'DBT_CHANGE_TYPE')
                                   | rejectattr('name', 'equalto', 'dbt_unique_key')
                                   | rejectattr('name', 'equalto', 'DBT_UNIQUE_KEY')
                                   | list %}

      {% set quoted_source_columns = [] %}
      {% for column in source_columns %}
        {% do quoted_source_columns.append(adapter.quote(column.name)) %}
      {% endfor %}

      {% set final_sql = snapshot_merge_sql(
            target = target_relation,
            source = staging_table,
            insert_cols = quoted_source_columns
         )
      %}

  {% endif %}

  {% call statement('main') %}
      {{ final_sql }}
  {% endcall %}

  {% set should_revoke = should_revoke(target_relation_exists, full_refresh_mode) %}
  {% do apply_grants(target_relation, grant_config, should_revoke) %}

  {% do persist_docs(target_relation, model) %}

  {{ run_hooks(post_hooks, inside_transaction=True) }}

  {{ adapter.commit() }}

  {% if staging_table is defined %}
      {% do post_snapshot(staging_table) %}
  {% endif %}

  {{ run_hooks(post_hooks, inside_transaction=False) }}

  {{ return({'relations': [target_relation]}) }}

{% endmaterialization %}

{#- The snapshot's merge on Spark: dbt-spark's MERGE INTO for Delta/Iceberg/Hudi, a rewrite through a staging table for parquet (see above). -#}
{% macro spark__snapshot_merge_sql(target, source, insert_cols) -%}
    {%- set columns = config.get("snapshot_table_column_names") or get_snapshot_table_column_names() -%}
    {%- set current_condition -%}
        {%- if config.get("dbt_valid_to_current") -%}
            (DBT_INTERNAL_DEST.{{ columns.dbt_valid_to }} = {{ config.get('dbt_valid_to_current') }} or DBT_INTERNAL_DEST.{{ columns.dbt_valid_to }} is null)
        {%- else -%}
            DBT_INTERNAL_DEST.{{ columns.dbt_valid_to }} is null
        {%- endif -%}
    {%- endset -%}
    {%- if target.is_delta or target.is_iceberg or target.is_hudi -%}
    merge into {{ target }} as DBT_INTERNAL_DEST
    {% if target.is_iceberg %}
      using {{ source.identifier }} as DBT_INTERNAL_SOURCE
    {% else %}
      using {{ source }} as DBT_INTERNAL_SOURCE
    {% endif %}
    on DBT_INTERNAL_SOURCE.{{ columns.dbt_scd_id }} = DBT_INTERNAL_DEST.{{ columns.dbt_scd_id }}
    when matched
     and {{ current_condition }}
     and DBT_INTERNAL_SOURCE.dbt_change_type in ('update', 'delete')
        then update
        set {{ columns.dbt_valid_to }} = DBT_INTERNAL_SOURCE.{{ columns.dbt_valid_to }}
    when not matched
     and DBT_INTERNAL_SOURCE.dbt_change_type = 'insert'
        then insert *
    {%- else -%}
    {%- set source_names = [] -%}
    {%- for column in insert_cols -%}
        {%- do source_names.append(column | replace('`', '') | lower) -%}
    {%- endfor -%}
    {%- set target_columns = adapter.get_columns_in_relation(target) -%}
    {%- set staging = target.incorporate(path={'identifier': target.identifier ~ '__dbt_rewrite'}) -%}
    {%- do run_query('drop table if exists ' ~ staging) -%}
    {%- set rewrite -%}
        create table {{ staging }} using parquet as
        with closing as (
            select {{ columns.dbt_scd_id }} as scd_id, max({{ columns.dbt_valid_to }}) as valid_to
            from {{ source }}
            where dbt_change_type in ('update', 'delete')
            group by {{ columns.dbt_scd_id }}
        )
        select
            {%- for column in target_columns %}
            {%- if column.name | lower == columns.dbt_valid_to | lower %}
            case when {{ current_condition }} and closing.scd_id is not null then closing.valid_to else DBT_INTERNAL_DEST.{{ column.quoted }} end as {{ column.quoted }}
            {%- else %}
            DBT_INTERNAL_DEST.{{ column.quoted }}
            {%- endif %}{{ ',' if not loop.last }}
            {%- endfor %}
        from {{ target }} as DBT_INTERNAL_DEST
        left join closing on closing.scd_id = DBT_INTERNAL_DEST.{{ columns.dbt_scd_id }}
        union all
        select
            {%- for column in target_columns %}
            {% if column.name | lower in source_names %}DBT_INTERNAL_SOURCE.{{ column.quoted }}{% else %}cast(null as {{ column.data_type }}){% endif %} as {{ column.quoted }}{{ ',' if not loop.last }}
            {%- endfor %}
        from {{ source }} as DBT_INTERNAL_SOURCE
        where DBT_INTERNAL_SOURCE.dbt_change_type = 'insert'
            and not exists (
                select 1 from {{ target }} as existing
                where existing.{{ columns.dbt_scd_id }} = DBT_INTERNAL_SOURCE.{{ columns.dbt_scd_id }}
            )
    {%- endset -%}
    {%- do run_query(rewrite) -%}
    {%- do run_query('insert overwrite table ' ~ target ~ ' select * from ' ~ staging) -%}
    drop table if exists {{ staging }}
    {%- endif -%}
{%- endmacro %}
