{#- Project variables that become SQL, validated first: a bad --vars value is a clear compile error, never SQL. -#}

{#- A date var (`YYYY-MM-DD`) as a SQL date: fails compilation naming the var unless the value is a real calendar date. -#}
{% macro date_var(name) -%}
    {{- return(adapter.dispatch('date_var')(name)) -}}
{%- endmacro %}

{#- Portable SQL: a cast of a string literal, its quotes doubled as well (defence in depth). -#}
{% macro default__date_var(name) -%}
    {%- set value = var(name) | string | trim -%}
    {%- set is_date = false -%}
    {%- if modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', value) -%}
        {%- set year, month, day = value.split('-') | map('int') | list -%}
        {%- if year >= 1 and 1 <= month <= 12 and day >= 1 -%}
            {%- set next_month = modules.datetime.date(year + 1, 1, 1) if month == 12 else modules.datetime.date(year, month + 1, 1) -%}
            {%- set is_date = day <= (next_month - modules.datetime.date(year, month, 1)).days -%}
        {%- endif -%}
    {%- endif -%}
    {%- if not is_date -%}
        {{ exceptions.raise_compiler_error(
            "var '" ~ name ~ "' must be a date as YYYY-MM-DD, got \"" ~ value ~ "\" (set it in dbt_project.yml or with --vars)"
        ) }}
    {%- endif -%}
    {{ dbt.cast("'" ~ (value | replace("'", "''")) ~ "'", api.Column.translate_type('date')) }}
{%- endmacro %}

{#- An integer var (a count of days, say): fails compilation naming the var unless the value is a whole number >= min_value. -#}
{% macro integer_var(name, min_value=0) -%}
    {{- return(adapter.dispatch('integer_var')(name, min_value)) -}}
{%- endmacro %}

{#- Portable: jinja's `int` filter turns garbage into 0 silently, so check the digits first. -#}
{% macro default__integer_var(name, min_value=0) -%}
    {%- set value = var(name) | string | trim -%}
    {%- if not modules.re.fullmatch('-?[0-9]{1,9}', value) or (value | int) < min_value -%}
        {{ exceptions.raise_compiler_error(
            "var '" ~ name ~ "' must be a whole number >= " ~ min_value ~ ", got \"" ~ value ~ "\" (set it in dbt_project.yml or with --vars)"
        ) }}
    {%- endif -%}
    {{- return(value | int) -}}
{%- endmacro %}

{#- The access-log line format of base_weblogs__requests: vars weblog_line_regex and weblog_line_groups, validated, or the built-in nginx/Apache combined and common format. -#}
{% macro weblog_line_format() -%}
    {{- return(adapter.dispatch('weblog_line_format')()) -}}
{%- endmacro %}

{#- Portable: validation in Jinja; returns {pattern, groups (column -> group number), group_count}. -#}
{% macro default__weblog_line_format() -%}
    {#- remote_addr, ident, remote_user, [time], "request", status, bytes, then optionally "referer" "user agent":
        quoted fields may hold backslash escapes (Apache writes \" and \\; nginx writes \xHH) -#}
    {%- set clf_pattern -%}
^(\S+) (\S+) (\S+) \[(\d{2}/[A-Za-z]{3}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4})\] "((?:[^"\\]|\\.)*)" (\d{3}) (\d{1,18}|-)( "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)")?$
    {%- endset -%}
    {%- set clf_groups = {
        'client_ip': 1, 'remote_user': 3, 'time_local': 4, 'request_line': 5, 'status_code': 6,
        'response_bytes': 7, 'optional_tail': 8, 'referrer': 9, 'user_agent': 10,
    } -%}
    {%- set pattern = var('weblog_line_regex', none) -%}
    {%- set groups = var('weblog_line_groups', none) -%}
    {%- if pattern is none and groups is none -%}
        {{- return({'pattern': clf_pattern, 'groups': clf_groups, 'group_count': 10}) -}}
    {%- endif -%}
    {%- set known = ['client_ip', 'remote_user', 'time_local', 'request_line', 'status_code', 'response_bytes', 'referrer', 'user_agent', 'optional_tail'] -%}
    {%- set required = ['client_ip', 'time_local', 'request_line', 'status_code'] -%}
    {%- set help = " (see the doc block weblogs__line_format; set it in dbt_project.yml or with --vars)" -%}
    {%- if pattern is not string or not (pattern | trim) -%}
        {{ exceptions.raise_compiler_error("var 'weblog_line_regex' must be a regular expression (a non-empty string) when 'weblog_line_groups' is set" ~ help) }}
    {%- endif -%}
    {%- if groups is not mapping -%}
        {{ exceptions.raise_compiler_error("var 'weblog_line_groups' must map columns (" ~ known | join(', ') ~ ") to group numbers of 'weblog_line_regex', got \"" ~ groups ~ "\"" ~ help) }}
    {%- endif -%}
    {%- set numbers = [] -%}
    {%- for column, number in groups.items() -%}
        {%- if column not in known -%}
            {{ exceptions.raise_compiler_error("var 'weblog_line_groups': unknown column \"" ~ column ~ "\"; the columns are " ~ known | join(', ') ~ help) }}
        {%- endif -%}
        {%- if not modules.re.fullmatch('[1-9][0-9]?', number | string) -%}
            {{ exceptions.raise_compiler_error("var 'weblog_line_groups': the group of " ~ column ~ " must be a group number from 1 to 99, got \"" ~ number ~ "\"" ~ help) }}
        {%- endif -%}
        {%- do numbers.append(number | int) -%}
    {%- endfor -%}
    {%- for column in required if column not in groups -%}
        {{ exceptions.raise_compiler_error("var 'weblog_line_groups' must name the group of " ~ column ~ " (required: " ~ required | join(', ') ~ ")" ~ help) }}
    {%- endfor -%}
    {{- return({'pattern': pattern, 'groups': groups, 'group_count': numbers | max}) -}}
{%- endmacro %}
