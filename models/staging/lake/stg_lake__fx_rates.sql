with

base as (

    select * from {{ ref('base_lake__fx_rates') }}

),

final as (

    select
        rate_date,
        currency,
        usd_per_unit,
        _file_name,
        _line_number,
        dlt_load_id
    from base
    where is_valid

)

select * from final
