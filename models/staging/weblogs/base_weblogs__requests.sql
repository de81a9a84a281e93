{#-
    Every raw access-log line once, parsed by one regular expression (by default nginx's and Apache's
    `combined` and `common` formats; another format is a var, see the doc block
    `weblogs__line_format`), typed, flagged (`is_valid`, `invalid_reason`).
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

{#- {pattern, groups: column -> capture group, group_count}: vars weblog_line_regex / weblog_line_groups -#}
{%- set line_format = weblog_line_format() -%}
{%- set has_optional_tail = 'optional_tail' in line_format.groups -%}
{#- the line's one match: an array of its capture groups, null when the line does not match -#}
{%- set line_captures = regex_captures('line', line_format.pattern, line_format.group_count) -%}

{#- each field as SQL: its capture group, or null when the format has no such field -#}
{%- set field = {} -%}
{%- for column in ['client_ip', 'remote_user', 'time_local', 'request_line', 'status_code', 'response_bytes', 'referrer', 'user_agent', 'optional_tail'] -%}
{%- if column in line_format.groups -%}
{%- do field.update({column: regex_group('captures', line_format.groups[column])}) -%}
{%- else -%}
{%- do field.update({column: 'cast(null as ' ~ dbt.type_string() ~ ')'}) -%}
{%- endif -%}
{%- endfor %}
{#- whether a line's match includes the optional tail (read from `captures`) -#}
{%- set has_tail = "coalesce(" ~ field['optional_tail'] ~ ", '') <> ''" %}

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

access_log as {{ inlined_cte() }} (

    select * from {{ source('weblogs', 'access_log') }}
    {% if is_incremental() %}
    -- only the loads not parsed yet
    where _dlt_load_id not in (select distinct _dlt_load_id from {{ this }})
    {% endif %}

),

-- one evaluation of the line's pattern per row, read group by group below
captured as {{ materialized_cte() }} (

    select
        _file_name,
        _line_number,
        _dlt_load_id,
        line,
        {{ line_captures }} as captures
    from access_log

),

fields as (

    select
        _file_name,
        _line_number,
        _dlt_load_id,
        line,
        captures is not null as is_format_match,
        -- a format with an optional tail (combined = common + referer and user agent): a line of a file
        -- whose other lines have the tail, but that lacks it, is a write cut off by a crash
        {{ has_tail }} as has_optional_tail,
        {{ field['client_ip'] }} as remote_addr,
        {{ field['remote_user'] }} as remote_user,
        {{ field['time_local'] }} as time_local,
        {{ field['request_line'] }} as request_line,
        {{ field['status_code'] }} as status,
        {{ field['response_bytes'] }} as body_bytes_sent,
        {{ field['referrer'] }} as http_referer,
        {{ field['user_agent'] }} as http_user_agent
    from captured

),

-- does any line of the file have the optional tail? Exact, without matching every line a second time:
-- a file's first lines are matched again, and a file is settled once one of them has the tail (in a
-- `combined` log its first line does); only the lines of the other files (a `common` log, a file whose
-- first lines were cut off by a crash) are all matched again. Matching lines twice costs less than
-- holding every parsed line until the last line of its file is seen.
{%- if has_optional_tail %}
first_lines_with_tail as (

    select distinct first_lines._file_name as tail_file_name
    from (
        select
            _file_name,
            {{ line_captures }} as captures
        from access_log
        where _line_number <= 8
    ) as first_lines
    where {{ has_tail }}

),

file_tails as (

    select
        tail_file_name,
        true as file_has_optional_tail
    from first_lines_with_tail

    union all

    select
        _file_name as tail_file_name,
        bool_or({{ has_tail }}) as file_has_optional_tail
    from (
        select
            _file_name,
            {{ line_captures }} as captures
        from access_log
        where
            not exists (
                select 1
                from first_lines_with_tail
                where first_lines_with_tail.tail_file_name = access_log._file_name
            )
    ) as unsettled_lines
    group by _file_name

),
{%- else %}
-- the format has no optional tail: no file has one, and every line that matches is whole
file_tails as (

    select
        _file_name as tail_file_name,
        false as file_has_optional_tail
    from access_log
    where false

),
{%- endif %}

lines_judged as (

    select
        fields.*,
        {{ regex_captures('fields.request_line', request_pattern, 4) }} as request_captures,
        fields.is_format_match
        and (fields.has_optional_tail or not coalesce(file_tails.file_has_optional_tail, false))
            as is_parsed_line
    from fields
    left join file_tails
        on fields._file_name = file_tails.tail_file_name

),

parsed as (

    select
        {{ surrogate_key(['_file_name', '_line_number']) }} as request_id,
        _file_name,
        _line_number,
        _dlt_load_id,
        line,
        is_parsed_line,
        remote_addr as client_ip,
        nullif(nullif(remote_user, '-'), '') as remote_user,
        {{ clf_time_to_utc('time_local') }} as requested_at,
        case when substr(time_local, 22, 1) = '-' then -1 else 1 end * (
            cast(substr(time_local, 23, 2) as integer) * 60
            + cast(substr(time_local, 25, 2) as integer)
        ) as utc_offset_minutes,
        request_line,
        {{ regex_group('request_captures', 1) }} as http_method,
        {{ regex_group('request_captures', 2) }} as request_path,
        nullif({{ regex_group('request_captures', 3) }}, '') as query_string,
        {{ regex_group('request_captures', 4) }} as http_version,
        cast(status as integer) as status_code,
        -- Apache's %b writes `-` for an empty body
        cast(nullif(nullif(body_bytes_sent, '-'), '') as bigint) as response_bytes,
        nullif(nullif(http_referer, '-'), '') as referrer,
        nullif(nullif(http_user_agent, '-'), '') as user_agent
    from lines_judged

),

{#- the table's own rows read back as the columns of `parsed`, the parse flag restored from invalid_reason -#}
{%- set loaded_columns = ['request_id', '_file_name', '_line_number', '_dlt_load_id', 'line',
    "(invalid_reason is distinct from 'unparseable_line') as is_parsed_line",
    'client_ip', 'remote_user', 'requested_at', 'utc_offset_minutes', 'request_line', 'http_method',
    'request_path', 'query_string', 'http_version', 'status_code', 'response_bytes', 'referrer', 'user_agent'] %}

-- new rows, and rows parsed by earlier runs of the same file and line: their flag may change
log_lines as (

    {{ reflag_loaded_rows('parsed', 'request_id', loaded_columns) }}

),

-- the same rows' keys alone, straight from the raw table: numbering the deliveries reads these, so the
-- parsed lines stream through instead of being held whole
new_line_keys as (

    select
        {{ surrogate_key(['_file_name', '_line_number']) }} as request_id,
        _file_name,
        _line_number,
        _dlt_load_id
    from access_log

),

line_keys as (

    {{ reflag_loaded_rows(
        'new_line_keys', 'request_id', ['request_id', '_file_name', '_line_number', '_dlt_load_id'],
    ) }}

),

-- a line loaded again (the same file and line in a later load) is a duplicate of its first load
ranked as (

    {{ delivery_numbers(
        'log_lines',
        partition_by=['_file_name', '_line_number'],
        order_by='_dlt_load_id',
        row_key=['_file_name', '_line_number', '_dlt_load_id'],
        keys='line_keys',
    ) }}

),

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
        ) as is_page_view
    from ranked

),

validated as (

    select
        *,
        case
            when not coalesce(is_parsed_line, false) then 'unparseable_line'
            when requested_at is null then 'invalid_timestamp'
            -- a day of slack: no server logs a request from tomorrow, whatever its clock's zone
            when requested_at > {{ dbt.dateadd('day', 1, dbt.current_timestamp_in_utc_backcompat()) }}
                then 'future_timestamp'
            when delivery_number > 1 then 'duplicate'
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
