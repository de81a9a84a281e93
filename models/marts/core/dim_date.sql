{#- One row per calendar day from var calendar_start_date to calendar_end_date (dbt's date_spine): the date dimension every fact joins on. -#}

with

days as (

    {{ dbt.date_spine(
        datepart='day',
        start_date=date_var('calendar_start_date'),
        end_date=dbt.dateadd('day', 1, date_var('calendar_end_date'))
    ) }}

),

calendar as (

    select cast(date_day as date) as date_day
    from days

),

final as (

    select
        date_day,
        cast({{ dbt.date_trunc('week', 'date_day') }} as date) as week_start_date,
        cast({{ dbt.date_trunc('month', 'date_day') }} as date) as month_start_date,
        cast({{ dbt.date_trunc('quarter', 'date_day') }} as date) as quarter_start_date,
        cast({{ dbt.date_trunc('year', 'date_day') }} as date) as year_start_date,
        cast(extract(year from date_day) as integer) as year_number,
        cast(extract(quarter from date_day) as integer) as quarter_number,
        cast(extract(month from date_day) as integer) as month_number,
        cast(extract(day from date_day) as integer) as day_of_month,
        {{ iso_day_of_week('date_day') }} as iso_day_of_week,
        cast(extract(week from date_day) as integer) as iso_week_number,
        {{ iso_day_of_week('date_day') }} in (6, 7) as is_weekend
    from calendar

)

select * from final
