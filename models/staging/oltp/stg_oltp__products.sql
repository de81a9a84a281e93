with

source as (

    select * from {{ source('oltp', 'products') }}

),

renamed as (

    select
        {{ hard_delete_flag(source('oltp', 'products')) }} as is_hard_deleted,
        cast(product_id as bigint) as product_id,
        cast(category_id as bigint) as category_id,
        sku,
        name as product_name,
        slug as product_slug,
        brand,
        cast(list_price_usd as decimal(12, 2)) as list_price_usd,
        cast(weight_grams as bigint) as weight_grams,
        cast(is_active as boolean) as is_active,
        deleted_at is not null as is_deleted,
        cast(created_at as timestamp) as created_at,
        cast(updated_at as timestamp) as updated_at,
        cast(deleted_at as timestamp) as deleted_at,
        _dlt_load_id as dlt_load_id
    from source

),

deduplicated as (

    {{ latest_versions('renamed', 'product_id') }}

),

final as (

    select
        product_id,
        category_id,
        sku,
        product_name,
        product_slug,
        brand,
        list_price_usd,
        weight_grams,
        is_active,
        is_deleted,
        created_at,
        updated_at,
        deleted_at,
        dlt_load_id
    from deduplicated

)

select * from final
