{#-
    The rows in every audited raw table now, per load that wrote them; rejects (`rejected_records`)
    also per the table they were meant for. The tables are listed in the `audit_tables()` macro.
    `rows_superseded_in_raw`: the rows of a merge table (one with a `key`) that a newer version of the
    same key, or a hard-delete tombstone, replaces while still in the table: always 0 where dlt merges
    (DuckDB, PostgreSQL), the older versions on a destination that appends instead (the filesystem
    destination Spark reads), which staging's dedup leaves out.
-#}

{%- set load_id_column = {'_dlt_load_id': dbt.type_string()} -%}
{%- set reject_columns = {'source_table': dbt.type_string(), '_dlt_load_id': dbt.type_string()} -%}

with

{% for entry in audit_tables() %}
{#- a merge table (with a key): its older versions and tombstones, kept where the destination appends -#}
{%- set relation = source(entry.source, entry.table) if entry.key else source_if_loaded(
    entry.source, entry.table, reject_columns if entry.table == 'rejected_records' else load_id_column
) -%}
{%- set superseded = '(row_number() over (partition by ' ~ entry.key ~ ' order by _dlt_load_id desc) > 1 or '
    ~ hard_delete_flag(relation) ~ ')' if entry.key else 'false' %}
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
        count(*) as row_count,
        sum(case when is_superseded then 1 else 0 end) as rows_superseded_in_raw
    from (
        select
            *,
            {{ superseded }} as is_superseded
        from {{ relation }}
    ) as versions
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
