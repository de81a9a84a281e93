{#-
    Every load of every raw table, classified: the rows the extract counted (`_ingest_audit`,
    written by the ingestion in the same dlt load package as the rows), the rows that carry the
    load's id in the raw table now, and for file sources the rows staging accepted or quarantined.
    Doc block `audit__audit_status` explains the statuses. Published, and tested, as
    `rpt_load_audit`; `rpt_source_reconciliation` sums it per table (a sibling, so a failing load
    test does not skip the reconciliation).
-#}

with

audit_records as (

    select * from {{ ref('stg_audit__extract_counts') }}

),

landed_rows as (

    select
        source_name,
        table_name,
        load_id,
        cast(sum(row_count) as {{ dbt.type_bigint() }}) as rows_landed
    from {{ ref('stg_audit__raw_row_counts') }}
    group by source_name, table_name, load_id

),

staged_rows as (

    {% for entry in audit_tables() if entry.base %}
    select
        '{{ entry.source }}' as source_name,
        '{{ entry.table }}' as table_name,
        _dlt_load_id as load_id,
        cast(sum(case when is_valid then 1 else 0 end) as {{ dbt.type_bigint() }}) as rows_valid,
        cast(sum(case when is_valid then 0 else 1 end) as {{ dbt.type_bigint() }}) as rows_quarantined
    from {{ ref(entry.base) }}
    group by _dlt_load_id
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

loads as (

    select * from {{ ref('stg_audit__loads') }}

),

audited_tables as (

    {% for entry in audit_tables() %}
    select
        '{{ entry.source }}' as source_name,
        '{{ entry.table }}' as table_name,
        {{ 'true' if entry.base else 'false' }} as is_staged_per_load
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

table_loads as (

    select
        coalesce(audit_records.source_name, landed_rows.source_name) as source_name,
        coalesce(audit_records.table_name, landed_rows.table_name) as table_name,
        coalesce(audit_records.load_id, landed_rows.load_id) as load_id,
        audit_records.load_id is not null as has_audit_record,
        audit_records.write_disposition,
        coalesce(audit_records.rows_extracted, 0) as rows_extracted,
        coalesce(audit_records.rows_deleted, 0) as rows_deleted,
        audit_records.source_rows_before_extract,
        coalesce(landed_rows.rows_landed, 0) as rows_landed
    from audit_records
    full outer join landed_rows
        on
            audit_records.source_name = landed_rows.source_name
            and audit_records.table_name = landed_rows.table_name
            and audit_records.load_id = landed_rows.load_id

),

load_facts as (

    select
        table_loads.*,
        loads.loaded_at,
        coalesce(loads.is_completed, false) as is_load_completed,
        audited_tables.table_name is not null as is_audited_table,
        coalesce(audited_tables.is_staged_per_load, false) as is_staged_per_load,
        staged_rows.rows_valid,
        staged_rows.rows_quarantined,
        -- rows of a table that merges or replaces move to later loads; an append-only table's never do
        max(
            case when table_loads.write_disposition in ('merge', 'replace') then 1 else 0 end
        ) over (partition by table_loads.source_name, table_loads.table_name) = 1 as has_moving_rows,
        row_number() over (
            partition by table_loads.source_name, table_loads.table_name, table_loads.rows_extracted > 0
            order by cast(table_loads.load_id as {{ dbt.type_numeric() }}) desc
        ) = 1 and table_loads.rows_extracted > 0 as is_latest_extract,
        min(case when table_loads.has_audit_record then cast(table_loads.load_id as {{ dbt.type_numeric() }}) end)
            over (partition by table_loads.source_name) as first_audited_load
    from table_loads
    left join loads
        on
            table_loads.source_name = loads.source_name
            and table_loads.load_id = loads.load_id
    left join audited_tables
        on
            table_loads.source_name = audited_tables.source_name
            and table_loads.table_name = audited_tables.table_name
    left join staged_rows
        on
            table_loads.source_name = staged_rows.source_name
            and table_loads.table_name = staged_rows.table_name
            and table_loads.load_id = staged_rows.load_id

),

classified as (

    select
        *,
        case
            when not is_load_completed then 'incomplete_load'
            when not is_audited_table then 'table_not_audited'
            when not has_audit_record and (
                first_audited_load is null
                or cast(load_id as {{ dbt.type_numeric() }}) < first_audited_load
            ) then 'before_audit_records'
            when not has_audit_record then 'no_audit_record'
            when rows_landed > rows_extracted then 'more_rows_than_extracted'
            when rows_landed < rows_extracted and (not has_moving_rows or is_latest_extract)
                then 'rows_missing'
            when is_staged_per_load and rows_landed <> coalesce(rows_valid, 0) + coalesce(rows_quarantined, 0)
                then 'staging_mismatch'
            when rows_landed < rows_extracted then 'superseded'
            else 'ok'
        end as audit_status
    from load_facts

),

final as (

    select
        source_name,
        table_name,
        load_id,
        loaded_at,
        is_load_completed,
        write_disposition,
        rows_extracted,
        rows_deleted,
        rows_landed,
        case
            when audit_status = 'superseded' then rows_extracted - rows_landed else 0
        end as rows_superseded,
        case when is_staged_per_load then coalesce(rows_valid, 0) end as rows_valid,
        case when is_staged_per_load then coalesce(rows_quarantined, 0) end as rows_quarantined,
        source_rows_before_extract,
        is_latest_extract,
        audit_status,
        cast(case
            when audit_status in ('ok', 'superseded', 'before_audit_records') then 0
            when audit_status in ('incomplete_load', 'no_audit_record') then rows_landed
            when audit_status = 'table_not_audited' then greatest(rows_extracted, rows_landed)
            when audit_status = 'staging_mismatch'
                then abs(rows_landed - coalesce(rows_valid, 0) - coalesce(rows_quarantined, 0))
            else abs(rows_landed - rows_extracted)
        end as {{ dbt.type_bigint() }}) as rows_unexplained
    from classified

)

select * from final
