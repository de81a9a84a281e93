-- Spend survives staging exactly: per currency, sum(cost_micros) and the row count in staging
-- equal the raw table, and sum(cost) is exactly sum(cost_micros) / 1,000,000.
-- Returns one row per currency that does not reconcile. The raw side is the newest load of each
-- campaign and day: dlt merges them on DuckDB and PostgreSQL, but a destination without merge (the
-- filesystem destination Spark reads) keeps every re-fetched day, as staging's dedup expects.
with

raw_versions as (

    select
        *,
        row_number() over (
            -- "date" (a type name as a column) is quoted for every engine
            partition by campaign_id, "date"  -- noqa: RF06
            order by _dlt_load_id desc
        ) as version_rank
    from {{ source('adplatform', 'daily_metrics') }}

),

raw_metrics as (

    select * from raw_versions
    where version_rank = 1

),

staged_metrics as (

    select * from {{ ref('stg_adplatform__daily_metrics') }}

),

raw_totals as (

    select
        upper(currency) as currency,
        count(*) as raw_rows,
        sum(cost_micros) as raw_cost_micros
    from raw_metrics
    group by upper(currency)

),

staged_totals as (

    select
        currency,
        count(*) as staged_rows,
        sum(cost_micros) as staged_cost_micros,
        sum(cost) as staged_cost
    from staged_metrics
    group by currency

),

compared as (

    select
        coalesce(raw_totals.currency, staged_totals.currency) as currency,
        raw_totals.raw_rows,
        staged_totals.staged_rows,
        raw_totals.raw_cost_micros,
        staged_totals.staged_cost_micros,
        staged_totals.staged_cost
    from raw_totals
    full outer join staged_totals
        on raw_totals.currency = staged_totals.currency

),

failures as (

    select * from compared
    where raw_rows is null
        or staged_rows is null
        or raw_rows <> staged_rows
        or coalesce(raw_cost_micros, 0) <> coalesce(staged_cost_micros, 0)
        or coalesce(staged_cost, 0) * 1000000 <> coalesce(staged_cost_micros, 0)

)

select * from failures
