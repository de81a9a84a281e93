{#- One row per calendar day of dim_date: MetricFlow's daily time spine (metric_time, offsets, cumulative metrics). -#}

with

calendar as (

    select * from {{ ref('dim_date') }}

),

final as (

    select date_day
    from calendar

)

select * from final
