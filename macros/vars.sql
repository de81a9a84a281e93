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
