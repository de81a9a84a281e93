{#-
    Schema changes per load (doc block monitoring__schema_changes): for every completed dlt load
    whose schema version differs from the previous completed load's of the same dataset, each column
    that the new version adds to a table or gives another data type, and each table it adds. dlt
    never drops a column, so a renamed field shows up as an added column (the old one stays, empty
    from then on) and a retyped one as an added variant column (`<name>__v_<type>`). Columns the
    ingestion adds itself (var monitor_schema_ignore_columns: `_file_name`, `_line_number`,
    `_source_deleted`) are left out.
-#}

{%- set ignored_columns = [] %}
{%- for name in var('monitor_schema_ignore_columns') %}{% do ignored_columns.append("'" ~ name ~ "'") %}{% endfor %}
{%- set ignored_columns = ignored_columns | join(', ') %}

with

loads as (

    select
        source_name,
        load_id,
        loaded_at,
        schema_version_hash,
        lag(schema_version_hash) over (partition by source_name order by loaded_at, load_id)
            as previous_version_hash,
        row_number() over (partition by source_name order by loaded_at desc, load_id desc) = 1 as is_latest_load
    from {{ ref('stg_audit__loads') }}
    where is_completed and schema_version_hash is not null

),

changed_loads as (

    select * from loads
    where previous_version_hash is not null and schema_version_hash <> previous_version_hash

),

schema_columns as (

    select * from {{ ref('stg_audit__schema_columns') }}

),

schema_tables as (

    select distinct
        source_name,
        version_hash,
        table_name
    from schema_columns

),

compared as (

    select
        changed_loads.source_name,
        changed_loads.load_id,
        changed_loads.loaded_at,
        changed_loads.is_latest_load,
        new_columns.table_name,
        new_columns.column_name,
        old_columns.data_type as previous_data_type,
        new_columns.data_type,
        case
            when old_tables.table_name is null then 'table_added'
            when old_columns.column_name is null then 'column_added'
            when old_columns.data_type <> new_columns.data_type then 'column_retyped'
        end as change_kind
    from changed_loads
    inner join schema_columns as new_columns
        on changed_loads.source_name = new_columns.source_name
        and changed_loads.schema_version_hash = new_columns.version_hash
    left join schema_tables as old_tables
        on changed_loads.source_name = old_tables.source_name
        and changed_loads.previous_version_hash = old_tables.version_hash
        and new_columns.table_name = old_tables.table_name
    left join schema_columns as old_columns
        on changed_loads.source_name = old_columns.source_name
        and changed_loads.previous_version_hash = old_columns.version_hash
        and new_columns.table_name = old_columns.table_name
        and new_columns.column_name = old_columns.column_name

),

final as (

    select
        source_name,
        load_id,
        loaded_at,
        cast(source_name || '.' || table_name as {{ dbt.type_string() }}) as table_name,
        column_name,
        change_kind,
        previous_data_type,
        data_type,
        -- the newest completed load of the dataset: its changes are judged by mon_checks today
        is_latest_load
    from compared
    where
        change_kind is not null
        -- columns the ingestion itself adds (file lineage, hard-delete markers) are not the source's
        and column_name not in ({{ ignored_columns }})

)

select * from final
