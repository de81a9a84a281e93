{#- Cross-database JSON helpers: validate a JSON text, read a value by key path, unwrap Extended JSON. -#}

{#-
    `path` is a dot-separated list of object keys, e.g. 'context.campaign.source' or '_id.$oid'
    (keys are quoted in the generated JSON path, so `$` and `_` are fine; a key cannot contain a dot).
    The default__ variants use the SQL:2016 SQL/JSON functions (`is json`, `json_value`,
    `json_query`, the `.size()` item method): PostgreSQL 16+, Oracle, MySQL 8 (partly), SQL Server.
    Every helper returns null for a null input, so a model can null out invalid documents once and
    then extract without guards.
-#}

{#- The JSON path for a dot-separated key list: 'a.$b' -> '$."a"."$b"' (no SQL quoting). -#}
{% macro json_path(path) -%}
    {%- set keys = path.split('.') if path is string else path -%}
    {#- the path ends up inside a SQL string literal and a JSON-path quoted key: no quote may end either -#}
    {%- for key in keys -%}
        {%- if key is not string or key == '' or modules.re.search('["\'\\\\\x00-\x1f]', key) -%}
            {{ exceptions.raise_compiler_error("json path " ~ ("\"" ~ (path | string) ~ "\"") ~ ": every key must be a non-empty name without quotes, backslashes or control characters") }}
        {%- endif -%}
    {%- endfor -%}
    $
    {%- for key in keys -%}
        ."{{ key }}"
    {%- endfor -%}
{%- endmacro %}


{#- True when `expr` is a JSON text whose top level is an object (a document); false otherwise, also for null. -#}
{% macro json_is_valid_object(expr) -%}
    {{ return(adapter.dispatch('json_is_valid_object')(expr)) }}
{%- endmacro %}

{#- SQL:2016 predicate. -#}
{% macro default__json_is_valid_object(expr) -%}
    coalesce({{ expr }} is json object, false)
{%- endmacro %}

{#- PostgreSQL 15 (no `is json`): try_jsonb (macros/engine_setup.sql) is null for invalid text. -#}
{% macro postgres__json_is_valid_object(expr) -%}
    coalesce(jsonb_typeof({{ engine_function('try_jsonb') }}(cast({{ expr }} as text))) = 'object', false)
{%- endmacro %}

{#- DuckDB: json_valid, then the first non-blank character decides object vs array/scalar (json_type would raise on invalid text). -#}
{% macro duckdb__json_is_valid_object(expr) -%}
    coalesce(json_valid({{ expr }}) and left(ltrim({{ expr }}), 1) = '{', false)
{%- endmacro %}

{#- Spark: get_json_object(…, '$') parses the text (null when it does not parse); Jackson stops after
    the first value, so the text must also end with the object's closing brace. -#}
{% macro spark__json_is_valid_object(expr) -%}
    coalesce(get_json_object({{ expr }}, '$') is not null and left(ltrim({{ expr }}), 1) = '{' and right(rtrim({{ expr }}), 1) = '}', false)
{%- endmacro %}


{#- The value at `path` as varchar: scalars unquoted, objects/arrays as JSON text, JSON null or a missing key as null. `expr` must be valid JSON or null. -#}
{% macro json_text(expr, path) -%}
    {{ return(adapter.dispatch('json_text')(expr, path)) }}
{%- endmacro %}

{#- SQL:2016 (PostgreSQL 17+): json_value reads scalars, json_query objects and arrays, both returning text. -#}
{% macro default__json_text(expr, path) -%}
    coalesce(
        json_value({{ expr }}, '{{ json_path(path) }}' returning {{ dbt.type_string() }}),
        json_query({{ expr }}, '{{ json_path(path) }}' returning {{ dbt.type_string() }})
    )
{%- endmacro %}

{#- The key list of `path` as a PostgreSQL text array literal: array['a', '$b']. -#}
{% macro json_path_array(path) -%}
    {%- do json_path(path) -%}
    {%- set keys = path.split('.') if path is string else path -%}
    array[{% for key in keys %}'{{ key }}'{{ ', ' if not loop.last }}{% endfor %}]::text[]
{%- endmacro %}

{#- PostgreSQL 15 (json_value/json_query are 17+): json's #>> gives scalars unquoted, JSON null as null, objects and arrays as their text (json, not jsonb: jsonb would re-space them). -#}
{% macro postgres__json_text(expr, path) -%}
    (cast({{ expr }} as json) #>> {{ json_path_array(path) }})
{%- endmacro %}

{#- DuckDB: json_extract_string does both (it raises on invalid JSON, hence the contract above). -#}
{% macro duckdb__json_text(expr, path) -%}
    json_extract_string({{ expr }}, '{{ json_path(path) }}')
{%- endmacro %}

{#- Spark: get_json_object reads scalars unquoted and objects/arrays as JSON text; keys in the
    bracket form ($['a']['$oid']), as a `$` or `.` in a key would end the dotted form. -#}
{% macro spark__json_text(expr, path) -%}
    get_json_object({{ expr }}, '{{ spark_json_path(path) }}')
{%- endmacro %}

{#- The Spark JSON path of a dot-separated key list: 'a.$b' -> $['a']['$b'] (keys checked by json_path). -#}
{% macro spark_json_path(path) -%}
    {%- do json_path(path) -%}
    {%- set keys = path.split('.') if path is string else path -%}
    ${% for key in keys %}[''{{ key }}'']{% endfor %}
{%- endmacro %}


{#- Number of elements of the JSON array at `path`; null when the key is missing or not an array. -#}
{% macro json_array_length(expr, path) -%}
    {{ return(adapter.dispatch('json_array_length')(expr, path)) }}
{%- endmacro %}

{#- SQL:2016 path item method size(). -#}
{% macro default__json_array_length(expr, path) -%}
    case
        when json_query({{ expr }}, '{{ json_path(path) }}' returning {{ dbt.type_string() }}) like '[%'
            then cast(json_value({{ expr }}, '{{ json_path(path) }}.size()') as {{ dbt.type_int() }})
    end
{%- endmacro %}

{#- PostgreSQL: json_array_length raises on a non-array, so the type is checked first. -#}
{% macro postgres__json_array_length(expr, path) -%}
    case
        when json_typeof(cast({{ expr }} as json) #> {{ json_path_array(path) }}) = 'array'
            then json_array_length(cast({{ expr }} as json) #> {{ json_path_array(path) }})
    end
{%- endmacro %}

{#- DuckDB: json_array_length returns 0 for a scalar or object, so the type is checked first. -#}
{% macro duckdb__json_array_length(expr, path) -%}
    case
        when json_type({{ expr }}, '{{ json_path(path) }}') = 'ARRAY'
            then cast(json_array_length({{ expr }}, '{{ json_path(path) }}') as integer)
    end
{%- endmacro %}

{#- Spark: json_array_length is null for anything but an array. -#}
{% macro spark__json_array_length(expr, path) -%}
    json_array_length(get_json_object({{ expr }}, '{{ spark_json_path(path) }}'))
{%- endmacro %}


{#- An ISO-8601 text with `Z` or an offset (`+02:00`) as a UTC `timestamp`; null when it does not parse (DuckDB). -#}
{% macro iso_timestamp_to_utc(expr) -%}
    {{ return(adapter.dispatch('iso_timestamp_to_utc')(expr)) }}
{%- endmacro %}

{#- PostgreSQL and most engines: the offset decides the instant; a text without offset is read in the session time zone. -#}
{% macro default__iso_timestamp_to_utc(expr) -%}
    cast(cast({{ expr }} as timestamp with time zone) at time zone 'UTC' as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#- PostgreSQL: as the default, through try_cast_text so that a text which does not parse is null (as on DuckDB). -#}
{% macro postgres__iso_timestamp_to_utc(expr) -%}
    cast({{ cast_or_null(expr, 'timestamp with time zone') }} at time zone 'UTC' as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#- DuckDB: try_cast to timestamptz keeps the offset (a plain timestamp cast would drop it); timezone('UTC', ...) gives the UTC wall clock. -#}
{% macro duckdb__iso_timestamp_to_utc(expr) -%}
    timezone('UTC', try_cast({{ expr }} as timestamptz))
{%- endmacro %}

{#- Spark: try_cast to timestamp_ltz reads the offset, the cast to timestamp_ntz gives the UTC wall
    clock (the session is UTC). Spark would also read a bare year ('2025') as a timestamp: the text
    must start with a date, as DuckDB requires. -#}
{% macro spark__iso_timestamp_to_utc(expr) -%}
    case when {{ expr }} rlike '^[0-9]{4}-[0-9]{2}-[0-9]{2}' then cast(try_cast({{ expr }} as timestamp_ltz) as timestamp_ntz) end
{%- endmacro %}


{#- The ISO-8601 text at `path` as a UTC `timestamp` (see iso_timestamp_to_utc). -#}
{% macro json_timestamp(expr, path) -%}
    {{ iso_timestamp_to_utc(json_text(expr, path)) }}
{%- endmacro %}


{#- MongoDB Extended JSON date at `path` ({"$date": "<ISO-8601>"} or {"$date": {"$numberLong": "<epoch ms>"}}) as a UTC `timestamp`. -#}
{% macro json_ext_date(expr, path) -%}
    {{ return(adapter.dispatch('json_ext_date')(expr, path)) }}
{%- endmacro %}

{#- PostgreSQL and most engines: canonical form (epoch milliseconds) when present, else the relaxed form (ISO text); a case, as the ISO cast raises on the canonical object's text. -#}
{% macro default__json_ext_date(expr, path) -%}
    case
        when {{ json_text(expr, path ~ '.$date.$numberLong') }} is not null
            then cast(to_timestamp(cast({{ json_text(expr, path ~ '.$date.$numberLong') }} as bigint) / 1000.0) at time zone 'UTC' as {{ dbt.type_timestamp() }})
        else {{ json_timestamp(expr, path ~ '.$date') }}
    end
{%- endmacro %}

{#- DuckDB: relaxed form (ISO text) first, canonical form (epoch milliseconds, make_timestamp takes microseconds) second. -#}
{% macro duckdb__json_ext_date(expr, path) -%}
    coalesce(
        {{ json_timestamp(expr, path ~ '.$date') }},
        make_timestamp(try_cast({{ json_text(expr, path ~ '.$date.$numberLong') }} as bigint) * 1000)
    )
{%- endmacro %}

{#- Spark: as DuckDB, timestamp_millis for the canonical form. -#}
{% macro spark__json_ext_date(expr, path) -%}
    coalesce(
        {{ json_timestamp(expr, path ~ '.$date') }},
        cast(timestamp_millis(try_cast({{ json_text(expr, path ~ '.$date.$numberLong') }} as bigint)) as timestamp_ntz)
    )
{%- endmacro %}


{#- MongoDB Extended JSON decimal at `path` ({"$numberDecimal": "19.99"}, or a plain JSON number) as decimal(precision, scale). -#}
{% macro json_ext_decimal(expr, path, precision=12, scale=2) -%}
    {{ cast_or_null(
        'coalesce(' ~ json_text(expr, path ~ '.$numberDecimal') ~ ', ' ~ json_text(expr, path) ~ ')',
        'decimal(' ~ precision ~ ', ' ~ scale ~ ')'
    ) }}
{%- endmacro %}


{#-
    Many values of one JSON text in one pass: `json_text_values(expr, paths)` is computed once per row
    (in a CTE), then `json_text_value_at(values, paths, i)` reads the i-th path's value (0-based), each
    as `json_text` would. DuckDB parses the document once for the whole list (`json_extract_string` with
    a list of paths), instead of once per field: the clickstream's 40 fields went from one parse each
    to one parse. Elsewhere the "values" are the JSON text itself and each read is a `json_text`.
-#}
{% macro json_text_values(expr, paths) -%}
    {{ return(adapter.dispatch('json_text_values')(expr, paths)) }}
{%- endmacro %}

{% macro default__json_text_values(expr, paths) -%}
    {{ expr }}
{%- endmacro %}

{% macro duckdb__json_text_values(expr, paths) -%}
    json_extract_string({{ expr }}, [{% for path in paths %}'{{ json_path(path) }}'{{ ', ' if not loop.last }}{% endfor %}])
{%- endmacro %}

{% macro json_text_value_at(values, paths, index) -%}
    {{ return(adapter.dispatch('json_text_value_at')(values, paths, index)) }}
{%- endmacro %}

{% macro default__json_text_value_at(values, paths, index) -%}
    {{ json_text(values, paths[index]) }}
{%- endmacro %}

{#- DuckDB lists are 1-based. -#}
{% macro duckdb__json_text_value_at(values, paths, index) -%}
    {{ values }}[{{ index + 1 }}]
{%- endmacro %}
