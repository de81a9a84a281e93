{#- The ingestion's extract counts of every raw dataset (`_ingest_audit`), one row per load and table. -#}

{%- set audit_columns = {
    'table_name': dbt.type_string(),
    'write_disposition': dbt.type_string(),
    'rows_extracted': dbt.type_bigint(),
    'rows_deleted': dbt.type_bigint(),
    'source_rows_before_extract': dbt.type_bigint(),
    'extracted_at': dbt.type_timestamp(),
    '_dlt_load_id': dbt.type_string(),
} -%}

with

{% for source_name in audit_sources() %}
{{ source_name }}_counts as (

    select
        '{{ source_name }}' as source_name,
        table_name,
        _dlt_load_id as load_id,
        write_disposition,
        rows_extracted,
        rows_deleted,
        source_rows_before_extract,
        extracted_at
    from {{ source_if_loaded(source_name, '_ingest_audit', audit_columns) }}

),
{% endfor %}

final as (

    {% for source_name in audit_sources() %}
    select * from {{ source_name }}_counts
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from final
