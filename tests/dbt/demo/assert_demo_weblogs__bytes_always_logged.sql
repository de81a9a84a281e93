{#-
    Demo only (var demo_checks): the demo's server is nginx, whose `$body_bytes_sent` is always a
    number (0 for an empty body), so no parsed request has null `response_bytes`, in staging or in
    the mart. Apache writes `-` (null) for an empty body, so this holds for the demo, not for every
    source. Returns one row per model with such requests.
-#}

{{ config(enabled=(var('demo_checks') | string | lower in ['true', '1'])) }}

with

staged as (

    select count(*) as n_requests from {{ ref('stg_weblogs__requests') }}
    where response_bytes is null

),

in_mart as (

    select count(*) as n_requests from {{ ref('fct_web_requests') }}
    where response_bytes is null

),

final as (

    select
        'stg_weblogs__requests' as model_name,
        n_requests
    from staged
    where n_requests > 0
    union all
    select
        'fct_web_requests' as model_name,
        n_requests
    from in_mart
    where n_requests > 0

)

select * from final
