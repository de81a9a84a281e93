{#- Every web server request (stg_weblogs__requests) with its traffic class: human, bot or probe (doc block weblogs__traffic_class). -#}

with

requests as (

    select * from {{ ref('stg_weblogs__requests') }}

),

classified as (

    select
        *,
        case
            when is_malformed_request then 'probe'
            when is_bot then 'bot'
            else 'human'
        end as traffic_class
    from requests

),

final as (

    select
        request_id,
        requested_at,
        cast(requested_at as date) as request_date,
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
        traffic_class = 'human' as is_human,
        is_bot,
        is_malformed_request,
        is_page_view,
        is_page_view and traffic_class = 'human' as is_human_page_view,
        is_api_call,
        is_error,
        file_name,
        line_number
    from classified

)

select * from final
