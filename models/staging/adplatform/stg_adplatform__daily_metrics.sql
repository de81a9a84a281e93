with

source as (

    select * from {{ source('adplatform', 'daily_metrics') }}

),

renamed as (

    select
        cast(campaign_id as bigint) as campaign_id,
        {{ cast_or_null('"date"', 'date') }} as report_date,
        cast(impressions as bigint) as impressions,
        cast(clicks as bigint) as clicks,
        cast(conversions as bigint) as conversions,
        cast(cost_micros as bigint) as cost_micros,
        -- micros to currency units in exact decimal arithmetic (a division would give a double)
        cast(
            cast(cost_micros as decimal(38, 0)) * cast(0.000001 as decimal(7, 6))
            as decimal(18, 6)
        ) as cost,
        upper(currency) as currency,
        _dlt_load_id as dlt_load_id
    from source

),

deduplicated as (

    select
        *,
        row_number() over (
            partition by campaign_id, report_date
            order by dlt_load_id desc
        ) as version_rank
    from renamed

),

final as (

    select
        campaign_id,
        report_date,
        impressions,
        clicks,
        conversions,
        cost_micros,
        cost,
        currency,
        dlt_load_id
    from deduplicated
    where version_rank = 1

)

select * from final
