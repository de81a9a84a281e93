-- A snapshot's date is the `dt=YYYY-MM-DD` partition of the file it came from; a mismatch means a
-- file was written to the wrong folder. Returns offending rows.
with

snapshots as (

    select * from {{ ref('stg_lake__inventory_snapshots') }}

),

partitioned as (

    select
        snapshot_date,
        product_id,
        _file_name,
        _line_number,
        substring(_file_name, {{ dbt.position("'dt='", '_file_name') }} + 3, 10) as partition_date
    from snapshots

),

mismatches as (

    select * from partitioned
    where cast(snapshot_date as varchar(10)) <> partition_date

)

select * from mismatches
