{#-
    Inventory rows staging did not keep: another row for the same day and product was loaded later
    (a restated snapshot, or the same product twice in one file), and `stg_lake__inventory_snapshots`
    keeps only the latest. The raw rows that are not in staging, so none is dropped silently.
-#}

with

source as (

    select * from {{ source('lake', 'inventory_snapshots') }}

),

kept as (

    select
        _file_name,
        _line_number,
        dlt_load_id
    from {{ ref('stg_lake__inventory_snapshots') }}

),

superseded as (

    select source.*
    from source
    left join kept
        on source._file_name = kept._file_name
        and source._line_number = kept._line_number
        and source._dlt_load_id = kept.dlt_load_id
    where kept._file_name is null

),

final as (

    select
        'duplicate' as invalid_reason,
        cast(snapshot_date as date) as snapshot_date,
        cast(product_id as bigint) as product_id,
        sku,
        warehouse_code,
        cast(on_hand as bigint) as on_hand_quantity,
        cast(reserved as bigint) as reserved_quantity,
        _file_name,
        _line_number,
        _dlt_load_id as dlt_load_id
    from superseded

)

select * from final
