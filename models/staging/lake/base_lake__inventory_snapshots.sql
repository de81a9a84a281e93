-- Every raw inventory snapshot row once, typed and flagged: the latest loaded row of each day and
-- product `is_valid` and feeds stg_lake__inventory_snapshots, the rows it superseded feed
-- qrt_lake__inventory_snapshots with their `invalid_reason`. Both get the same snapshot date.
with

source as (

    select * from {{ source('lake', 'inventory_snapshots') }}

),

renamed as (

    select
        -- the file's `dt=YYYY-MM-DD` partition stands in when the column is missing
        coalesce(
            cast(snapshot_date as date),
            {{ cast_or_null(
                "substring(_file_name, " ~ dbt.position("'dt='", '_file_name') ~ " + 3, 10)",
                'date'
            ) }}
        ) as snapshot_date,
        cast(product_id as bigint) as product_id,
        sku,
        warehouse_code,
        cast(on_hand as bigint) as on_hand_quantity,
        cast(reserved as bigint) as reserved_quantity,
        cast(on_hand as bigint) - cast(reserved as bigint) as available_quantity,
        cast(list_price_usd as decimal(12, 2)) as list_price_usd,
        _file_name,
        _line_number,
        _dlt_load_id as dlt_load_id
    from source

),

ranked as (

    select
        *,
        -- of several rows for one day and product, the latest loaded one is kept
        row_number() over (
            partition by snapshot_date, product_id
            order by dlt_load_id desc, _file_name desc, _line_number desc
        ) as version_rank
    from renamed

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
        version_rank = 1 as is_valid,
        case when version_rank > 1 then 'duplicate' end as invalid_reason,
        _file_name,
        _line_number,
        dlt_load_id
    from ranked

)

select * from final
