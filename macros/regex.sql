{#- Capture group `group` of the first match of `pattern` in `expr`; null when there is no match. -#}
{% macro regex_extract(expr, pattern, group=1) -%}
    {{ return(adapter.dispatch('regex_extract')(expr, pattern, group)) }}
{%- endmacro %}

{#- PostgreSQL and most engines: regexp_match returns the groups as an array (null without a match). -#}
{% macro default__regex_extract(expr, pattern, group=1) -%}
    {%- if group | int == 0 -%}
    substring({{ expr }} from '({{ pattern | replace("'", "''") }})')
    {%- else -%}
    (regexp_match({{ expr }}, '{{ pattern | replace("'", "''") }}'))[{{ group | int }}]
    {%- endif -%}
{%- endmacro %}

{#- DuckDB: regexp_extract returns '' without a match, so it is guarded to return null instead. -#}
{% macro duckdb__regex_extract(expr, pattern, group=1) -%}
    {%- set quoted = "'" ~ (pattern | replace("'", "''")) ~ "'" -%}
    case when regexp_matches({{ expr }}, {{ quoted }}) then regexp_extract({{ expr }}, {{ quoted }}, {{ group | int }}) end
{%- endmacro %}

{#- Spark: regexp_extract returns '' without a match (Java regular expressions), guarded like DuckDB's. -#}
{% macro spark__regex_extract(expr, pattern, group=1) -%}
    {%- set quoted = spark_string_literal(pattern) -%}
    case when {{ expr }} rlike {{ quoted }} then regexp_extract({{ expr }}, {{ quoted }}, {{ group | int }}) end
{%- endmacro %}

{#- Whether `pattern` matches anywhere in `expr` (anchor it with ^ and $ for a full match); null for null. -#}
{% macro regex_matches(expr, pattern) -%}
    {{ return(adapter.dispatch('regex_matches')(expr, pattern)) }}
{%- endmacro %}

{#- PostgreSQL and most engines: the POSIX match operator ~. -#}
{% macro default__regex_matches(expr, pattern) -%}
    ({{ expr }} ~ '{{ pattern | replace("'", "''") }}')
{%- endmacro %}

{#- DuckDB: regexp_matches (a partial match, like ~). -#}
{% macro duckdb__regex_matches(expr, pattern) -%}
    regexp_matches({{ expr }}, '{{ pattern | replace("'", "''") }}')
{%- endmacro %}

{#- Spark: rlike (a partial match, like ~). -#}
{% macro spark__regex_matches(expr, pattern) -%}
    ({{ expr }} rlike {{ spark_string_literal(pattern) }})
{%- endmacro %}

{#- Every capture group 1..group_count of one match of `pattern` in `expr`, in one pass; null without a match. Read with regex_group. -#}
{% macro regex_captures(expr, pattern, group_count) -%}
    {{ return(adapter.dispatch('regex_captures')(expr, pattern, group_count)) }}
{%- endmacro %}

{#- PostgreSQL and most engines: regexp_match returns the groups as a text array (null without a match). -#}
{% macro default__regex_captures(expr, pattern, group_count) -%}
    regexp_match({{ expr }}, '{{ pattern | replace("'", "''") }}')
{%- endmacro %}

{#- DuckDB: regexp_extract with a list of names returns a struct of the groups (g1, g2, ...), guarded to be null without a match. -#}
{% macro duckdb__regex_captures(expr, pattern, group_count) -%}
    {#- the pattern wrapped in one more group, g0, the whole match: a match that is not empty is found in
        one evaluation (DuckDB computes the repeated extraction once); only a line where g0 is empty
        is tested again, as an empty match is still a match -#}
    {%- set quoted = "'" ~ (pattern | replace("'", "''")) ~ "'" -%}
    {%- set wrapped = "'(" ~ (pattern | replace("'", "''")) ~ ")'" -%}
    {%- set names = [] -%}
    {%- for number in range(0, group_count | int + 1) -%}
        {%- do names.append("'g" ~ number ~ "'") -%}
    {%- endfor -%}
    {%- set captures = 'regexp_extract(' ~ expr ~ ', ' ~ wrapped ~ ', [' ~ (names | join(', ')) ~ '])' -%}
    case
        when struct_extract({{ captures }}, 'g0') <> '' then {{ captures }}
        when regexp_matches({{ expr }}, {{ quoted }}) then {{ captures }}
    end
{%- endmacro %}

{#- Spark: an array of the groups (regexp_extract per group: '' for a group that took no part, as on DuckDB). -#}
{% macro spark__regex_captures(expr, pattern, group_count) -%}
    {%- set quoted = spark_string_literal(pattern) -%}
    case when {{ expr }} rlike {{ quoted }} then array(
        {%- for number in range(1, group_count | int + 1) -%}
        regexp_extract({{ expr }}, {{ quoted }}, {{ number }}){{ ', ' if not loop.last }}
        {%- endfor -%}
    ) end
{%- endmacro %}

{#- Capture group `group` (1-based) of a regex_captures value; null when the line did not match. -#}
{% macro regex_group(captures, group) -%}
    {{ return(adapter.dispatch('regex_group')(captures, group)) }}
{%- endmacro %}

{#- PostgreSQL and most engines: an array element. -#}
{% macro default__regex_group(captures, group) -%}
    ({{ captures }})[{{ group | int }}]
{%- endmacro %}

{#- DuckDB: a struct field. -#}
{% macro duckdb__regex_group(captures, group) -%}
    struct_extract({{ captures }}, 'g{{ group | int }}')
{%- endmacro %}

{#- Spark: element_at is 1-based. -#}
{% macro spark__regex_group(captures, group) -%}
    element_at({{ captures }}, {{ group | int }})
{%- endmacro %}

{#- A Spark SQL string literal of `text`: Spark reads backslash escapes in literals ('\d' would be 'd'), so backslashes and quotes are escaped. -#}
{% macro spark_string_literal(text) -%}
    '{{ text | replace('\\', '\\\\') | replace("'", "\\'") }}'
{%- endmacro %}

{#- The keyword that makes a CTE's expressions run once for every column read from it: regex_captures / json values read group by group. -#}
{% macro materialized_cte() -%}
    {{ return(adapter.dispatch('materialized_cte')()) }}
{%- endmacro %}

{#- DuckDB and Spark evaluate a CTE's column once per row where it is read several times: nothing to add. -#}
{% macro default__materialized_cte() -%}
{%- endmacro %}

{#- PostgreSQL 12+ inlines a CTE read once and then evaluates an immutable expression once per reference
    (a line's regular expression ten times); `materialized` keeps it one evaluation per row. -#}
{% macro postgres__materialized_cte() -%}
    materialized
{%- endmacro %}

{#- The keyword that keeps a CTE read more than once inlined (computed again by each reader) instead of
    held whole: a wide stream whose narrow key columns are also read on their own. -#}
{% macro inlined_cte() -%}
    {{ return(adapter.dispatch('inlined_cte')()) }}
{%- endmacro %}

{#- Spark and other engines inline CTEs: nothing to add. -#}
{% macro default__inlined_cte() -%}
{%- endmacro %}

{#- DuckDB (1.3+) and PostgreSQL (12+) materialize a CTE read more than once unless told not to. -#}
{% macro duckdb__inlined_cte() -%}
    not materialized
{%- endmacro %}

{% macro postgres__inlined_cte() -%}
    not materialized
{%- endmacro %}
