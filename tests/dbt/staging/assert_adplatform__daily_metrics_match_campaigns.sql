-- Each metrics row is billed in its campaign's currency, reports no more clicks than impressions,
-- and falls on or after the campaign's start date (spend converts with the campaign's currency).
-- Returns offending rows.
with

daily_metrics as (

    select * from {{ ref('stg_adplatform__daily_metrics') }}

),

campaigns as (

    select * from {{ ref('stg_adplatform__campaigns') }}

),

checked as (

    select
        daily_metrics.campaign_id,
        daily_metrics.report_date,
        daily_metrics.currency,
        campaigns.currency as campaign_currency,
        campaigns.start_date,
        daily_metrics.impressions,
        daily_metrics.clicks
    from daily_metrics
    inner join campaigns
        on daily_metrics.campaign_id = campaigns.campaign_id

),

failures as (

    select * from checked
    where currency <> campaign_currency
        or clicks > impressions
        or report_date < start_date

)

select * from failures
