-- Paid marketing per month: each ad campaign, each marketing channel (subtotal over its campaigns)
-- and all paid channels together, from fct_ad_performance_daily: spend, reach, visits, orders and
-- net revenue attributed first-touch and last-touch, and the ratios (CTR, CPC, ROAS, CAC) computed
-- from the summed parts of each row, so subtotal ratios are correct (never averages of ratios).
with

ad_performance as (

    select * from {{ ref('fct_ad_performance_daily') }}

),

campaigns as (

    select * from {{ ref('dim_campaigns') }}

),

campaign_days as (

    select
        cast({{ dbt.date_trunc('month', 'ad_performance.report_date') }} as date) as report_month,
        coalesce(campaigns.channel, 'Other') as channel,
        ad_performance.campaign_id,
        ad_performance.cost_usd,
        ad_performance.impressions,
        ad_performance.clicks,
        ad_performance.session_count,
        ad_performance.first_touch_order_count,
        ad_performance.first_touch_new_customer_count,
        ad_performance.first_touch_net_revenue_usd,
        ad_performance.last_touch_order_count,
        ad_performance.last_touch_new_customer_count,
        ad_performance.last_touch_net_revenue_usd
    from ad_performance
    left join campaigns
        on ad_performance.campaign_id = campaigns.campaign_id

),

-- campaign, channel subtotal and all-channels total per month (grouping sets and one-argument
-- grouping() are portable SQL, see rpt_daily_revenue_cube)
rolled_up as (

    select
        report_month,
        channel,
        campaign_id,
        grouping(channel) as is_all_channels_grouping,
        grouping(campaign_id) as is_all_campaigns_grouping,
        cast(sum(cost_usd) as decimal(18, 6)) as spend_usd,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(session_count) as session_count,
        sum(first_touch_order_count) as first_touch_order_count,
        sum(first_touch_new_customer_count) as first_touch_new_customer_count,
        sum(first_touch_net_revenue_usd) as first_touch_net_revenue_usd,
        sum(last_touch_order_count) as last_touch_order_count,
        sum(last_touch_new_customer_count) as last_touch_new_customer_count,
        sum(last_touch_net_revenue_usd) as last_touch_net_revenue_usd
    from campaign_days
    -- sqlfluff 4.4's duckdb dialect cannot parse `group by grouping sets` (its ansi and postgres dialects can)
    group by grouping sets (  -- noqa: PRS
        (report_month, channel, campaign_id),
        (report_month, channel),
        (report_month)
    )

),

labelled as (

    select
        rolled_up.*,
        case
            when rolled_up.is_all_channels_grouping = 1 then 'total'
            when rolled_up.is_all_campaigns_grouping = 1 then 'channel'
            else 'campaign'
        end as grain
    from rolled_up

),

final as (

    select
        {{ surrogate_key(['labelled.grain', 'labelled.report_month', 'labelled.channel', 'labelled.campaign_id']) }}
            as marketing_performance_id,
        labelled.grain,
        labelled.report_month,
        case when labelled.is_all_channels_grouping = 1 then '(all)' else labelled.channel end as channel,
        labelled.campaign_id,
        case
            when labelled.is_all_campaigns_grouping = 1 then '(all)' else campaigns.campaign_name
        end as campaign_name,
        campaigns.network,
        campaigns.currency as campaign_currency,
        labelled.spend_usd,
        cast(labelled.impressions as {{ dbt.type_bigint() }}) as impressions,
        cast(labelled.clicks as {{ dbt.type_bigint() }}) as clicks,
        {{ divide_or_null('labelled.clicks', 'labelled.impressions', 6) }} as click_through_rate,
        {{ divide_or_null('labelled.spend_usd', 'labelled.clicks', 4) }} as cost_per_click_usd,
        cast(labelled.session_count as {{ dbt.type_bigint() }}) as session_count,
        cast(labelled.first_touch_order_count as {{ dbt.type_bigint() }}) as first_touch_order_count,
        cast(labelled.first_touch_new_customer_count as {{ dbt.type_bigint() }})
            as first_touch_new_customer_count,
        cast(labelled.first_touch_net_revenue_usd as decimal(18, 2)) as first_touch_net_revenue_usd,
        {{ divide_or_null('labelled.first_touch_net_revenue_usd', 'labelled.spend_usd', 4) }}
            as first_touch_roas,
        {{ divide_or_null('labelled.spend_usd', 'labelled.first_touch_new_customer_count', 4) }}
            as first_touch_cac_usd,
        cast(labelled.last_touch_order_count as {{ dbt.type_bigint() }}) as last_touch_order_count,
        cast(labelled.last_touch_new_customer_count as {{ dbt.type_bigint() }})
            as last_touch_new_customer_count,
        cast(labelled.last_touch_net_revenue_usd as decimal(18, 2)) as last_touch_net_revenue_usd,
        {{ divide_or_null('labelled.last_touch_net_revenue_usd', 'labelled.spend_usd', 4) }}
            as last_touch_roas,
        {{ divide_or_null('labelled.spend_usd', 'labelled.last_touch_new_customer_count', 4) }}
            as last_touch_cac_usd
    from labelled
    left join campaigns
        on labelled.campaign_id = campaigns.campaign_id

)

select * from final
