{#- dbt-spark's constraints step, applied only to Delta tables: the project's Spark tables are parquet. -#}

{#-
    dbt-spark runs `alter table ... change column ... set not null` after building a contracted model
    when its file_format is delta, and counts an unset file_format as delta; the project sets none, so
    its Spark tables are parquet, which cannot take the statement (UNSUPPORTED_FEATURE.TABLE_OPERATION).
    Here an unset file_format is not delta: the constraints of a parquet table are left declared and
    checked by the generic test `not_null_constraints` instead; a model configured with
    file_format='delta' gets dbt-spark's statements as before.
-#}
{% macro spark__persist_constraints(relation, model) %}
    {%- set contract_config = config.get('contract') -%}
    {%- if contract_config.enforced and config.get('file_format') == 'delta' -%}
        {%- do alter_table_add_constraints(relation, model.constraints) -%}
        {%- do alter_column_set_constraints(relation, model.columns) -%}
    {%- endif -%}
{% endmacro %}
