{#-
    Building blocks of the monitoring models (doc blocks monitoring__drift and monitoring__checks).
    Portable SQL: dbt's cross-database date macros, ln/sqrt/greatest and window sums.
-#}

{#-
    The days drift is measured on: for each monitored table, the last `check_days` days of the
    newest day profiled in any table, when the `reference_days` before it are all after the table's
    first profiled day (a table too young to have a full reference window is not judged yet).
-#}
{% macro monitoring_check_days(reference_days, check_days) -%}
    select
        tables.table_name,
        days.profile_date as check_date,
        cast({{ dbt.dateadd('day', -reference_days, 'days.profile_date') }} as date) as reference_start_date
    from (
        select distinct profile_date
        from {{ ref('mon_column_profiles_daily') }}
    ) as days
    cross join (
        select table_name, min(profile_date) as first_date
        from {{ ref('mon_column_profiles_daily') }}
        group by table_name
    ) as tables
    where days.profile_date > (
            select cast({{ dbt.dateadd('day', -check_days, 'max(profile_date)') }} as date)
            from {{ ref('mon_column_profiles_daily') }}
        )
        and cast({{ dbt.dateadd('day', -reference_days, 'days.profile_date') }} as date) >= tables.first_date
{%- endmacro %}

{#-
    From a relation of (check_date, table_name, column_name, column_kind, category_value,
    reference_rows, current_rows): per check date and column, the rows on each side, the number of
    categories seen, PSI and Jensen-Shannon divergence (base 2, 0..1) of the two share vectors,
    and each measure's sampling allowance.

    PSI = sum over categories of (current share - reference share) * ln(current / reference), where a
    category with no rows on one side counts as half a row there (share 0.5 / total), so it is rare
    instead of infinitely so, and a small day's empty bins do not alarm by themselves; identical
    shares give exactly 0.
    Sampling allowance: two samples of one distribution give PSI ~ (1/n_current + 1/n_reference) *
    chi-square with k - 1 degrees of freedom; the allowance is its mean plus three standard
    deviations, (1/n_c + 1/n_r) * ((k - 1) + 3 * sqrt(2 (k - 1))). JS divergence is about PSI / (8 ln 2)
    for small shifts, so its allowance is the PSI allowance scaled the same way.
-#}
{% macro monitoring_divergences(sides) -%}
, shares as (

    select
        check_date,
        table_name,
        column_name,
        column_kind,
        category_value,
        reference_rows,
        current_rows,
        sum(reference_rows) over (partition by check_date, table_name, column_name) as reference_total,
        sum(current_rows) over (partition by check_date, table_name, column_name) as current_total
    from {{ sides }}

),

proportions as (

    select
        *,
        {{ monitoring_float('reference_rows') }} / reference_total as reference_share,
        {{ monitoring_float('current_rows') }} / current_total as current_share
    from shares
    where reference_total > 0 and current_total > 0

),

terms as (

    select
        *,
        case when reference_rows = 0 then 0.5 / reference_total else reference_share end as reference_smoothed,
        case when current_rows = 0 then 0.5 / current_total else current_share end as current_smoothed,
        (reference_share + current_share) / 2 as mixture_share
    from proportions

),

measures as (

    select
        check_date,
        table_name,
        column_name,
        column_kind,
        max(reference_total) as reference_rows,
        max(current_total) as current_rows,
        count(*) as category_count,
        {{ monitoring_ordered_aggregate(
            'sum', '(current_smoothed - reference_smoothed) * ln(current_smoothed / reference_smoothed)', 'category_value'
        ) }} as psi,
        {{ monitoring_ordered_aggregate(
            'sum',
            'case when current_share > 0 then 0.5 * current_share * ln(current_share / mixture_share) else 0 end
            + case when reference_share > 0 then 0.5 * reference_share * ln(reference_share / mixture_share) else 0 end',
            'category_value'
        ) }} / ln(2) as js_divergence
    from terms
    group by 1, 2, 3, 4

)

select
    check_date,
    table_name,
    column_name,
    column_kind,
    reference_rows,
    current_rows,
    category_count,
    psi,
    js_divergence,
    (1.0 / current_rows + 1.0 / reference_rows)
        * ((category_count - 1) + 3 * sqrt(2.0 * (category_count - 1))) as psi_allowance,
    (1.0 / current_rows + 1.0 / reference_rows)
        * ((category_count - 1) + 3 * sqrt(2.0 * (category_count - 1))) / (8 * ln(2)) as js_allowance
from measures
{%- endmacro %}
