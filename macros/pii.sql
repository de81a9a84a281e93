{#- Personal data from staging on: hash (e-mail), mask (phone), truncate (postal code); raw values stay in the raw schemas only. -#}

{#- The SHA-256 of a text expression as 64 lowercase hex characters; null for null. Normalize first (the caller's job). -#}
{% macro hash_pii(expression) -%}
    {{ return(adapter.dispatch('hash_pii')(expression)) }}
{%- endmacro %}

{#- PostgreSQL 11+ (and engines with the same functions): sha256() takes bytea, encode() makes it hex. -#}
{% macro default__hash_pii(expression) -%}
    encode(sha256(convert_to({{ expression }}, 'UTF8')), 'hex')
{%- endmacro %}

{#- DuckDB: sha256() on varchar returns the hex digest already. -#}
{% macro duckdb__hash_pii(expression) -%}
    sha256({{ expression }})
{%- endmacro %}

{#- Snowflake: sha2(text, 256) returns the hex digest. -#}
{% macro snowflake__hash_pii(expression) -%}
    sha2({{ expression }}, 256)
{%- endmacro %}

{#- Spark: sha2(text, 256), as Snowflake. -#}
{% macro spark__hash_pii(expression) -%}
    {{ snowflake__hash_pii(expression) }}
{%- endmacro %}


{#- A phone number reduced to its last `keep` digits behind a fixed mask ('***56'); null when it has fewer than `keep` + 4 digits. -#}
{% macro mask_phone(expression, keep=2) -%}
    {%- set keep = keep | int -%}
    {%- if keep < 0 or keep > 4 -%}
        {{ exceptions.raise_compiler_error("mask_phone: keep must be between 0 and 4 digits, got " ~ keep) }}
    {%- endif -%}
    {{ return(adapter.dispatch('mask_phone')(expression, keep)) }}
{%- endmacro %}

{#- PostgreSQL and most engines: regexp_replace with the global flag keeps the digits. -#}
{% macro default__mask_phone(expression, keep) -%}
    case
        when length(regexp_replace({{ expression }}, '[^0-9]', '', 'g')) >= {{ keep + 4 }}
            then '***' || right(regexp_replace({{ expression }}, '[^0-9]', '', 'g'), {{ keep }})
    end
{%- endmacro %}

{#- DuckDB: the same regexp_replace options ('g' replaces every match, not only the first). -#}
{% macro duckdb__mask_phone(expression, keep) -%}
    case
        when length(regexp_replace({{ expression }}, '[^0-9]', '', 'g')) >= {{ keep + 4 }}
            then '***' || right(regexp_replace({{ expression }}, '[^0-9]', '', 'g'), {{ keep }})
    end
{%- endmacro %}

{#- Snowflake: regexp_replace replaces every match by default (its fourth argument is a position, not flags). -#}
{% macro snowflake__mask_phone(expression, keep) -%}
    case
        when length(regexp_replace({{ expression }}, '[^0-9]', '')) >= {{ keep + 4 }}
            then '***' || right(regexp_replace({{ expression }}, '[^0-9]', ''), {{ keep }})
    end
{%- endmacro %}

{#- Spark: regexp_replace replaces every match, as on Snowflake. -#}
{% macro spark__mask_phone(expression, keep) -%}
    {{ snowflake__mask_phone(expression, keep) }}
{%- endmacro %}


{#- The first `length` characters of a postal code, trimmed and upper-cased (a region, not a street); null for blank. Portable SQL. -#}
{% macro postal_code_prefix(expression, length=3) -%}
    {%- set length = length | int -%}
    {%- if length < 1 or length > 5 -%}
        {{ exceptions.raise_compiler_error("postal_code_prefix: length must be between 1 and 5, got " ~ length) }}
    {%- endif -%}
    nullif(upper(left(trim({{ expression }}), {{ length }})), '')
{%- endmacro %}
