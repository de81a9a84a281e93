{#- The columns of every dlt schema version of every raw dataset (`_dlt_version`), with their data types. -#}

with

{% for source_name in audit_sources() %}
{{ source_name }}_columns as (

    select
        '{{ source_name }}' as source_name,
        schema_columns.version as schema_version,
        schema_columns.version_hash,
        schema_columns.inserted_at as stored_at,
        schema_columns.table_name,
        schema_columns.column_name,
        schema_columns.data_type
    from ({{ dlt_schema_columns(source(source_name, '_dlt_version')) }}) as schema_columns

),
{% endfor %}

final as (

    {% for source_name in audit_sources() %}
    select * from {{ source_name }}_columns
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from final
