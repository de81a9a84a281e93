-- Every raw FX rate row once, typed with safe casts and flagged: `is_valid` rows feed
-- stg_lake__fx_rates, the others qrt_lake__fx_rates with their `invalid_reason`.
with

source as (

    select * from {{ source('lake', 'fx_rates') }}

),

parsed as (

    select
        rate_date as raw_rate_date,
        currency as raw_currency,
        usd_per_unit as raw_usd_per_unit,
        {{ cast_or_null('trim(rate_date)', 'date') }} as rate_date,
        upper(trim(currency)) as currency,
        {{ cast_or_null('trim(usd_per_unit)', 'decimal(18, 6)') }} as usd_per_unit,
        _file_name,
        _line_number,
        _dlt_load_id as dlt_load_id
    from source

),

checked as (

    select
        *,
        case
            when coalesce(trim(raw_rate_date), '') = '' then 'missing rate_date'
            when rate_date is null then 'invalid rate_date'
            when coalesce(currency, '') = '' then 'missing currency'
            when length(currency) <> 3
                or lower(currency) = currency
                then 'invalid currency'
            when coalesce(trim(raw_usd_per_unit), '') = '' then 'missing usd_per_unit'
            when usd_per_unit is null then 'invalid usd_per_unit'
            when usd_per_unit <= 0 then 'usd_per_unit not positive'
        end as parse_error
    from parsed

),

ranked as (

    select
        *,
        -- of several parseable rows for one day and currency, the latest loaded one is kept
        row_number() over (
            partition by rate_date, currency
            order by
                case when parse_error is null then 0 else 1 end,
                dlt_load_id desc,
                _file_name desc,
                _line_number desc
        ) as occurrence
    from checked

),

flagged as (

    select
        *,
        coalesce(
            parse_error,
            case when occurrence > 1 then 'duplicate' end
        ) as invalid_reason
    from ranked

),

final as (

    select
        rate_date,
        currency,
        usd_per_unit,
        invalid_reason is null as is_valid,
        invalid_reason,
        raw_rate_date,
        raw_currency,
        raw_usd_per_unit,
        _file_name,
        _line_number,
        dlt_load_id
    from flagged

)

select * from final
