-- One row per campaign and day: what the ad platform reports (impressions, clicks, platform
-- conversions, cost in the campaign's currency and in US dollars) next to what the shop saw from
-- that campaign (paid sessions, and orders and revenue attributed first-touch and last-touch).
-- Days with sessions or attributed orders but no platform report are kept (zero spend).
with

daily_metrics as (

    select * from {{ ref('stg_adplatform__daily_metrics') }}

),

campaigns as (

    select * from {{ ref('stg_adplatform__campaigns') }}

),

fx_rates as (

    select * from {{ ref('stg_lake__fx_rates') }}

),

sessions as (

    select * from {{ ref('int_sessions_attributed_to_campaigns') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

sessions_per_day as (

    select
        campaign_id,
        session_start_date as report_date,
        count(*) as session_count,
        cast(
            sum(case when has_purchase then 1 else 0 end)
            as {{ dbt.type_bigint() }}
        ) as purchasing_session_count
    from sessions
    where campaign_id is not null
    group by
        campaign_id,
        session_start_date

),

last_touch_orders as (

    select
        last_touch_campaign_id as campaign_id,
        order_date as report_date,
        count(*) as order_count,
        cast(
            sum(case when is_first_order then 1 else 0 end)
            as {{ dbt.type_bigint() }}
        ) as new_customer_count,
        sum(net_amount_usd) as net_revenue_usd
    from orders
    where last_touch_campaign_id is not null
    group by
        last_touch_campaign_id,
        order_date

),

first_touch_orders as (

    select
        first_touch_campaign_id as campaign_id,
        order_date as report_date,
        count(*) as order_count,
        cast(
            sum(case when is_first_order then 1 else 0 end)
            as {{ dbt.type_bigint() }}
        ) as new_customer_count,
        sum(net_amount_usd) as net_revenue_usd
    from orders
    where first_touch_campaign_id is not null
    group by
        first_touch_campaign_id,
        order_date

),

campaign_days as (

    select
        campaign_id,
        report_date
    from daily_metrics
    union
    select
        campaign_id,
        report_date
    from sessions_per_day
    union
    select
        campaign_id,
        report_date
    from last_touch_orders
    union
    select
        campaign_id,
        report_date
    from first_touch_orders

),

final as (

    select
        {{ surrogate_key(['campaign_days.campaign_id', 'campaign_days.report_date']) }} as ad_performance_id,
        campaign_days.campaign_id,
        campaign_days.report_date,
        campaigns.currency,
        coalesce(daily_metrics.impressions, 0) as impressions,
        coalesce(daily_metrics.clicks, 0) as clicks,
        coalesce(daily_metrics.conversions, 0) as platform_conversions,
        coalesce(daily_metrics.cost_micros, 0) as cost_micros,
        cast(coalesce(daily_metrics.cost, 0) as decimal(18, 6)) as cost,
        fx_rates.usd_per_unit,
        cast(
            round(coalesce(daily_metrics.cost, 0) * fx_rates.usd_per_unit, 6) as decimal(18, 6)
        ) as cost_usd,
        coalesce(sessions_per_day.session_count, 0) as session_count,
        coalesce(sessions_per_day.purchasing_session_count, 0) as purchasing_session_count,
        coalesce(last_touch_orders.order_count, 0) as last_touch_order_count,
        coalesce(last_touch_orders.new_customer_count, 0) as last_touch_new_customer_count,
        cast(coalesce(last_touch_orders.net_revenue_usd, 0) as decimal(12, 2))
            as last_touch_net_revenue_usd,
        coalesce(first_touch_orders.order_count, 0) as first_touch_order_count,
        coalesce(first_touch_orders.new_customer_count, 0) as first_touch_new_customer_count,
        cast(coalesce(first_touch_orders.net_revenue_usd, 0) as decimal(12, 2))
            as first_touch_net_revenue_usd,
        daily_metrics.campaign_id is not null as has_platform_report
    from campaign_days
    left join campaigns
        on campaign_days.campaign_id = campaigns.campaign_id
    left join daily_metrics
        on campaign_days.campaign_id = daily_metrics.campaign_id
        and campaign_days.report_date = daily_metrics.report_date
    left join fx_rates
        on campaign_days.report_date = fx_rates.rate_date
        and campaigns.currency = fx_rates.currency
    left join sessions_per_day
        on campaign_days.campaign_id = sessions_per_day.campaign_id
        and campaign_days.report_date = sessions_per_day.report_date
    left join last_touch_orders
        on campaign_days.campaign_id = last_touch_orders.campaign_id
        and campaign_days.report_date = last_touch_orders.report_date
    left join first_touch_orders
        on campaign_days.campaign_id = first_touch_orders.campaign_id
        and campaign_days.report_date = first_touch_orders.report_date

)

select * from final
