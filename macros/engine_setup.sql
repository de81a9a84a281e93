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
    external table over its folder. dlt's own tables (`_dlt_loads`, `_dlt_version`,
    `_dlt_pipeline_state`) are JSON lines. dlt writes a table's folder with its first row, so a
    table the newest stored dlt schema of its dataset has not seen data for (`rejected_records`
    before the first reject, `documents.reviews` before the first review) is not registered:
    `source_if_loaded` then reads it as empty, as on DuckDB. Dropping an external table keeps the
    files, so every run re-registers them (new files of a later load included). One statement per
    call: Spark SQL takes no batches.
-#}
{% macro spark__engine_setup_statements() -%}
    {%- set raw_dir = spark_raw_dir() -%}
    {%- set statements = [] -%}
    {%- set loaded_tables = spark_loaded_tables(raw_dir) -%}
    {%- set schemas = [] -%}
    {%- for source in graph.sources.values() | sort(attribute='unique_id') -%}
        {%- if source.schema not in schemas -%}
            {%- do schemas.append(source.schema) -%}
            {%- do statements.append('create schema if not exists ' ~ adapter.quote(source.schema)) -%}
        {%- endif -%}
        {%- if source.identifier in loaded_tables.get(source.schema, []) -%}
            {%- set relation = adapter.quote(source.schema) ~ '.' ~ adapter.quote(source.identifier) -%}
            {%- set json_columns = spark_dlt_json_columns().get(source.identifier) -%}
            {%- do statements.append('drop table if exists ' ~ relation) -%}
            {%- do statements.append(
                'create table ' ~ relation
                ~ (' (' ~ json_columns ~ ') using json' if json_columns else ' using parquet')
                ~ " location '" ~ raw_dir ~ '/' ~ source.schema ~ '/' ~ source.identifier ~ "'"
            ) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements) }}
{%- endmacro %}

{#- Where dlt's filesystem destination wrote the raw data Spark reads (an absolute path or URL). -#}
{% macro spark_raw_dir() -%}
    {{ return(env_var('SPARK_RAW_DIR', env_var('DATA_DIR', './data') ~ '/spark/raw')) }}
{%- endmacro %}

{#-
    dataset -> its tables that hold data, for every dlt dataset under `raw_dir` (one read of all
    datasets' `_dlt_version`; a dataset not loaded yet, such as `ml_scores` before the first
    scoring, has no folder and no entry): dlt's own three tables, and every table the dataset's
    newest stored schema version marks as having seen data (`x-normalizer.seen-data`).
-#}
{% macro spark_loaded_tables(raw_dir) -%}
    {%- set newest = run_query(
        "select schema_name, `schema` from ("
        ~ " select schema_name, `schema`, row_number() over (partition by schema_name order by version desc) as newest_first"
        ~ " from json.`" ~ raw_dir ~ "/*/_dlt_version`) where newest_first = 1"
    ) -%}
    {%- set loaded = {} -%}
    {%- for row in newest.rows -%}
        {%- set tables = ['_dlt_loads', '_dlt_version', '_dlt_pipeline_state'] -%}
        {%- for name, table in fromjson(row[1])['tables'].items() -%}
            {%- if (table.get('x-normalizer') or {}).get('seen-data') and name not in tables -%}
                {%- do tables.append(name) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- do loaded.update({row[0]: tables}) -%}
    {%- endfor -%}
    {{ return(loaded) }}
{%- endmacro %}

{#- dlt's own tables are JSON lines: their columns, typed as on the other destinations (Spark's JSON
    reader would infer the timestamps as strings). -#}
{% macro spark_dlt_json_columns() -%}
    {{ return({
        '_dlt_loads': 'load_id string, schema_name string, status bigint, inserted_at timestamp_ltz, schema_version_hash string',
        '_dlt_version': 'version bigint, engine_version bigint, inserted_at timestamp_ltz, schema_name string, version_hash string, `schema` string',
        '_dlt_pipeline_state': 'version bigint, engine_version bigint, pipeline_name string, state string, created_at timestamp_ltz, version_hash string, _dlt_load_id string, _dlt_id string',
    }) }}
{%- endmacro %}
