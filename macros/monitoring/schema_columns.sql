{#-
    The columns of every version of a dlt schema: one row per version, table and column with its
    data type, read from the JSON text of a `_dlt_version` relation (dlt's own tables and columns,
    `_dlt_*`, left out). JSON functions differ by engine, hence the dispatch.
-#}
{% macro dlt_schema_columns(relation) -%}
    {{ return(adapter.dispatch('dlt_schema_columns')(relation)) }}
{%- endmacro %}

{#- DuckDB: json_keys lists an object's keys; unnest makes them rows. -#}
{% macro duckdb__dlt_schema_columns(relation) -%}
    select
        versions.version,
        versions.version_hash,
        versions.inserted_at,
        versions.table_name,
        versions.column_name,
        json_extract_string(
            versions.schema_json, '$.tables.' || versions.table_name || '.columns.' || versions.column_name || '.data_type'
        ) as data_type
    from (
        select
            tables.*,
            unnest(json_keys(tables.schema_json, '$.tables.' || tables.table_name || '.columns')) as column_name
        from (
            select
                version,
                version_hash,
                inserted_at,
                schema_json,
                unnest(json_keys(schema_json, '$.tables')) as table_name
            from (select version, version_hash, inserted_at, cast(schema as json) as schema_json from {{ relation }})
        ) as tables
        where tables.table_name not like '\_dlt%' escape '\'
    ) as versions
    where versions.column_name not like '\_dlt%' escape '\'
{%- endmacro %}

{#- PostgreSQL: jsonb_each over the tables, then over each table's columns. -#}
{% macro default__dlt_schema_columns(relation) -%}
    select
        versions.version,
        versions.version_hash,
        versions.inserted_at,
        tables.key as table_name,
        columns.key as column_name,
        columns.value ->> 'data_type' as data_type
    from {{ relation }} as versions
    cross join lateral jsonb_each(cast(versions.schema as jsonb) -> 'tables') as tables
    cross join lateral jsonb_each(tables.value -> 'columns') as columns
    where tables.key not like '\_dlt%' and columns.key not like '\_dlt%'
{%- endmacro %}

{#- Spark: from_json into maps of tables and columns, exploded. -#}
{% macro spark__dlt_schema_columns(relation) -%}
    select
        versions.version,
        versions.version_hash,
        versions.inserted_at,
        tables.table_name,
        columns.column_name,
        columns.column_def.data_type as data_type
    from (
        select
            version,
            version_hash,
            inserted_at,
            from_json(`schema`, 'struct<tables: map<string, struct<columns: map<string, struct<data_type: string>>>>>') as parsed
        from {{ relation }}
    ) as versions
    lateral view explode(versions.parsed.tables) tables as table_name, table_def
    lateral view explode(tables.table_def.columns) columns as column_name, column_def
    where tables.table_name not like '\_dlt%' and columns.column_name not like '\_dlt%'
{%- endmacro %}
