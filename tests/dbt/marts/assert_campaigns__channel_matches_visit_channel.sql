-- A campaign and the visits it paid for are in the same marketing channel: the
-- ad_network_channels seed must agree with channel_mapping. Returns visits where they differ.
with

sessions as (

    select * from {{ ref('int_sessions_attributed_to_campaigns') }}

),

campaigns as (

    select * from {{ ref('dim_campaigns') }}

),

mismatches as (

    select
        sessions.session_id,
        sessions.campaign_id,
        sessions.channel as visit_channel,
        campaigns.channel as campaign_channel
    from sessions
    inner join campaigns
        on sessions.campaign_id = campaigns.campaign_id
    where sessions.channel <> campaigns.channel

)

select * from mismatches
