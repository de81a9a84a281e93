{#-
    Demo only (var demo_checks): the demo's web server runs on Europe/Berlin time, so every log line
    is written at +0100 (winter) or +0200 (summer). Any offset is valid in a real source; this checks
    the generator, not the parser. Returns one row per other offset, with its count.
-#}

{{ config(enabled=(var('demo_checks') | string | lower in ['true', '1'])) }}

with

requests as (

    select * from {{ ref('stg_weblogs__requests') }}

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
