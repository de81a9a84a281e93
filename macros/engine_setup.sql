{#- Run once before every dbt command that executes SQL (on-run-start): what an engine needs before the models run. -#}
{% macro engine_setup() -%}
    {%- if execute -%}
        {%- for statement in engine_setup_statements() -%}
            {%- do run_query(statement) -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}

{% macro engine_setup_statements() -%}
    {{ return(adapter.dispatch('engine_setup_statements')()) }}
{%- endmacro %}

{#- DuckDB and most engines: nothing (try_cast and the JSON functions are built in). -#}
{% macro default__engine_setup_statements() -%}
    {{ return([]) }}
{%- endmacro %}

{#-
    PostgreSQL 15 has no `try_cast` and no `is json` (16+): two small PL/pgSQL functions in the
    target schema return null where the cast would raise (a CSV date `2025-13-01`, a line that is
    not JSON). `try_cast_text` assigns the text to a variable of the requested type (PL/pgSQL's
    assignment is the type's input function), `try_jsonb` parses a text as jsonb. A null input
    returns before the exception block: each entry into one is a subtransaction (the cost of these
    functions, most event fields are null). Declared volatile on purpose: PostgreSQL then does not
    pull a staging CTE up into the query that reads its columns several times, which evaluated each
    call once per reference (base_events__events at SCALE 0.1: 106 s instead of about 370 s).
-#}
{% macro postgres__engine_setup_statements() -%}
    {%- set schema = adapter.quote(target.schema) -%}
    {{ return([
        'create schema if not exists ' ~ schema,
        'create or replace function ' ~ schema ~ '.try_cast_text(p_in text, p_type anyelement) returns anyelement'
            ~ ' language plpgsql volatile as $fn$ declare result alias for $0; begin'
            ~ ' if p_in is null then return null; end if;'
            ~ ' begin result := p_in; return result; exception when others then return null; end; end $fn$',
        'create or replace function ' ~ schema ~ '.try_jsonb(p_in text) returns jsonb'
            ~ ' language plpgsql volatile strict as $fn$ begin return p_in::jsonb;'
            ~ ' exception when others then return null; end $fn$',
    ]) }}
{%- endmacro %}

{#- The schema-qualified name of a function engine_setup created. -#}
{% macro engine_function(name) -%}
    {{ adapter.quote(target.schema) }}.{{ name }}
{%- endmacro %}

{#-
    Spark: the raw data is dlt's filesystem destination (parquet files, one folder per table under
    `SPARK_RAW_DIR`, default DATA_DIR/spark/raw/<dataset>/<table>/); each source table becomes an
    external table over its folder (dlt's `_dlt_loads` is JSON lines). Dropping such a table keeps
    the files, so every run re-registers them (new files of a later load included). One statement
    per call: Spark SQL takes no batches.
-#}
{% macro spark__engine_setup_statements() -%}
    {%- set raw_dir = env_var('SPARK_RAW_DIR', env_var('DATA_DIR', './data') ~ '/spark/raw') -%}
    {%- set statements = [] -%}
    {%- set schemas = [] -%}
    {%- for source in graph.sources.values() | sort(attribute='unique_id') -%}
        {%- if source.schema not in schemas -%}
            {%- do schemas.append(source.schema) -%}
            {%- do statements.append('create schema if not exists ' ~ adapter.quote(source.schema)) -%}
        {%- endif -%}
        {%- set relation = adapter.quote(source.schema) ~ '.' ~ adapter.quote(source.identifier) -%}
        {%- set file_format = 'json' if source.identifier == '_dlt_loads' else 'parquet' -%}
        {%- do statements.append('drop table if exists ' ~ relation) -%}
        {%- do statements.append(
            'create table ' ~ relation ~ ' using ' ~ file_format
            ~ " location '" ~ raw_dir ~ '/' ~ source.schema ~ '/' ~ source.identifier ~ "'"
        ) -%}
    {%- endfor -%}
    {{ return(statements) }}
{%- endmacro %}
