{#-
    Inventory rows staging did not keep: another row for the same day and product was loaded later
    (a restated snapshot, or the same product twice in one file), and `stg_lake__inventory_snapshots`
    keeps only the latest. The rows `base_lake__inventory_snapshots` flags, so none is dropped
    silently, with the same snapshot date as staging would give them (the file's `dt=` when empty).
-#}

with

base as (

    select * from {{ ref('base_lake__inventory_snapshots') }}

),

final as (

    select
        invalid_reason,
        snapshot_date,
        product_id,
        sku,
        warehouse_code,
        on_hand_quantity,
        reserved_quantity,
        _file_name,
        _line_number,
        dlt_load_id
    from base
    where not is_valid

)

select * from final
