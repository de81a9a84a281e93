with

base as (

    select * from {{ ref('base_lake__inventory_snapshots') }}

),

final as (

    select
        snapshot_date,
        product_id,
        sku,
        warehouse_code,
        on_hand_quantity,
        reserved_quantity,
        available_quantity,
        list_price_usd,
        _file_name,
        _line_number,
        dlt_load_id
    from base
    where is_valid

)

select * from final
