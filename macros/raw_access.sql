{#- Grant (or revoke) one role read access to the raw source schemas, the only place personal data is in clear text: `dbt run-operation grant_raw_access --args '{role: pii_reader}'`. -#}

{#- The raw schemas (those of the project's sources: where dlt loads), sorted, each quoted with quote_identifier. -#}
{% macro raw_schema_relations() -%}
    {%- set schemas = graph.sources.values() | map(attribute='schema') | unique | sort -%}
    {%- set quoted = [] -%}
    {%- for schema in schemas -%}
        {%- do quoted.append(quote_identifier(schema, 'source schema')) -%}
    {%- endfor -%}
    {{- return(quoted) -}}
{%- endmacro %}

{#- The role name quoted (its quote characters escaped): `--args '{role: pii_reader}'`. -#}
{% macro quoted_role(role) -%}
    {{- return(quote_identifier(role, "raw access: the role (--args '{role: pii_reader}')")) -}}
{%- endmacro %}

{% macro grant_raw_access(role, dry_run=false) -%}
    {{ return(adapter.dispatch('grant_raw_access')(role, dry_run)) }}
{%- endmacro %}

{% macro revoke_raw_access(role, dry_run=false) -%}
    {{ return(adapter.dispatch('revoke_raw_access')(role, dry_run)) }}
{%- endmacro %}

{#- Engines with roles (PostgreSQL, Redshift, Snowflake, ...): usage on each raw schema, select on all its tables (tables created later need a new grant). -#}
{% macro default__grant_raw_access(role, dry_run=false) -%}
    {%- set grantee = raw_access_grantee(role) -%}
    {%- set statements = [] -%}
    {%- for schema in raw_schema_relations() -%}
        {%- do statements.append('grant usage on schema ' ~ schema ~ ' to ' ~ grantee) -%}
        {%- do statements.append('grant select on all tables in schema ' ~ schema ~ ' to ' ~ grantee) -%}
    {%- endfor -%}
    {{- return(raw_access_run(statements, dry_run)) -}}
{%- endmacro %}

{#- The grants taken back in reverse order: select on the tables, then usage on the schema. -#}
{% macro default__revoke_raw_access(role, dry_run=false) -%}
    {%- set grantee = raw_access_grantee(role) -%}
    {%- set statements = [] -%}
    {%- for schema in raw_schema_relations() -%}
        {%- do statements.append('revoke select on all tables in schema ' ~ schema ~ ' from ' ~ grantee) -%}
        {%- do statements.append('revoke usage on schema ' ~ schema ~ ' from ' ~ grantee) -%}
    {%- endfor -%}
    {{- return(raw_access_run(statements, dry_run)) -}}
{%- endmacro %}

{#- Who the grants go to: the quoted role; Snowflake says `role "NAME"` (give the name as stored: upper-case unless it was created quoted). -#}
{% macro raw_access_grantee(role) -%}
    {{ return(adapter.dispatch('raw_access_grantee')(role)) }}
{%- endmacro %}

{% macro default__raw_access_grantee(role) -%}
    {{- return(quoted_role(role)) -}}
{%- endmacro %}

{% macro snowflake__raw_access_grantee(role) -%}
    {{- return('role ' ~ quoted_role(role)) -}}
{%- endmacro %}

{#- DuckDB has no users or roles: access is the file. Says so (nothing to run) and returns no statements. -#}
{% macro duckdb__grant_raw_access(role, dry_run=false) -%}
    {%- do quoted_role(role) -%}
    {%- do log(
        "grant_raw_access: DuckDB has no roles, so there is nothing to grant to '" ~ role ~ "'. Access is by file: "
        ~ "the warehouse file " ~ (target.path or 'DATA_DIR/warehouse.duckdb') ~ " holds the raw schemas with personal data ("
        ~ (raw_schema_relations() | join(', ')) ~ "); give it (read-only: duckdb -readonly) only to people allowed to see "
        ~ "personal data. Everybody else uses the published snapshot DATA_DIR/published/warehouse.duckdb (make publish), "
        ~ "which holds the marts only.",
        info=true
    ) -%}
    {{- return([]) -}}
{%- endmacro %}

{% macro duckdb__revoke_raw_access(role, dry_run=false) -%}
    {%- do quoted_role(role) -%}
    {%- do log(
        "revoke_raw_access: DuckDB has no roles, so there is nothing to revoke from '" ~ role ~ "'. Access is by file: "
        ~ "take away the copy of " ~ (target.path or 'DATA_DIR/warehouse.duckdb') ~ " (file permissions), "
        ~ "the published snapshot DATA_DIR/published/warehouse.duckdb holds no personal data.",
        info=true
    ) -%}
    {{- return([]) -}}
{%- endmacro %}

{#- Log each statement, run it unless dry_run (then commit: run-operation opens no transaction of its own to commit), return the list. -#}
{% macro raw_access_run(statements, dry_run=false) -%}
    {%- for statement in statements -%}
        {%- do log(('would run: ' if dry_run else 'running: ') ~ statement ~ ';', info=true) -%}
        {%- if not dry_run and execute -%}
            {%- do run_query(statement) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if statements and not dry_run and execute -%}
        {%- do run_query('commit') -%}
    {%- endif -%}
    {{- return(statements) -}}
{%- endmacro %}
