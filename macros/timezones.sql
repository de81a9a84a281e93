{#- A `dd/Mon/yyyy:HH:MM:SS +hhmm` local time (nginx, Apache) as a UTC `timestamp`, whatever the session time zone. -#}
{% macro clf_time_to_utc(expr) -%}
    {{ return(adapter.dispatch('clf_time_to_utc')(expr)) }}
{%- endmacro %}

{#- PostgreSQL: to_timestamp reads the offset (TZH, TZM); `at time zone 'UTC'` gives the UTC wall clock. -#}
{% macro default__clf_time_to_utc(expr) -%}
    (to_timestamp({{ expr }}, 'DD/Mon/YYYY:HH24:MI:SS TZHTZM') at time zone 'UTC')
{%- endmacro %}

{#- PostgreSQL: to_timestamp raises on a date that does not exist (31/Feb); the text rewritten as `31-Feb-2025 10:00:00 +0100` goes through cast_or_null (null instead). -#}
{% macro postgres__clf_time_to_utc(expr) -%}
    {%- set iso_text -%}
        regexp_replace({{ expr }}, '^(\d{2})/([A-Za-z]{3})/(\d{4}):(\d{2}:\d{2}:\d{2}) ([+-]\d{4})$', '\1-\2-\3 \4 \5')
    {%- endset -%}
    ({{ cast_or_null(iso_text, 'timestamp with time zone') }} at time zone 'UTC')
{%- endmacro %}

{#- DuckDB: try_strptime with %z gives the instant (timestamptz); timezone('UTC', …) its UTC wall clock. -#}
{% macro duckdb__clf_time_to_utc(expr) -%}
    timezone('UTC', try_strptime({{ expr }}, '%d/%b/%Y:%H:%M:%S %z'))
{%- endmacro %}
