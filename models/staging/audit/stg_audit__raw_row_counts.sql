{#-
    The rows in every audited raw table now, per load that wrote them; rejects (`rejected_records`)
    also per the table they were meant for. The tables are listed in the `audit_tables()` macro.
-#}

{%- set load_id_column = {'_dlt_load_id': dbt.type_string()} -%}
{%- set reject_columns = {'source_table': dbt.type_string(), '_dlt_load_id': dbt.type_string()} -%}

with

{% for entry in audit_tables() %}
{{ entry.source }}_{{ entry.table }} as (

    select
        '{{ entry.source }}' as source_name,
        '{{ entry.table }}' as table_name,
        _dlt_load_id as load_id,
        {%- if entry.table == 'rejected_records' %}
        source_table as rejected_for_table,
        {%- else %}
        cast(null as {{ dbt.type_string() }}) as rejected_for_table,
        {%- endif %}
        count(*) as row_count
    from {{ source_if_loaded(entry.source, entry.table,
        reject_columns if entry.table == 'rejected_records' else load_id_column) }}
    group by _dlt_load_id{{ ', source_table' if entry.table == 'rejected_records' }}

),
{% endfor %}

final as (

    {% for entry in audit_tables() %}
    select * from {{ entry.source }}_{{ entry.table }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from final
