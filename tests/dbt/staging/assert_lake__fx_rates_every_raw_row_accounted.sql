-- Every raw FX rate row is accounted for exactly once: raw = base = stg + qrt.
-- Returns a row when the counts do not reconcile.
with

counts as (

    select
        (select count(*) from {{ source('lake', 'fx_rates') }}) as raw_rows,
        (select count(*) from {{ ref('base_lake__fx_rates') }}) as base_rows,
        (select count(*) from {{ ref('stg_lake__fx_rates') }}) as staged_rows,
        (select count(*) from {{ ref('qrt_lake__fx_rates') }}) as quarantined_rows

),

mismatches as (

    select * from counts
    where raw_rows <> base_rows
        or raw_rows <> staged_rows + quarantined_rows

)

select * from mismatches
