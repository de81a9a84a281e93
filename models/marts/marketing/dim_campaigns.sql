-- Every ad campaign the ad platform reports, with the marketing channel its clicks land in (the
-- `ad_network_channels` seed: the network's UTM medium and the channel of `channel_mapping`).
-- One row per campaign_id.
with

campaigns as (

    select * from {{ ref('stg_adplatform__campaigns') }}

),

ad_network_channels as (

    select * from {{ ref('ad_network_channels') }}

),

daily_metrics as (

    select * from {{ ref('stg_adplatform__daily_metrics') }}

),

activity as (

    select
        campaign_id,
        min(report_date) as first_report_date,
        max(report_date) as last_report_date
    from daily_metrics
    group by campaign_id

),

final as (

    select
        campaigns.campaign_id,
        campaigns.campaign_name,
        campaigns.utm_campaign,
        campaigns.network,
        coalesce(ad_network_channels.channel, 'Other') as channel,
        campaigns.objective,
        campaigns.campaign_status,
        campaigns.currency,
        campaigns.daily_budget,
        campaigns.start_date,
        campaigns.end_date,
        activity.first_report_date,
        activity.last_report_date,
        campaigns.created_at,
        campaigns.updated_at
    from campaigns
    left join ad_network_channels
        on campaigns.network = ad_network_channels.network
    left join activity
        on campaigns.campaign_id = activity.campaign_id

)

select * from final
