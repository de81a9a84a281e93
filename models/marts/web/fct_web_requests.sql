{#-
    One row per valid web server request (int_requests_classified) with its traffic class, for
    traffic, bot and error analysis. Incremental: each run replaces every request from the lookback
    cutoff on (doc block web__incremental_window); requests have no sessions to extend it.
-#}

{{
    config(
        materialized='incremental',
        incremental_strategy='replace_window',
        unique_key='request_id',
        on_schema_change='fail',
        incremental_predicates=[
            'DBT_INTERNAL_DEST.requested_at >= (select min(requested_at) from DBT_INTERNAL_SOURCE)',
        ],
    )
}}

with

requests as (

    select * from {{ ref('int_requests_classified') }}

),

{% if is_incremental() %}

-- midnight var('incremental_lookback_days') days before the newest request date already loaded
lookback_cutoff as (

    select {{ incremental_lookback_cutoff('request_date') }} as cutoff_at
    from {{ this }}

),

requests_to_load as (

    select requests.*
    from requests
    cross join lookback_cutoff
    where lookback_cutoff.cutoff_at is null
        or requests.requested_at >= lookback_cutoff.cutoff_at

),

{% else %}

requests_to_load as (

    select * from requests

),

{% endif %}

final as (

    select
        request_id,
        requested_at,
        request_date,
        utc_offset_minutes,
        client_ip,
        http_method,
        request_path,
        query_string,
        http_version,
        status_code,
        response_bytes,
        referrer,
        user_agent,
        traffic_class,
        is_human,
        is_bot,
        is_malformed_request,
        is_page_view,
        is_human_page_view,
        is_api_call,
        is_error,
        file_name,
        line_number
    from requests_to_load

)

select * from final
