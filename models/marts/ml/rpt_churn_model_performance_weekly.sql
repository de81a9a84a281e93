-- Realized performance of the churn model: per scoring week (Monday) and model version, how many
-- customers were scored, how many labels have matured, the realized churn rate against the mean
-- predicted probability (calibration) and the realized ROC AUC (null until both classes have
-- matured). ROC AUC is the Mann-Whitney statistic on the ranks of the scores (ties share their mean rank).
with

scores as (

    select * from {{ ref('fct_churn_scores') }}

),

calendar as (

    select * from {{ ref('dim_date') }}

),

weekly as (

    select
        calendar.week_start_date as scoring_week_start_date,
        scores.model_version,
        scores.churn_probability,
        scores.is_label_mature,
        scores.is_churned
    from scores
    inner join calendar
        on scores.scoring_date = calendar.date_day

),

ranked as (

    select
        scoring_week_start_date,
        model_version,
        is_churned,
        -- windows written out in full: Spark's WINDOW clause cannot build one window on another
        (
            rank() over (partition by scoring_week_start_date, model_version order by churn_probability asc)
            + count(*) over (partition by scoring_week_start_date, model_version)
            - rank() over (partition by scoring_week_start_date, model_version order by churn_probability desc)
            + 1
        ) / 2.0 as mean_rank
    from weekly
    where is_label_mature

),

rank_sums as (

    select
        scoring_week_start_date,
        model_version,
        sum(case when is_churned then 1 else 0 end) as churned_rows,
        sum(case when is_churned then 0 else 1 end) as retained_rows,
        sum(case when is_churned then mean_rank else 0 end) as churned_rank_sum
    from ranked
    group by scoring_week_start_date, model_version

),

totals as (

    select
        scoring_week_start_date,
        model_version,
        count(*) as scored_rows,
        sum(case when is_label_mature then 1 else 0 end) as mature_rows,
        avg(churn_probability) as mean_churn_probability,
        avg(case when is_label_mature then churn_probability end) as mature_mean_churn_probability,
        avg(case when is_label_mature then (case when is_churned then 1.0 else 0.0 end) end) as realized_churn_rate
    from weekly
    group by scoring_week_start_date, model_version

),

final as (

    select
        totals.scoring_week_start_date,
        totals.model_version,
        cast(totals.scored_rows as {{ dbt.type_bigint() }}) as scored_rows,
        cast(totals.mature_rows as {{ dbt.type_bigint() }}) as mature_rows,
        cast(totals.mean_churn_probability as {{ dbt.type_float() }}) as mean_churn_probability,
        cast(totals.mature_mean_churn_probability as {{ dbt.type_float() }}) as mature_mean_churn_probability,
        cast(totals.realized_churn_rate as {{ dbt.type_float() }}) as realized_churn_rate,
        cast(
            case
                when rank_sums.churned_rows > 0 and rank_sums.retained_rows > 0
                    then (rank_sums.churned_rank_sum - rank_sums.churned_rows * (rank_sums.churned_rows + 1) / 2.0)
                    / (rank_sums.churned_rows * rank_sums.retained_rows)
            end as {{ dbt.type_float() }}
        ) as realized_roc_auc
    from totals
    left join rank_sums
        on totals.scoring_week_start_date = rank_sums.scoring_week_start_date
        and totals.model_version = rank_sums.model_version

)

select * from final
