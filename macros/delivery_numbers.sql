{# Numbers the deliveries of each key (1 = the first delivery, 2+ = its copies): a rank without sorting every row when copies are rare. #}

{#-
    Renders a `select` of every column of `relation` plus `delivery_number`: the row's place among
    the rows sharing `partition_by`, ordered by `order_by`, for the rows where `condition` holds
    (null elsewhere). `row_key` identifies a row of `relation` (the columns must not be null).
    `keys` (required) is a narrow relation with the same rows as `relation` but only the columns
    that `partition_by`, `order_by`, `row_key` and `condition` read: the numbering runs on it, and
    `relation` is read once, as a stream, instead of being held whole.
-#}
{% macro delivery_numbers(relation, partition_by, order_by, row_key, condition='true', keys=none) -%}
    {%- if keys is none -%}
        {{ exceptions.raise_compiler_error(
            "delivery_numbers: pass keys=, a relation of the same rows with only the columns that "
            ~ "partition_by, order_by, row_key and condition read (see macros/delivery_numbers.yml)"
        ) }}
    {%- endif -%}
    {{ return(adapter.dispatch('delivery_numbers')(relation, partition_by, order_by, row_key, condition, keys)) }}
{%- endmacro %}

{#- One window over all rows: the engine sorts every row with all its columns (Spark, where the sort
    is distributed, and any other engine); `keys` is not needed. -#}
{% macro default__delivery_numbers(relation, partition_by, order_by, row_key, condition, keys) -%}
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

{#- DuckDB and PostgreSQL: the keys computed once (a materialized CTE), counted with a hash aggregate,
    the window only over the few rows whose key repeats, on the key columns alone, joined back to
    `relation` (a small build side); every other row is its key's first delivery. -#}
{% macro duckdb__delivery_numbers(relation, partition_by, order_by, row_key, condition, keys) -%}
    with

    delivered_keys as materialized (

        select * from {{ keys }}

    ),

    repeated_keys as (

        select
            {%- for column in partition_by %}
            {{ column }} as repeated_{{ loop.index }}{{ ',' if not loop.last }}
            {%- endfor %}
        from delivered_keys
        where {{ condition }}
        group by {{ partition_by | join(', ') }}
        having count(*) > 1

    ),

    repeat_deliveries as (

        select
            {%- for column in row_key %}
            delivered_keys.{{ column }} as repeat_{{ loop.index }},
            {%- endfor %}
            row_number() over (
                partition by {% for column in partition_by %}delivered_keys.{{ column }}{{ ', ' if not loop.last }}{% endfor %}
                order by {{ order_by }}
            ) as repeat_number
        from delivered_keys
        where {{ condition }}
            -- a semi join: estimated no larger than the keys, so the join below builds its hash table
            -- on these few rows (an inner join on two columns was estimated at 8x the keys' rows,
            -- and DuckDB then built it on every parsed row)
            and exists (
                select 1
                from repeated_keys
                where
                    {%- for column in partition_by %}
                    {% if not loop.first %}and {% endif %}delivered_keys.{{ column }} = repeated_keys.repeated_{{ loop.index }}
                    {%- endfor %}
            )

    )

    select
        delivered_rows.*,
        case when {{ condition }} then coalesce(repeat_deliveries.repeat_number, 1) end as delivery_number
    from {{ relation }} as delivered_rows
    left join repeat_deliveries
        on
        {%- for column in row_key %}
        {% if not loop.first %}and {% endif %}delivered_rows.{{ column }} = repeat_deliveries.repeat_{{ loop.index }}
        {%- endfor %}
{%- endmacro %}

{% macro postgres__delivery_numbers(relation, partition_by, order_by, row_key, condition, keys) -%}
    {{ duckdb__delivery_numbers(relation, partition_by, order_by, row_key, condition, keys) }}
{%- endmacro %}
