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

{#- Spark: try_to_timestamp of the local time (null for a time that does not exist, 31/Feb), minus the
    text's offset in minutes (Spark's parser drops the offset when the session's timestamps have no
    time zone); null unless the whole text has the format, as DuckDB's try_strptime. -#}
{% macro spark__clf_time_to_utc(expr) -%}
    case when {{ expr }} rlike '^[0-9]{2}/[A-Za-z]{3}/[0-9]{4}:[0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4}$' then
        timestampadd(
            minute,
            (case when substr({{ expr }}, 22, 1) = '-' then 1 else -1 end)
                * (cast(substr({{ expr }}, 23, 2) as int) * 60 + cast(substr({{ expr }}, 25, 2) as int)),
            cast(try_to_timestamp(substr({{ expr }}, 1, 20), 'dd/MMM/yyyy:HH:mm:ss') as timestamp_ntz)
        )
    end
{%- endmacro %}

{#- A `timestamp with time zone` (an instant) as its UTC wall clock, a `timestamp` without time zone. -#}
{% macro utc_wall_clock(expr) -%}
    {{ return(adapter.dispatch('utc_wall_clock')(expr)) }}
{%- endmacro %}

{#- DuckDB, PostgreSQL: `at time zone 'UTC'`. -#}
{% macro default__utc_wall_clock(expr) -%}
    ({{ expr }} at time zone 'UTC')
{%- endmacro %}

{#- Spark: the cast to timestamp_ntz takes the wall clock of the session time zone, UTC on the spark target (profiles.yml). -#}
{% macro spark__utc_wall_clock(expr) -%}
    cast({{ expr }} as timestamp_ntz)
{%- endmacro %}
