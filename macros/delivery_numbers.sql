{# Numbers the deliveries of each key (1 = the first delivery, 2+ = its copies): a rank without sorting every row when copies are rare. #}

{#-
    Renders a `select` of every column of `relation` plus `delivery_number`: the row's place among
    the rows sharing `partition_by`, ordered by `order_by`, for the rows where `condition` holds
    (null elsewhere). `row_key` identifies a row of `relation` (the columns must not be null).
-#}
{% macro delivery_numbers(relation, partition_by, order_by, row_key, condition='true') -%}
    {{ return(adapter.dispatch('delivery_numbers')(relation, partition_by, order_by, row_key, condition)) }}
{%- endmacro %}

{#- One window over all rows: the engine sorts every row with all its columns (Spark, which cannot
    keep a CTE for the three reads the narrow form needs, and any other engine). -#}
{% macro default__delivery_numbers(relation, partition_by, order_by, row_key, condition) -%}
    select
        *,
        case
            when {{ condition }}
                then row_number() over (
                    partition by {{ partition_by | join(', ') }}
                    order by {{ order_by }}
                )
        end as delivery_number
    from {{ relation }}
{%- endmacro %}

{#- DuckDB and PostgreSQL: the rows computed once (a materialized CTE), the keys counted with a
    hash aggregate, and the window only over the few rows whose key repeats, on the key columns
    alone; every other row is its key's first delivery. Half the time of the wide window on 1.3M
    clickstream events (the sort carried ~50 columns). -#}
{% macro duckdb__delivery_numbers(relation, partition_by, order_by, row_key, condition) -%}
    with

    delivered_rows as materialized (

        select * from {{ relation }}

    ),

    repeated_keys as (

        select
            {%- for column in partition_by %}
            {{ column }} as repeated_{{ loop.index }}{{ ',' if not loop.last }}
            {%- endfor %}
        from delivered_rows
        where {{ condition }}
        group by {{ partition_by | join(', ') }}
        having count(*) > 1

    ),

    repeat_deliveries as (

        select
            {%- for column in row_key %}
            delivered_rows.{{ column }} as repeat_{{ loop.index }},
            {%- endfor %}
            row_number() over (
                partition by {% for column in partition_by %}delivered_rows.{{ column }}{{ ', ' if not loop.last }}{% endfor %}
                order by {{ order_by }}
            ) as repeat_number
        from delivered_rows
        inner join repeated_keys
            on
            {%- for column in partition_by %}
            {% if not loop.first %}and {% endif %}delivered_rows.{{ column }} = repeated_keys.repeated_{{ loop.index }}
            {%- endfor %}
        where {{ condition }}

    )

    select
        delivered_rows.*,
        case when {{ condition }} then coalesce(repeat_deliveries.repeat_number, 1) end as delivery_number
    from delivered_rows
    left join repeat_deliveries
        on
        {%- for column in row_key %}
        {% if not loop.first %}and {% endif %}delivered_rows.{{ column }} = repeat_deliveries.repeat_{{ loop.index }}
        {%- endfor %}
{%- endmacro %}

{% macro postgres__delivery_numbers(relation, partition_by, order_by, row_key, condition) -%}
    {{ duckdb__delivery_numbers(relation, partition_by, order_by, row_key, condition) }}
{%- endmacro %}

{# Every row of `relation` plus `alias`: whether `flag` is true on any row of its `partition_by` group (a window's bool_or, without sorting every row). #}
{% macro partition_bool_or(relation, flag, partition_by, alias) -%}
    {{ return(adapter.dispatch('partition_bool_or')(relation, flag, partition_by, alias)) }}
{%- endmacro %}

{#- A window over all rows (Spark and any other engine). -#}
{% macro default__partition_bool_or(relation, flag, partition_by, alias) -%}
    select
        *,
        bool_or({{ flag }}) over (partition by {{ partition_by | join(', ') }}) as {{ alias }}
    from {{ relation }}
{%- endmacro %}

{#- DuckDB and PostgreSQL: the rows computed once (a materialized CTE), one hash aggregate per group
    joined back; the window sorted every row with all its columns (2.3 of 7.3 s of the web-log parse
    at SCALE 1). -#}
{% macro duckdb__partition_bool_or(relation, flag, partition_by, alias) -%}
    with

    partitioned_rows as materialized (

        select * from {{ relation }}

    ),

    partition_flags as (

        select
            {%- for column in partition_by %}
            {{ column }} as flag_partition_{{ loop.index }},
            {%- endfor %}
            bool_or({{ flag }}) as {{ alias }}
        from partitioned_rows
        group by {{ partition_by | join(', ') }}

    )

    select
        partitioned_rows.*,
        partition_flags.{{ alias }}
    from partitioned_rows
    left join partition_flags
        on
        {%- for column in partition_by %}
        {% if not loop.first %}and {% endif %}partitioned_rows.{{ column }} = partition_flags.flag_partition_{{ loop.index }}
        {%- endfor %}
{%- endmacro %}

{% macro postgres__partition_bool_or(relation, flag, partition_by, alias) -%}
    {{ duckdb__partition_bool_or(relation, flag, partition_by, alias) }}
{%- endmacro %}
