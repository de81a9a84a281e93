-- Ad spend in the marts is what the ad platform reported: per currency, sum(cost_micros) of
-- fct_ad_performance_daily equals stg_adplatform__daily_metrics, and the spend of
-- rpt_marketing_performance (each grain) equals the fact's cost_usd. Returns what differs.
with

ad_performance as (

    select * from {{ ref('fct_ad_performance_daily') }}

),

daily_metrics as (

    select * from {{ ref('stg_adplatform__daily_metrics') }}

),

marketing_performance as (

    select * from {{ ref('rpt_marketing_performance') }}

),

mart_costs as (

    select
        currency,
        sum(cost_micros) as cost_micros
    from ad_performance
    group by currency

),

platform_costs as (

    select
        currency,
        sum(cost_micros) as cost_micros
    from daily_metrics
    group by currency

),

currency_failures as (

    select
        coalesce(mart_costs.currency, platform_costs.currency) as check_key,
        cast(mart_costs.cost_micros as {{ dbt.type_numeric() }}) as mart_value,
        cast(platform_costs.cost_micros as {{ dbt.type_numeric() }}) as expected_value
    from mart_costs
    full outer join platform_costs
        on mart_costs.currency = platform_costs.currency
    where mart_costs.currency is null
        or platform_costs.currency is null
        or mart_costs.cost_micros <> platform_costs.cost_micros

),

report_spend as (

    select
        grain,
        sum(spend_usd) as spend_usd
    from marketing_performance
    group by grain

),

fact_spend as (

    select coalesce(sum(cost_usd), 0) as spend_usd
    from ad_performance

),

report_failures as (

    select
        'rpt_marketing_performance grain ' || report_spend.grain as check_key,
        cast(report_spend.spend_usd as {{ dbt.type_numeric() }}) as mart_value,
        cast(fact_spend.spend_usd as {{ dbt.type_numeric() }}) as expected_value
    from report_spend
    cross join fact_spend
    where report_spend.spend_usd <> fact_spend.spend_usd

),

failures as (

    select * from currency_failures
    union all
    select * from report_failures

)

select * from failures
