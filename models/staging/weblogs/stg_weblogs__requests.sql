{#- The web server's requests: every access-log line that parsed, once per (file, line). -#}

with

requests as (

    select * from {{ ref('base_weblogs__requests') }}
    where is_valid

),

final as (

    select
        request_id,
        requested_at,
        utc_offset_minutes,
        client_ip,
        remote_user,
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
        _file_name as file_name,
        _line_number as line_number,
        _dlt_load_id as dlt_load_id
    from requests

)

select * from final
