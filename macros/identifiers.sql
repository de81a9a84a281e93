{#- Identifiers from config, vars or arguments made safe: quoted with the adapter's quote character, which is doubled inside the name. -#}

{#-
    dbt's adapter.quote() and relation objects wrap a name in quotes but do not escape a quote inside
    it (`pii"; drop table x; --` would end the identifier early). quote_identifier doubles it, as
    SQL requires (DuckDB, PostgreSQL, Snowflake, Redshift, ...), and refuses what no quoting makes
    safe: a non-string, an empty name, control characters, or (engines quoting with another
    character, e.g. BigQuery's backtick) the quote character itself.
-#}
{% macro quote_identifier(name, what='identifier') -%}
    {%- if name is not string or name | trim == '' or modules.re.search('[\\x00-\\x1f\\x7f]', name) -%}
        {{ exceptions.raise_compiler_error(what ~ " must be a non-empty name without control characters, got " ~ ("\"" ~ (name | string) ~ "\"")) }}
    {%- endif -%}
    {%- set quote = adapter.quote('x')[0] -%}
    {%- if quote == '"' -%}
        {{- return(adapter.quote(name | replace('"', '""'))) -}}
    {%- elif quote in name -%}
        {{ exceptions.raise_compiler_error(what ~ " " ~ ("\"" ~ name ~ "\"") ~ " contains the quote character " ~ quote) }}
    {%- else -%}
        {{- return(adapter.quote(name)) -}}
    {%- endif -%}
{%- endmacro %}

{#- A plain SQL identifier (letters, digits, underscores; not starting with a digit), returned unquoted; anything else is a compile error naming `what`. -#}
{% macro plain_identifier(name, what='identifier') -%}
    {%- if name is not string or not modules.re.fullmatch('[A-Za-z_][A-Za-z0-9_$]*', name) -%}
        {{ exceptions.raise_compiler_error(what ~ " must be a plain SQL name (letters, digits, _), got " ~ ("\"" ~ (name | string) ~ "\"")) }}
    {%- endif -%}
    {{- return(name) -}}
{%- endmacro %}
