{#-
    The per-column SQL of the monitoring models, generated from monitored_relations(): one select
    per monitored column, joined by union all (doc blocks monitoring__profiles,
    monitoring__category_counts, monitoring__drift). Portable SQL through the monitoring_* macros.
-#}

{#- Profile statistics of every monitored column per day; typed and empty when nothing is monitored. -#}
{% macro monitoring_profiles(tables) -%}
    {%- set statistics = ['min', 'max', 'mean', 'stddev', 'p05', 'p25', 'median', 'p75', 'p95'] -%}
    {%- set selects = [] -%}
    {%- for table in tables -%}
        {%- set day = quote_identifier(table.date_column, 'monitor_date_column of ' ~ table.model) -%}
        {%- for column in table.columns -%}
            {%- set value = quote_identifier(column.name, 'monitored column') -%}
            {%- set number = monitoring_float(value) -%}
            {%- set select -%}
    select
        cast({{ day }} as date) as profile_date,
        cast('{{ table.model }}' as {{ dbt.type_string() }}) as table_name,
        cast('{{ column.name }}' as {{ dbt.type_string() }}) as column_name,
        cast('{{ column.kind }}' as {{ dbt.type_string() }}) as column_kind,
        count(*) as row_count,
        count(*) - count({{ value }}) as null_count,
        {{ monitoring_float('count(*) - count(' ~ value ~ ')') }} / count(*) as null_rate,
        count(distinct {{ value }}) as distinct_count,
            {%- if column.kind == 'numeric' %}
        min({{ number }}) as min_value,
        max({{ number }}) as max_value,
        {{ monitoring_ordered_aggregate('avg', number, number) }} as mean_value,
        {{ monitoring_ordered_aggregate('stddev_samp', number, number) }} as stddev_value,
        {{ monitoring_quantile(number, 0.05) }} as p05_value,
        {{ monitoring_quantile(number, 0.25) }} as p25_value,
        {{ monitoring_quantile(number, 0.5) }} as median_value,
        {{ monitoring_quantile(number, 0.75) }} as p75_value,
        {{ monitoring_quantile(number, 0.95) }} as p95_value
            {%- else %}
                {%- for statistic in statistics %}
        {{ monitoring_float('null') }} as {{ statistic }}_value{{ ',' if not loop.last }}
                {%- endfor %}
            {%- endif %},
        {{ monitoring_profile_key(table.model ~ '.' ~ column.name, 'cast(' ~ day ~ ' as date)') }} as profile_key
    from {{ table.relation }}
    where {{ day }} is not null{{ monitoring_incremental_days(day, table.model, column.name) }}
    group by cast({{ day }} as date)
            {%- endset -%}
            {%- do selects.append(select) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if not selects -%}
        {%- set select -%}
    select
        cast(null as date) as profile_date,
        cast(null as {{ dbt.type_string() }}) as table_name,
        cast(null as {{ dbt.type_string() }}) as column_name,
        cast(null as {{ dbt.type_string() }}) as column_kind,
        cast(0 as {{ dbt.type_bigint() }}) as row_count,
        cast(0 as {{ dbt.type_bigint() }}) as null_count,
        {{ monitoring_float('null') }} as null_rate,
        cast(0 as {{ dbt.type_bigint() }}) as distinct_count,
            {%- for statistic in statistics %}
        {{ monitoring_float('null') }} as {{ statistic }}_value,
            {%- endfor %}
        cast(null as {{ dbt.type_string() }}) as profile_key
    where 1 = 0
        {%- endset -%}
        {%- do selects.append(select) -%}
    {%- endif -%}
    {{ selects | join('\n    union all\n') }}
{%- endmacro %}

{#- Rows per value of every monitored categorical column per day (null as '(null)'); typed and empty when none. -#}
{% macro monitoring_category_counts(tables) -%}
    {%- set selects = [] -%}
    {%- for table in tables -%}
        {%- set day = quote_identifier(table.date_column, 'monitor_date_column of ' ~ table.model) -%}
        {%- for column in table.columns | selectattr('kind', 'equalto', 'categorical') -%}
            {%- set select -%}
    select
        cast({{ day }} as date) as profile_date,
        cast('{{ table.model }}' as {{ dbt.type_string() }}) as table_name,
        cast('{{ column.name }}' as {{ dbt.type_string() }}) as column_name,
        {{ monitoring_category(quote_identifier(column.name, 'monitored column')) }} as category_value,
        count(*) as row_count,
        {{ monitoring_profile_key(
            table.model ~ '.' ~ column.name,
            'cast(' ~ day ~ ' as date)',
            monitoring_category(quote_identifier(column.name, 'monitored column'))
        ) }} as profile_key
    from {{ table.relation }}
    where {{ day }} is not null{{ monitoring_incremental_days(day, table.model, column.name) }}
    group by 1, 4
            {%- endset -%}
            {%- do selects.append(select) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if not selects -%}
        {%- set select -%}
    select
        cast(null as date) as profile_date,
        cast(null as {{ dbt.type_string() }}) as table_name,
        cast(null as {{ dbt.type_string() }}) as column_name,
        cast(null as {{ dbt.type_string() }}) as category_value,
        cast(0 as {{ dbt.type_bigint() }}) as row_count,
        cast(null as {{ dbt.type_string() }}) as profile_key
    where 1 = 0
        {%- endset -%}
        {%- do selects.append(select) -%}
    {%- endif -%}
    {{ selects | join('\n    union all\n') }}
{%- endmacro %}

{#-
    Ten-bin counts of every monitored numeric column on each check day and its reference window,
    the bins cut at the reference window's deciles: rows of (check_date, table_name, column_name,
    column_kind, category_value = 'decile_N', reference_rows, current_rows), as one select per
    column joined by union all; reads the CTE `check_days`. Typed and empty when none.
-#}
{% macro monitoring_numeric_sides(tables, check_days='check_days') -%}
    {%- set selects = [] -%}
    {%- for table in tables -%}
        {%- set day = quote_identifier(table.date_column, 'monitor_date_column of ' ~ table.model) -%}
        {%- for column in table.columns | selectattr('kind', 'equalto', 'numeric') -%}
            {%- set value = quote_identifier(column.name, 'monitored column') -%}
            {%- set select -%}
    select
        edges.check_date,
        cast('{{ table.model }}' as {{ dbt.type_string() }}) as table_name,
        cast('{{ column.name }}' as {{ dbt.type_string() }}) as column_name,
        cast('numeric' as {{ dbt.type_string() }}) as column_kind,
        case
            {%- for decile in range(1, 10) %}
            when observed.value <= edges.edge_{{ decile }} then 'decile_{{ decile }}'
            {%- endfor %}
            else 'decile_10'
        end as category_value,
        sum(case when observed.value_date < edges.check_date then 1 else 0 end) as reference_rows,
        sum(case when observed.value_date = edges.check_date then 1 else 0 end) as current_rows
    from (
        select
            deciles.check_date,
            deciles.reference_start_date,
            {%- for decile in range(1, 10) %}
            {{ monitoring_array_item('deciles.edges', decile) }} as edge_{{ decile }}{{ ',' if not loop.last }}
            {%- endfor %}
        from (
            select
                days.check_date,
                days.reference_start_date,
                {{ monitoring_quantiles('observed.value', [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]) }} as edges
            from {{ check_days }} as days
            inner join (
                select
                    cast({{ day }} as date) as value_date,
                    {{ monitoring_float(value) }} as value
                from {{ table.relation }}
                where {{ value }} is not null
            ) as observed
                on days.reference_start_date <= observed.value_date
                and days.check_date > observed.value_date
            where days.table_name = '{{ table.model }}'
            group by days.check_date, days.reference_start_date
        ) as deciles
    ) as edges
    inner join (
        select
            cast({{ day }} as date) as value_date,
            {{ monitoring_float(value) }} as value
        from {{ table.relation }}
        where {{ value }} is not null
    ) as observed
        on edges.reference_start_date <= observed.value_date
        and edges.check_date >= observed.value_date
    group by 1, 2, 3, 4, 5
            {%- endset -%}
            {%- do selects.append(select) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if not selects -%}
        {%- set select -%}
    select
        cast(null as date) as check_date,
        cast(null as {{ dbt.type_string() }}) as table_name,
        cast(null as {{ dbt.type_string() }}) as column_name,
        cast(null as {{ dbt.type_string() }}) as column_kind,
        cast(null as {{ dbt.type_string() }}) as category_value,
        cast(0 as {{ dbt.type_bigint() }}) as reference_rows,
        cast(0 as {{ dbt.type_bigint() }}) as current_rows
    where 1 = 0
        {%- endset -%}
        {%- do selects.append(select) -%}
    {%- endif -%}
    {{ selects | join('\n    union all\n') }}
{%- endmacro %}

{#-
    The key of a profile row (incremental strategy replace_window): `<model>.<column>/<day>`, plus
    `/<value>` for a category count; the prefix and the day's fixed width keep it unique.
-#}
{% macro monitoring_profile_key(column_path, day_expression, category_expression=none) -%}
    cast('{{ column_path }}/' as {{ dbt.type_string() }})
    || cast({{ day_expression }} as {{ dbt.type_string() }})
    {%- if category_expression is not none %}
    || '/' || {{ category_expression }}
    {%- endif %}
{%- endmacro %}

{#-
    On an incremental run of a profile model: only the days from the lookback cutoff (midnight
    var('incremental_lookback_days') days before the newest day profiled) on, or every day of a
    column not profiled yet (a column just declared `meta.monitor` gets its history). A day older
    than the cutoff keeps the profile it had: monitoring sees a day as it arrived (doc block
    monitoring__profiles). Renders nothing on a full build.
-#}
{% macro monitoring_incremental_days(day, model_name, column_name) -%}
    {%- if is_incremental() %}
        and (
            cast({{ day }} as date) >= (select cast({{ incremental_lookback_cutoff('profile_date') }} as date) from {{ this }})
            or not exists (
                select 1 from {{ this }} as profiled
                where profiled.table_name = '{{ model_name }}' and profiled.column_name = '{{ column_name }}'
            )
        )
    {%- endif %}
{%- endmacro %}

{#-
    The incremental predicate of the profile models (replace_window): besides each row the batch brings
    again (its key), every day of a (table, column) from the batch's first day of it on, so a day whose
    rows are gone from the table since its last profile goes too; days before that keep their profile
    (history, also of a table that holds only today).
-#}
{% macro monitoring_profile_days_replaced() -%}
    DBT_INTERNAL_DEST.profile_date >= (
        select min(batch.profile_date) from DBT_INTERNAL_SOURCE as batch
        where
            batch.table_name = DBT_INTERNAL_DEST.table_name
            and batch.column_name = DBT_INTERNAL_DEST.column_name
    )
{%- endmacro %}
