with

source as (

    select * from {{ source('oltp', 'orders') }}

),

renamed as (

    select
        {{ hard_delete_flag(source('oltp', 'orders')) }} as is_hard_deleted,
        cast(order_id as bigint) as order_id,
        order_number,
        cast(customer_id as bigint) as customer_id,
        channel,
        status as order_status,
        upper(currency) as currency,
        cast(subtotal_amount as decimal(12, 2)) as subtotal_amount,
        cast(discount_amount as decimal(12, 2)) as discount_amount,
        cast(shipping_amount as decimal(12, 2)) as shipping_amount,
        cast(total_amount as decimal(12, 2)) as total_amount,
        coupon_code,
        ship_city,
        {{ postal_code_prefix('ship_postal_code') }} as ship_postal_code_prefix,
        upper(trim(ship_country_code)) as ship_country_code,
        cast(placed_at as timestamp) as placed_at,
        cast(created_at as timestamp) as created_at,
        cast(updated_at as timestamp) as updated_at,
        _dlt_load_id as dlt_load_id
    from source

),

deduplicated as (

    {{ latest_versions('renamed', 'order_id') }}

),

final as (

    select
        order_id,
        order_number,
        customer_id,
        channel,
        order_status,
        currency,
        subtotal_amount,
        discount_amount,
        shipping_amount,
        total_amount,
        coupon_code,
        ship_city,
        ship_postal_code_prefix,
        ship_country_code,
        placed_at,
        created_at,
        updated_at,
        dlt_load_id
    from deduplicated

)

select * from final
