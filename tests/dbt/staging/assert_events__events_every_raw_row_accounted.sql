{#-
    Every raw clickstream line is either a valid event (stg) or quarantined (qrt), never both, never
    lost: count(raw lines) + count(load rejects) = count(stg) + count(qrt). Returns a row on failure.
-#}

{%- set reject_columns = {
    'source_table': dbt.type_string(),
    'file_name': dbt.type_string(),
    'line_number': dbt.type_bigint(),
    'reason': dbt.type_string(),
    'raw_content': dbt.type_string(),
    '_dlt_load_id': dbt.type_string(),
} -%}

{%- set raw_columns = {
    'event': dbt.type_string(),
    '_file_name': dbt.type_string(),
    '_line_number': dbt.type_bigint(),
    '_dlt_load_id': dbt.type_string(),
} -%}

with

raw_events as (

    select count(*) as n_rows from {{ source_if_loaded('events', 'events', raw_columns) }}

),

load_rejects as (

    select count(*) as n_rows
    from {{ source_if_loaded('events', 'rejected_records', reject_columns) }}
    where source_table = 'events'

),

staged as (

    select count(*) as n_rows from {{ ref('stg_events__events') }}

),

quarantined as (

    select count(*) as n_rows from {{ ref('qrt_events__events') }}

),

final as (

    select
        raw_events.n_rows as raw_lines,
        load_rejects.n_rows as load_rejects,
        staged.n_rows as staged_events,
        quarantined.n_rows as quarantined_lines
    from raw_events
    cross join load_rejects
    cross join staged
    cross join quarantined
    where raw_events.n_rows + load_rejects.n_rows <> staged.n_rows + quarantined.n_rows

)

select * from final
