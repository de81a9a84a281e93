{#-
    One row per raw table: where every row that entered went. Raw rows = valid (staging) +
    quarantined; the source system's rows before the last extract are all in raw; every valid row
    is in the table's mart, and every other row of that mart is an addition the mart makes by design
    whose rule holds (counted apart with its reason). Load-level differences come from int_table_loads_classified (= rpt_load_audit). Doc block
    `audit__source_reconciliation`; `rows_unexplained` must be 0 (tested).
-#}

with

load_audit as (

    select * from {{ ref('int_table_loads_classified') }}

),

raw_row_counts as (

    select * from {{ ref('stg_audit__raw_row_counts') }}

),

rows_in_raw as (

    select
        source_name,
        table_name,
        cast(sum(row_count) as {{ dbt.type_bigint() }}) as rows_in_raw,
        cast(sum(rows_superseded_in_raw) as {{ dbt.type_bigint() }}) as rows_superseded_in_raw
    from raw_row_counts
    where table_name <> 'rejected_records'
    group by source_name, table_name

),

rejects as (

    select
        source_name,
        rejected_for_table as table_name,
        cast(sum(row_count) as {{ dbt.type_bigint() }}) as rows_rejected_at_ingest
    from raw_row_counts
    where table_name = 'rejected_records'
    group by source_name, rejected_for_table

),

loads_per_table as (

    select
        source_name,
        table_name,
        count(*) as loads,
        max(loaded_at) as last_loaded_at,
        cast(sum(rows_extracted) as {{ dbt.type_bigint() }}) as rows_extracted,
        cast(sum(rows_superseded) as {{ dbt.type_bigint() }}) as rows_superseded,
        cast(sum(rows_deleted) as {{ dbt.type_bigint() }}) as rows_deleted,
        max(case when is_latest_extract then source_rows_before_extract end) as source_rows_before_last_extract,
        cast(sum(rows_unexplained) as {{ dbt.type_bigint() }}) as rows_unexplained_in_loads
    from load_audit
    group by source_name, table_name

),

table_counts as (

    {% for entry in audit_tables() if entry.table != 'rejected_records' %}
    select
        '{{ entry.source }}' as source_name,
        '{{ entry.table }}' as table_name,
        (select count(*) from {{ ref(entry.staging) }}) as rows_valid,
        {%- if entry.quarantine %}
        (
            select count(*) from {{ ref(entry.quarantine) }}
            {%- if entry.quarantine_where %}
            where {{ entry.quarantine_where }}
            {%- endif %}
        ) as rows_quarantined,
        {%- else %}
        0 as rows_quarantined,
        {%- endif %}
        {{ "'" ~ entry.downstream ~ "'" if entry.downstream else 'cast(null as ' ~ dbt.type_string() ~ ')' }}
            as downstream_model,
        {%- if entry.downstream %}
        (select {{ entry.downstream_rows or 'count(*)' }} from {{ ref(entry.downstream) }}) as rows_downstream,
        {%- if entry.downstream_added %}
        (select {{ entry.downstream_added }} from {{ ref(entry.downstream) }}) as rows_added_downstream,
        {%- else %}
        0 as rows_added_downstream,
        {%- endif %}
        (select {{ entry.downstream_total or 'count(*)' }} from {{ ref(entry.downstream) }})
            as rows_in_downstream_model,
        {%- else %}
        cast(null as {{ dbt.type_bigint() }}) as rows_downstream,
        cast(null as {{ dbt.type_bigint() }}) as rows_added_downstream,
        cast(null as {{ dbt.type_bigint() }}) as rows_in_downstream_model,
        {%- endif %}
        {{ "'" ~ entry.downstream_added_reason ~ "'" if entry.downstream_added_reason
            else 'cast(null as ' ~ dbt.type_string() ~ ')' }} as added_downstream_reason
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

joined as (

    select
        table_counts.source_name,
        table_counts.table_name,
        coalesce(loads_per_table.loads, 0) as loads,
        loads_per_table.last_loaded_at,
        coalesce(loads_per_table.rows_extracted, 0) as rows_extracted,
        -- superseded by a later load: gone from raw where dlt merges, still there where it appends
        coalesce(loads_per_table.rows_superseded, 0) + coalesce(rows_in_raw.rows_superseded_in_raw, 0)
            as rows_superseded,
        coalesce(rows_in_raw.rows_superseded_in_raw, 0) as rows_superseded_in_raw,
        coalesce(loads_per_table.rows_deleted, 0) as rows_deleted,
        coalesce(rows_in_raw.rows_in_raw, 0) as rows_in_raw,
        loads_per_table.source_rows_before_last_extract,
        coalesce(rejects.rows_rejected_at_ingest, 0) as rows_rejected_at_ingest,
        table_counts.rows_valid,
        table_counts.rows_quarantined,
        table_counts.downstream_model,
        cast(table_counts.rows_downstream as {{ dbt.type_bigint() }}) as rows_downstream,
        cast(table_counts.rows_added_downstream as {{ dbt.type_bigint() }}) as rows_added_downstream,
        cast(table_counts.rows_in_downstream_model as {{ dbt.type_bigint() }}) as rows_in_downstream_model,
        table_counts.added_downstream_reason,
        coalesce(loads_per_table.rows_unexplained_in_loads, 0) as rows_unexplained_in_loads
    from table_counts
    left join loads_per_table
        on
        table_counts.source_name = loads_per_table.source_name
        and table_counts.table_name = loads_per_table.table_name
    left join rows_in_raw
        on
        table_counts.source_name = rows_in_raw.source_name
        and table_counts.table_name = rows_in_raw.table_name
    left join rejects
        on
        table_counts.source_name = rejects.source_name
        and table_counts.table_name = rejects.table_name

),

differences as (

    select
        *,
        case
            when source_rows_before_last_extract > rows_in_raw - rows_superseded_in_raw
                then source_rows_before_last_extract - (rows_in_raw - rows_superseded_in_raw)
            else 0
        end as rows_missing_from_raw,
        rows_in_raw - rows_superseded_in_raw - rows_valid - rows_quarantined as rows_unexplained_in_staging,
        case
            when downstream_model is not null then rows_valid - rows_downstream
        end as rows_missing_downstream,
        case
            when downstream_model is not null
                then rows_in_downstream_model - rows_downstream - rows_added_downstream
        end as rows_unexplained_downstream
    from joined

),

checked as (

    select
        *,
        cast(
            rows_unexplained_in_loads
            + rows_missing_from_raw
            + abs(rows_unexplained_in_staging)
            + abs(coalesce(rows_missing_downstream, 0))
            + abs(coalesce(rows_unexplained_downstream, 0))
            as {{ dbt.type_bigint() }}
        ) as rows_unexplained
    from differences

),

final as (

    select
        *,
        case
            when rows_unexplained = 0 then 'reconciled'
            when rows_unexplained_in_loads <> 0 then 'load_difference'
            when rows_missing_from_raw <> 0 then 'missing_from_raw'
            when rows_unexplained_in_staging <> 0 then 'staging_difference'
            when rows_missing_downstream <> 0 then 'missing_downstream'
            else 'unexplained_downstream'
        end as reconciliation_status
    from checked

)

select * from final
