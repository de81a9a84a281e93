{#- Every raw access-log row is either a staged request or a quarantined line: returns a row on a mismatch. -#}

with

raw_rows as (

    select count(*) as n_rows from {{ source('weblogs', 'access_log') }}

),

staged as (

    select count(*) as n_rows from {{ ref('stg_weblogs__requests') }}

),

quarantined as (

    select count(*) as n_rows from {{ ref('qrt_weblogs__requests') }}

),

final as (

    select
        raw_rows.n_rows as raw_rows,
        staged.n_rows as staged_rows,
        quarantined.n_rows as quarantined_rows
    from raw_rows
    cross join staged
    cross join quarantined
    where raw_rows.n_rows <> staged.n_rows + quarantined.n_rows

)

select * from final
