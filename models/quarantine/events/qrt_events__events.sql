{#-
    Clickstream lines staging did not accept: raw rows flagged in `base_events__events`, plus the
    lines the ingestion could not store as text (`rejected_records`, reason `rejected_at_load`).
-#}

{%- set reject_columns = {
    'source_table': dbt.type_string(),
    'file_name': dbt.type_string(),
    'line_number': dbt.type_bigint(),
    'reason': dbt.type_string(),
    'raw_content': dbt.type_string(),
    '_dlt_load_id': dbt.type_string(),
} -%}

with

events as (

    select * from {{ ref('base_events__events') }}
    where not is_valid

),

rejected_records as (

    select * from {{ source_if_loaded('events', 'rejected_records', reject_columns) }}
    where source_table = 'events'

),

flagged_events as (

    select
        _file_name,
        _line_number,
        _dlt_load_id,
        raw_event,
        invalid_reason,
        cast(null as {{ dbt.type_string() }}) as load_reject_reason,
        event_id,
        event_type,
        received_at
    from events

),

load_rejects as (

    select
        file_name as _file_name,
        line_number as _line_number,
        _dlt_load_id,
        raw_content as raw_event,
        'rejected_at_load' as invalid_reason,
        reason as load_reject_reason,
        cast(null as {{ dbt.type_string() }}) as event_id,
        cast(null as {{ dbt.type_string() }}) as event_type,
        cast(null as {{ dbt.type_timestamp() }}) as received_at
    from rejected_records

),

final as (

    select * from flagged_events
    union all
    select * from load_rejects

)

select * from final
