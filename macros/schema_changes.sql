{#-
    PostgreSQL: an incremental model's batch (a temporary table, no contract) has `text` columns
    where the table built under the contract (`data_type: varchar`) has `character varying`; both
    are unbounded strings on PostgreSQL, so they are not a type change for on_schema_change='fail'.
    Every other difference is reported as dbt's default does.
-#}
{% macro postgres__diff_column_data_types(source_columns, target_columns) -%}
    {%- set unbounded_strings = ['text', 'character varying'] -%}
    {%- set result = [] -%}
    {%- for sc in source_columns -%}
        {%- set tc = target_columns | selectattr('name', 'equalto', sc.name) | list | first -%}
        {%- if tc -%}
            {%- set same_string = sc.expanded_data_type in unbounded_strings and tc.expanded_data_type in unbounded_strings -%}
            {%- if sc.expanded_data_type != tc.expanded_data_type and not same_string and not sc.can_expand_to(other_column=tc) -%}
                {%- do result.append({'column_name': tc.name, 'new_type': sc.expanded_data_type}) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(result) }}
{%- endmacro %}
