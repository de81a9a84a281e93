{#-
    Every raw access-log line once, parsed by regular expression (nginx `combined` format, see the
    doc block `weblogs__combined_format`), typed, flagged (`is_valid`, `invalid_reason`).
    Patterns are written in set blocks so Jinja keeps their backslashes. An incremental table: each
    run parses only the rows of new dlt loads (doc block `events__incremental_parse`).
-#}

{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['_file_name', '_line_number', '_dlt_load_id'],
        on_schema_change='fail',
    )
}}

{#- remote_addr, remote_user, time_local, request, status, body_bytes_sent, http_referer, http_user_agent -#}
{%- set combined_log_pattern -%}
^(\S+) \S+ (\S+) \[(\d{2}/[A-Za-z]{3}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4})\] "([^"]*)" (\d{3}) (\d{1,18}) "([^"]*)" "([^"]*)"$
{%- endset -%}

{#- METHOD path[?query] HTTP/x.y -#}
{%- set request_pattern -%}
^([A-Z]+) ([^ ?]+)(?:\?(\S*))? (HTTP/[0-9.]+)$
{%- endset -%}

{#- see the doc block `weblogs__is_bot` -#}
{%- set bot_pattern -%}
bot|crawl|spider|slurp|curl/|wget/|python-requests|python-urllib|go-http-client|libwww-perl|zgrab|masscan|nmap|nikto|sqlmap|headlesschrome
{%- endset -%}

{#- see the doc block `weblogs__is_page_view` -#}
{%- set static_asset_pattern -%}
\.(css|js|mjs|map|json|xml|txt|ico|png|jpe?g|gif|svg|webp|avif|woff2?|ttf|otf|eot|pdf|zip|gz)$
{%- endset -%}

with

access_log as (

    select * from {{ source('weblogs', 'access_log') }}
    {% if is_incremental() %}
    -- only the loads not parsed yet
    where _dlt_load_id not in (select distinct _dlt_load_id from {{ this }})
    {% endif %}

),

fields as (

    select
        _file_name,
        _line_number,
        _dlt_load_id,
        line,
        {{ regex_matches('line', combined_log_pattern) }} as is_combined_format,
        {{ regex_extract('line', combined_log_pattern, 1) }} as remote_addr,
        {{ regex_extract('line', combined_log_pattern, 2) }} as remote_user,
        {{ regex_extract('line', combined_log_pattern, 3) }} as time_local,
        {{ regex_extract('line', combined_log_pattern, 4) }} as request_line,
        {{ regex_extract('line', combined_log_pattern, 5) }} as status,
        {{ regex_extract('line', combined_log_pattern, 6) }} as body_bytes_sent,
        {{ regex_extract('line', combined_log_pattern, 7) }} as http_referer,
        {{ regex_extract('line', combined_log_pattern, 8) }} as http_user_agent
    from access_log

),

parsed as (

    select
        {{ surrogate_key(['_file_name', '_line_number']) }} as request_id,
        _file_name,
        _line_number,
        _dlt_load_id,
        line,
        is_combined_format,
        remote_addr as client_ip,
        nullif(remote_user, '-') as remote_user,
        {{ clf_time_to_utc('time_local') }} as requested_at,
        case when substr(time_local, 22, 1) = '-' then -1 else 1 end * (
            cast(substr(time_local, 23, 2) as integer) * 60
            + cast(substr(time_local, 25, 2) as integer)
        ) as utc_offset_minutes,
        request_line,
        {{ regex_extract('request_line', request_pattern, 1) }} as http_method,
        {{ regex_extract('request_line', request_pattern, 2) }} as request_path,
        nullif({{ regex_extract('request_line', request_pattern, 3) }}, '') as query_string,
        {{ regex_extract('request_line', request_pattern, 4) }} as http_version,
        cast(status as integer) as status_code,
        cast(body_bytes_sent as bigint) as response_bytes,
        nullif(http_referer, '-') as referrer,
        nullif(http_user_agent, '-') as user_agent
    from fields

),

{% if is_incremental() %}

-- rows parsed by earlier runs of the same file and line as a new row: their flag may change
loaded as (

    select
        request_id,
        _file_name,
        _line_number,
        _dlt_load_id,
        line,
        (invalid_reason is distinct from 'unparseable_line') as is_combined_format,
        client_ip,
        remote_user,
        requested_at,
        utc_offset_minutes,
        request_line,
        http_method,
        request_path,
        query_string,
        http_version,
        status_code,
        response_bytes,
        referrer,
        user_agent,
        true as is_loaded,
        invalid_reason as loaded_invalid_reason
    from {{ this }}
    where request_id in (select request_id from parsed)

),

log_lines as (

    select
        *,
        false as is_loaded,
        cast(null as {{ dbt.type_string() }}) as loaded_invalid_reason
    from parsed
    union all
    select * from loaded

),

{% else %}

log_lines as (

    select
        *,
        false as is_loaded,
        cast(null as {{ dbt.type_string() }}) as loaded_invalid_reason
    from parsed

),

{% endif %}

flagged as (

    select
        *,
        request_line is not null and http_method is null as is_malformed_request,
        coalesce({{ regex_matches('lower(user_agent)', bot_pattern) }}, false) as is_bot,
        coalesce(request_path like '/api/%', false) as is_api_call,
        status_code >= 500 as is_error,
        coalesce(
            http_method = 'GET'
            and status_code = 200
            and request_path not like '/api/%'
            and not {{ regex_matches('lower(request_path)', static_asset_pattern) }},
            false
        ) as is_page_view,
        row_number() over (
            partition by _file_name, _line_number
            order by _dlt_load_id
        ) as load_rank
    from log_lines

),

validated as (

    select
        *,
        case
            when not coalesce(is_combined_format, false) then 'unparseable_line'
            when requested_at is null then 'invalid_timestamp'
            -- a day of slack: no server logs a request from tomorrow, whatever its clock's zone
            when requested_at > {{ dbt.dateadd('day', 1, dbt.current_timestamp_in_utc_backcompat()) }}
                then 'future_timestamp'
            when load_rank > 1 then 'duplicate'
        end as invalid_reason
    from flagged

),

final as (

    select
        request_id,
        _file_name,
        _line_number,
        _dlt_load_id,
        line,
        client_ip,
        remote_user,
        requested_at,
        utc_offset_minutes,
        request_line,
        http_method,
        request_path,
        query_string,
        http_version,
        status_code,
        response_bytes,
        referrer,
        user_agent,
        is_bot,
        is_page_view,
        is_api_call,
        is_error,
        is_malformed_request,
        invalid_reason is null as is_valid,
        invalid_reason
    from validated
    {% if is_incremental() %}
    -- new rows, and loaded rows whose flag changed
    where not is_loaded
        or invalid_reason is distinct from loaded_invalid_reason
    {% endif %}

)

select * from final
