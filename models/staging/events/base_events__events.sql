{#-
    Every raw clickstream line once: the JSON parsed (doc block `events__event_json`), typed with
    safe casts and flagged (`is_valid`, `invalid_reason`, doc block `events__invalid_reason`).
    An incremental table: each run parses only the rows of new dlt loads (doc block
    `events__incremental_parse`).
-#}

{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['_file_name', '_line_number', '_dlt_load_id'],
        on_schema_change='fail',
    )
}}

{#- an ISO-8601 text that ends with `Z` or a UTC offset: without one the instant depends on the reader's time zone -#}
{%- set zoned_pattern -%}
(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)$
{%- endset -%}

{%- set raw_columns = {
    'event': dbt.type_string(),
    '_file_name': dbt.type_string(),
    '_line_number': dbt.type_bigint(),
    '_dlt_load_id': dbt.type_string(),
} -%}

with

raw_events as {{ inlined_cte() }} (

    select * from {{ source_if_loaded('events', 'events', raw_columns) }}
    {% if is_incremental() %}
    -- only the loads not parsed yet
    where _dlt_load_id not in (select distinct _dlt_load_id from {{ this }})
    {% endif %}

),

checked as {{ inlined_cte() }} (

    select
        *,
        {{ json_is_valid_object('event') }} as is_json_object
    from raw_events

),

parseable as {{ inlined_cte() }} (

    -- read twice (every field, then the delivery keys alone), computed by each reader: the JSON text
    -- only where it parses: the extraction functions may raise on anything else
    select
        *,
        case when is_json_object then event end as event_json
    from checked

),

{#- every field's JSON path, then the three timestamps': one parse of each document for all of them -#}
{%- set paths = [] %}
{%- for field in event_fields() if field.path %}{% do paths.append(field.path) %}{% endfor %}
{%- set timestamp_at = {'event_ts': paths | length, 'sent_at': paths | length + 1, 'received_at': paths | length + 2} %}
{%- do paths.extend(['event_ts', 'sent_at', 'received_at']) %}

parsed as (

    select
        *,
        {{ json_text_values('event_json', paths) }} as event_values
    from parseable

),

extracted as (

    select
        _file_name,
        _line_number,
        _dlt_load_id,
        event,
        is_json_object,
        {%- for field in event_fields() if field.path %}
        {{ json_text_value_at('event_values', paths, loop.index0) }} as {{ field.name }},
        {%- endfor %}
        {{ iso_timestamp_to_utc(json_text_value_at('event_values', paths, timestamp_at['event_ts'])) }} as event_at,
        {{ iso_timestamp_to_utc(json_text_value_at('event_values', paths, timestamp_at['sent_at'])) }} as sent_at,
        {{ iso_timestamp_to_utc(json_text_value_at('event_values', paths, timestamp_at['received_at'])) }}
            as received_at,
        {{ json_text_value_at('event_values', paths, timestamp_at['event_ts']) }} as event_ts_text,
        {{ json_text_value_at('event_values', paths, timestamp_at['received_at']) }} as received_at_text
    from parsed

),

typed as (

    select
        _file_name,
        _line_number,
        _dlt_load_id,
        event,
        is_json_object,
        {%- for field in event_fields() %}
        {{ field.sql or field.name }} as {{ field.name }},
        {%- endfor %}
        (
            coalesce({{ regex_matches('event_ts_text', zoned_pattern) }}, true)
            and coalesce({{ regex_matches('received_at_text', zoned_pattern) }}, true)
        ) as has_zoned_timestamps
    from extracted

),

{#- the table's own rows read back as the columns of `typed`, flags restored from invalid_reason -#}
{%- set loaded_columns = ['_file_name', '_line_number', '_dlt_load_id', 'raw_event as event',
    "(invalid_reason is distinct from 'malformed_json') as is_json_object"]
    + (event_fields() | map(attribute='name') | list)
    + ["(invalid_reason is distinct from 'timestamp_without_zone') as has_zoned_timestamps"] %}

deliveries as (

    {{ reflag_loaded_rows('typed', 'event_id', loaded_columns) }}

),

{%- set key_paths = ['event_id', 'received_at'] %}

-- the same rows with only what numbering the deliveries reads: parsed again, but narrow, so the
-- parsed rows stream through instead of being held whole (a full parse at SCALE 10 spilled tens of GB)
new_delivery_keys as (

    select
        _file_name,
        _line_number,
        _dlt_load_id,
        is_json_object,
        {{ json_text_value_at('key_values', key_paths, 0) }} as event_id,
        {{ iso_timestamp_to_utc(json_text_value_at('key_values', key_paths, 1)) }} as received_at
    from (
        select
            *,
            {{ json_text_values('event_json', key_paths) }} as key_values
        from parseable
    ) as key_documents

),

delivery_keys as (

    {{ reflag_loaded_rows('new_delivery_keys', 'event_id', ['_file_name', '_line_number', '_dlt_load_id',
        "(invalid_reason is distinct from 'malformed_json') as is_json_object", 'event_id', 'received_at']) }}

),

-- the first delivery of an event_id is the event; later copies (SDK retries) are duplicates
ranked as (

    {{ delivery_numbers(
        'deliveries',
        partition_by=['event_id'],
        order_by='received_at nulls last, _file_name, _line_number',
        row_key=['_file_name', '_line_number', '_dlt_load_id'],
        condition='is_json_object and event_id is not null',
        keys='delivery_keys',
    ) }}

),

flagged as (

    select
        *,
        case
            when not is_json_object then 'malformed_json'
            when delivery_number > 1 then 'duplicate'
            when event_id is null
                or event_type is null
                or anonymous_id is null
                or event_at is null
                or received_at is null
                then 'null_required'
            when not has_zoned_timestamps then 'timestamp_without_zone'
            when event_at > {{ dbt.dateadd('day', 1, 'received_at') }} then 'future_timestamp'
        end as invalid_reason
    from ranked

),

{%- if is_incremental() %}

raw_lines as (

    select * from {{ source_if_loaded('events', 'events', raw_columns) }}

),

read_back as (

    -- a valid row keeps no raw text (the raw table has it): a loaded row that turns invalid now
    -- (a copy received earlier arrived later) has its line read back by its key
    select
        raw_lines._file_name as read_back_file_name,
        raw_lines._line_number as read_back_line_number,
        raw_lines._dlt_load_id as read_back_load_id,
        raw_lines.event as read_back_event
    from raw_lines
    inner join flagged
        on raw_lines._file_name = flagged._file_name
        and raw_lines._line_number = flagged._line_number
        and raw_lines._dlt_load_id = flagged._dlt_load_id
    where flagged.is_loaded
        and flagged.event is null
        and flagged.invalid_reason is not null

),
{%- endif %}

{%- set raw_line = 'coalesce(flagged.event, read_back.read_back_event)' if is_incremental() else 'flagged.event' %}

final as (

    select
        {%- for field in event_fields() %}
        flagged.{{ field.name }},
        {%- endfor %}
        flagged.invalid_reason is null as is_valid,
        flagged.invalid_reason,
        -- the raw line of a row that is not valid, for the quarantine; null for a valid event
        case
            when flagged.invalid_reason is not null
                then {{ raw_line }}
        end as raw_event,
        flagged._file_name,
        flagged._line_number,
        flagged._dlt_load_id
    from flagged
    {% if is_incremental() %}
    left join read_back
        on flagged._file_name = read_back.read_back_file_name
        and flagged._line_number = read_back.read_back_line_number
        and flagged._dlt_load_id = read_back.read_back_load_id
    -- new rows, and loaded rows whose flag changed (a copy delivered earlier arrived later)
    where not flagged.is_loaded
        or flagged.invalid_reason is distinct from flagged.loaded_invalid_reason
    {% endif %}

)

select * from final
