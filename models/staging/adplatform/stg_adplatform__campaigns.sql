with

source as (

    select * from {{ source('adplatform', 'campaigns') }}

),

renamed as (

    select
        cast(campaign_id as bigint) as campaign_id,
        name as campaign_name,
        utm_campaign,
        lower(network) as network,
        lower(objective) as objective,
        lower(status) as campaign_status,
        upper(currency) as currency,
        cast(daily_budget_micros as bigint) as daily_budget_micros,
        -- micros to currency units in exact decimal arithmetic (a division would give a double)
        cast(
            cast(daily_budget_micros as decimal(38, 0)) * cast(0.000001 as decimal(7, 6))
            as decimal(18, 6)
        ) as daily_budget,
        {{ cast_or_null('start_date', 'date') }} as start_date,
        {{ cast_or_null('end_date', 'date') }} as end_date,
        {{ utc_wall_clock('created_at') }} as created_at,
        {{ utc_wall_clock('updated_at') }} as updated_at,
        _dlt_load_id as dlt_load_id
    from source

),

deduplicated as (

    select
        *,
        row_number() over (
            partition by campaign_id
            order by updated_at desc, dlt_load_id desc
        ) as version_rank
    from renamed

),

final as (

    select
        campaign_id,
        campaign_name,
        utm_campaign,
        network,
        objective,
        campaign_status,
        currency,
        daily_budget_micros,
        daily_budget,
        start_date,
        end_date,
        created_at,
        updated_at,
        dlt_load_id
    from deduplicated
    where version_rank = 1

)

select * from final
