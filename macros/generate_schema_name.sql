{#- Use a folder's custom schema as is (`reference`, later `staging`, `marts`), not `<target>_<custom>`. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {#- a schema name from config: refuse anything but a plain name (it is quoted, not escaped, by dbt) -#}
        {{ plain_identifier(custom_schema_name | trim, 'schema (+schema in dbt_project.yml or config)') }}
    {%- endif -%}
{%- endmacro %}
