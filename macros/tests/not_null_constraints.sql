{#- The model's declared `not_null` constraints, checked by a query where the engine does not enforce them. -#}

{#-
    DuckDB and PostgreSQL enforce a contracted model's `not_null` constraints when they build it (a
    null fails the model, the old table stays), so there this test is disabled and costs nothing.
    Spark does not enforce them on parquet tables, and no engine on a view or a model without a
    contract (whose YAML sets `enabled: true` on the test): there it checks every column with a
    `not_null` constraint in one scan of the model and fails with one row per column that holds nulls.
-#}
{% test not_null_constraints(model) %}

{#- var check_constraints_by_query: true runs it on any engine (a test of this test does, on DuckDB) -#}
{{ config(enabled=var('check_constraints_by_query', target.type not in ['duckdb', 'postgres'])) }}

{%- set columns = [] -%}
{%- if execute -%}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model'
        and (node.alias or node.name) | lower == model.identifier | lower
        and node.schema | lower == model.schema | lower -%}
        {%- for column in node.columns.values() -%}
            {%- if column.constraints | selectattr('type', 'equalto', 'not_null') | list -%}
                {%- do columns.append(column.name) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if not columns -%}
        {{ exceptions.raise_compiler_error("not_null_constraints on " ~ model ~ ": the model declares no not_null constraint") }}
    {%- endif -%}
{%- endif %}

with

null_counts as (

    select
        {%- for column in columns %}
        sum(case when {{ column }} is null then 1 else 0 end) as nulls_{{ loop.index }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ model }}

),

per_column as (

    {%- for column in columns %}
    select
        '{{ column }}' as column_name,
        nulls_{{ loop.index }} as null_rows
    from null_counts
    {{ 'union all' if not loop.last }}
    {%- endfor %}

)

select
    column_name,
    null_rows
from per_column
where null_rows > 0

{% endtest %}
