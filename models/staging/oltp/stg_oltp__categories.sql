with

source as (

    select * from {{ source('oltp', 'categories') }}

),

renamed as (

    select
        {{ hard_delete_flag(source('oltp', 'categories')) }} as is_hard_deleted,
        cast(category_id as bigint) as category_id,
        cast(parent_category_id as bigint) as parent_category_id,
        name as category_name,
        slug as category_slug,
        cast(created_at as timestamp) as created_at,
        cast(updated_at as timestamp) as updated_at,
        _dlt_load_id as dlt_load_id
    from source

),

deduplicated as (

    {{ latest_versions('renamed', 'category_id') }}

),

final as (

    select
        category_id,
        parent_category_id,
        category_name,
        category_slug,
        created_at,
        updated_at,
        dlt_load_id
    from deduplicated

)

select * from final
