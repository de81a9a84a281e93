-- Every raw inventory row reaches staging: one staged row per distinct (snapshot day, product) of
-- the raw table, so only re-deliveries of the same day and product collapse.
-- Returns a row when the counts do not reconcile.
with

raw_keys as (

    select
        snapshot_date,
        product_id
    from {{ source('lake', 'inventory_snapshots') }}
    group by snapshot_date, product_id

),

counts as (

    select
        (select count(*) from raw_keys) as raw_keys,
        (select count(*) from {{ ref('stg_lake__inventory_snapshots') }}) as staged_rows

),

mismatches as (

    select * from counts
    where raw_keys <> staged_rows

)

select * from mismatches
