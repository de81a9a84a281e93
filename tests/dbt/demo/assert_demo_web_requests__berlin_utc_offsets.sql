{#-
    Demo only (var demo_checks): `fct_web_requests` carries the demo server's Europe/Berlin offsets
    only (60 and 120 minutes), as staging does. Returns one row per other offset, with its count.
-#}

{{ config(enabled=(var('demo_checks') | string | lower in ['true', '1'])) }}

with

requests as (

    select * from {{ ref('fct_web_requests') }}

),

final as (

    select
        utc_offset_minutes,
        count(*) as n_requests
    from requests
    where utc_offset_minutes not in (60, 120)
    group by utc_offset_minutes

)

select * from final
