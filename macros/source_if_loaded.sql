{#- A source table, or an empty select with the given typed columns while the table does not exist yet. -#}

{#-
    dlt creates a file source's table on the first load that writes a row to it: `documents.reviews`
    appears with the first exported review, `<source>.rejected_records` with the first reject. Staging
    models select through this macro so they build (empty) before that. `source()` is always called,
    so lineage and unit-test fixtures (a CTE in place of the source) work as usual. Portable SQL: no
    adapter dispatch needed.
-#}
{% macro source_if_loaded(source_name, table_name, columns) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- if not execute or relation.is_cte -%}
        {{- return(relation) -}}
    {%- endif -%}
    {%- set existing = adapter.get_relation(
        database=relation.database,
        schema=relation.schema,
        identifier=relation.identifier,
    ) -%}
    {%- if existing is not none -%}
        {{- return(relation) -}}
    {%- endif -%}
    {%- set empty_select -%}
    (
        select
            {%- for column_name, data_type in columns.items() %}
            cast(null as {{ data_type }}) as {{ plain_identifier(column_name, 'source_if_loaded column') }}{{ ',' if not loop.last }}
            {%- endfor %}
        where 1 = 0
    ) as {{ plain_identifier(table_name ~ '_not_loaded', 'source_if_loaded table name') }}
    {%- endset -%}
    {{- return(empty_select) -}}
{%- endmacro %}
