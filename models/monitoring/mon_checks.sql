{#-
    Every monitoring check, one row per check date, table, column and measure, with its value, the
    warn and error thresholds it is judged against (the vars plus the sampling allowance) and its
    status (doc block monitoring__checks). The monitoring tests fail on this model's rows.
-#}

{%- set reference_days = integer_var('monitor_reference_days', 7) %}
{%- set weeks = reference_days // 7 %}
{%- set null_allowance = '3 * sqrt(pooled_rate * (1 - pooled_rate) * (1.0 / current_rows + 1.0 / reference_rows))' %}
{#- tables whose rows are the same units every day (config.meta.monitor_rows: snapshot): no sampling allowance -#}
{%- set snapshot_tables = [] %}
{%- for table in monitored_models() if table.rows == 'snapshot' %}{% do snapshot_tables.append(table.model) %}{% endfor %}
{%- set is_snapshot = "table_name in ('" ~ (snapshot_tables | join("', '")) ~ "')" if snapshot_tables else 'false' %}
{#- mean_change is judged on snapshot tables only, which have no sampling allowance -#}
{%- set mean_allowance = '0' %}
{%- set min_rows = integer_var('monitor_min_rows', 1) %}
{%- set in_reference = 'profiles.profile_date < check_days.check_date' %}
{%- set valued = '(profiles.row_count - profiles.null_count)' %}
{%- set reference_rows_sum = 'sum(case when table_rows.profile_date < check_days.check_date then table_rows.row_count end)' %}

with

drift as (

    select * from {{ ref('mon_column_drift_daily') }}

),

profiles as (

    select * from {{ ref('mon_column_profiles_daily') }}

),

schema_changes as (

    select * from {{ ref('mon_schema_changes') }}
    where is_latest_load

),

check_days as (

    {{ monitoring_check_days(reference_days, integer_var('monitor_check_days', 1)) }}

),

-- nulls: the share on the day against the share over the reference window
null_sides as (

    select
        check_days.check_date,
        profiles.table_name,
        profiles.column_name,
        profiles.column_kind,
        sum(case when profiles.profile_date < check_days.check_date then profiles.null_count else 0 end)
            as reference_nulls,
        sum(case when profiles.profile_date < check_days.check_date then profiles.row_count else 0 end)
            as reference_rows,
        sum(case when profiles.profile_date = check_days.check_date then profiles.null_count else 0 end)
            as current_nulls,
        sum(case when profiles.profile_date = check_days.check_date then profiles.row_count else 0 end)
            as current_rows
    from check_days
    inner join profiles
        on check_days.table_name = profiles.table_name
        and check_days.check_date >= profiles.profile_date
        and check_days.reference_start_date <= profiles.profile_date
    group by check_days.check_date, profiles.table_name, profiles.column_name, profiles.column_kind

),

null_rates as (

    select
        check_date,
        table_name,
        column_name,
        column_kind,
        reference_rows,
        current_rows,
        {{ monitoring_float('reference_nulls') }} / reference_rows as reference_rate,
        {{ monitoring_float('current_nulls') }} / current_rows as current_rate,
        {{ monitoring_float('reference_nulls + current_nulls') }} / (reference_rows + current_rows) as pooled_rate
    from null_sides
    where reference_rows > 0 and current_rows > 0

),

-- means of numbers: the day's mean against the reference window's (row-weighted)
mean_sides as (

    select
        check_days.check_date,
        profiles.table_name,
        profiles.column_name,
        profiles.column_kind,
        sum(
            case when profiles.profile_date < check_days.check_date then profiles.row_count - profiles.null_count end
        ) as reference_rows,
        sum(
            case when profiles.profile_date = check_days.check_date then profiles.row_count - profiles.null_count end
        ) as current_rows,
        {{ monitoring_ordered_aggregate(
            'sum',
            'case when ' ~ in_reference ~ ' then ' ~ valued ~ ' * profiles.mean_value end',
            'profiles.profile_date'
        ) }} as reference_sum,
        max(case when profiles.profile_date = check_days.check_date then profiles.mean_value end) as current_mean
    from check_days
    inner join profiles
        on check_days.table_name = profiles.table_name
        and check_days.check_date >= profiles.profile_date
        and check_days.reference_start_date <= profiles.profile_date
    where profiles.column_kind = 'numeric'
    group by check_days.check_date, profiles.table_name, profiles.column_name, profiles.column_kind

),

means as (

    select
        check_date,
        table_name,
        column_name,
        column_kind,
        current_rows,
        current_mean,
        reference_sum / reference_rows as reference_mean
    from mean_sides
    where
        reference_rows > 0 and current_rows > 0 and current_mean is not null and reference_sum <> 0
        -- snapshots only: in a sample the mean of a skewed number at a few rows a day is noise that PSI
        -- already judges with its allowance; in a snapshot any change of the mean is a change of the units
        and {{ is_snapshot }}

),

-- volume: rows on the day against the mean of the same weekday in the reference window
table_rows as (

    select
        table_name,
        profile_date,
        {{ monitoring_day_of_week('profile_date') }} as day_of_week,
        max(row_count) as row_count
    from profiles
    group by table_name, profile_date

),

volume_sides as (

    select
        check_days.check_date,
        check_days.table_name,
        coalesce(sum(case when table_rows.profile_date = check_days.check_date then table_rows.row_count end), 0)
            as current_rows,
        {{ monitoring_float('coalesce(' ~ reference_rows_sum ~ ', 0)') }} / {{ weeks }} as expected_rows
    from check_days
    left join table_rows
        on check_days.table_name = table_rows.table_name
        and check_days.check_date >= table_rows.profile_date
        and {{ dbt.dateadd('day', -(weeks * 7), 'check_days.check_date') }} <= table_rows.profile_date
        and {{ monitoring_day_of_week('check_days.check_date') }} = table_rows.day_of_week
    group by check_days.check_date, check_days.table_name

),

-- freshness: days since the table's newest row, on each check day, against the longest quiet spell (days
-- without rows between two days with rows) of the reference window; a spell still open is not part of
-- the reference, so an outage does not raise its own threshold. A table that stops arriving is caught
-- even when it is too small for a volume check.
row_days as (

    select
        table_name,
        profile_date,
        {{ dbt.datediff(
            'lag(profile_date) over (partition by table_name order by profile_date)', 'profile_date', 'day'
        ) }} - 1 as quiet_days_before
    from table_rows
    where row_count > 0

),

freshness_sides as (

    select
        check_days.check_date,
        check_days.table_name,
        {{ dbt.datediff(
            'max(row_days.profile_date)', 'check_days.check_date', 'day'
        ) }} as current_lag_days,
        coalesce(max(
            case when row_days.profile_date < check_days.check_date then row_days.quiet_days_before end
        ), 0) as usual_lag_days
    from check_days
    inner join row_days
        on check_days.table_name = row_days.table_name
        and check_days.check_date >= row_days.profile_date
        and check_days.reference_start_date <= row_days.profile_date
    group by check_days.check_date, check_days.table_name

),

checks as (

    {#- the two drift measures of mon_column_drift_daily: <measure>, <prefix>_allowance, vars monitor_<prefix>_warn/_error -#}
    {%- for measure, prefix in [('psi', 'psi'), ('js_divergence', 'js')] %}
    select
        check_date,
        table_name,
        column_name,
        column_kind,
        '{{ measure }}' as measure,
        {{ measure }} as measure_value,
        {%- set allowance = 'case when ' ~ is_snapshot ~ ' then 0 else ' ~ prefix ~ '_allowance end' %}
        {{ allowance }} as allowance,
        {{ monitoring_threshold('monitor_' ~ prefix ~ '_warn') }} + {{ allowance }} as warn_threshold,
        {{ monitoring_threshold('monitor_' ~ prefix ~ '_error') }} + {{ allowance }} as error_threshold,
        current_rows,
        reference_rows as reference_value
    from drift
    -- too few rows on the day for a distribution to be judged (the null share still is)
    where current_rows >= {{ min_rows }}

    union all

    {%- endfor %}

    select
        check_date,
        table_name,
        column_name,
        column_kind,
        'null_rate_change' as measure,
        abs(current_rate - reference_rate) as measure_value,
        {{ null_allowance }} as allowance,
        {{ monitoring_threshold('monitor_null_rate_warn') }} + {{ null_allowance }} as warn_threshold,
        {{ monitoring_threshold('monitor_null_rate_error') }} + {{ null_allowance }} as error_threshold,
        current_rows,
        reference_rate as reference_value
    from null_rates

    union all

    select
        check_date,
        table_name,
        column_name,
        column_kind,
        'mean_change' as measure,
        abs(current_mean - reference_mean) / abs(reference_mean) as measure_value,
        {{ mean_allowance }} as allowance,
        {{ monitoring_threshold('monitor_mean_warn') }} + {{ mean_allowance }} as warn_threshold,
        {{ monitoring_threshold('monitor_mean_error') }} + {{ mean_allowance }} as error_threshold,
        current_rows,
        reference_mean as reference_value
    from means

    union all

    -- schema changes of the newest load of each dataset, judged on the newest check day: a new
    -- table warns, a new or retyped column of a table the previous load already had is an error
    select
        (select max(check_date) from check_days) as check_date,
        table_name,
        column_name,
        'schema' as column_kind,
        'schema_change' as measure,
        1 as measure_value,
        0 as allowance,
        0 as warn_threshold,
        case when change_kind = 'table_added' then 1 else 0 end as error_threshold,
        0 as current_rows,
        null as reference_value
    from schema_changes
    where exists (select 1 from check_days)

    union all

    select
        check_date,
        table_name,
        '*' as column_name,
        'table' as column_kind,
        'volume_change' as measure,
        abs(ln((current_rows + 1) / (expected_rows + 1))) as measure_value,
        3 / sqrt(expected_rows + 1) as allowance,
        ln({{ monitoring_threshold('monitor_volume_warn_factor') }}) + 3 / sqrt(expected_rows + 1) as warn_threshold,
        ln({{ monitoring_threshold('monitor_volume_error_factor') }}) + 3 / sqrt(expected_rows + 1) as error_threshold,
        current_rows,
        expected_rows as reference_value
    from volume_sides
    -- a few rows a day, on the day and in the reference, are too few to tell a drop or a surge from chance
    -- (rows come in clusters, an order's items): a table that small has no volume check
    where current_rows >= {{ min_rows }} or expected_rows >= {{ min_rows }}

    union all

    -- warns past the reference's longest quiet spell, errors past twice that plus a day (a daily table:
    -- one missing day warns, two are an error)
    select
        freshness_sides.check_date,
        freshness_sides.table_name,
        '*' as column_name,
        'table' as column_kind,
        'freshness_lag' as measure,
        freshness_sides.current_lag_days as measure_value,
        0 as allowance,
        freshness_sides.usual_lag_days as warn_threshold,
        2 * freshness_sides.usual_lag_days + 1 as error_threshold,
        volume_sides.current_rows,
        freshness_sides.usual_lag_days as reference_value
    from freshness_sides
    inner join volume_sides
        on freshness_sides.check_date = volume_sides.check_date
        and freshness_sides.table_name = volume_sides.table_name

),

latest as (

    select max(check_date) as latest_check_date
    from checks

),

final as (

    select
        checks.check_date,
        cast(checks.table_name as {{ dbt.type_string() }}) as table_name,
        cast(checks.column_name as {{ dbt.type_string() }}) as column_name,
        cast(checks.column_kind as {{ dbt.type_string() }}) as column_kind,
        cast(checks.measure as {{ dbt.type_string() }}) as measure,
        {{ monitoring_float('checks.measure_value') }} as measure_value,
        {{ monitoring_float('checks.allowance') }} as allowance,
        {{ monitoring_float('checks.warn_threshold') }} as warn_threshold,
        {{ monitoring_float('checks.error_threshold') }} as error_threshold,
        case
            when checks.measure_value > checks.error_threshold then 'error'
            when checks.measure_value > checks.warn_threshold then 'warn'
            else 'ok'
        end as check_status,
        checks.check_date = latest.latest_check_date as is_latest_check,
        checks.current_rows,
        {{ monitoring_float('checks.reference_value') }} as reference_value
    from checks
    cross join latest

)

select * from final
