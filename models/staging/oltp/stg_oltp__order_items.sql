with

source as (

    select * from {{ source('oltp', 'order_items') }}

),

renamed as (

    select
        {{ hard_delete_flag(source('oltp', 'order_items')) }} as is_hard_deleted,
        cast(order_item_id as bigint) as order_item_id,
        cast(order_id as bigint) as order_id,
        cast(product_id as bigint) as product_id,
        cast(quantity as bigint) as quantity,
        cast(unit_price as decimal(12, 2)) as unit_price,
        cast(line_total as decimal(12, 2)) as line_total,
        cast(created_at as timestamp) as created_at,
        cast(updated_at as timestamp) as updated_at,
        _dlt_load_id as dlt_load_id
    from source

),

deduplicated as (

    {{ latest_versions('renamed', 'order_item_id') }}

),

final as (

    select
        order_item_id,
        order_id,
        product_id,
        quantity,
        unit_price,
        line_total,
        created_at,
        updated_at,
        dlt_load_id
    from deduplicated

)

select * from final
