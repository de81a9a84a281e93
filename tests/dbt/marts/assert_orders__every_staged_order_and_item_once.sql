-- Every order and every order line of staging is in the facts exactly once, and the facts hold
-- nothing else: fct_orders per order_id, fct_order_items per order_item_id. Returns the ids that
-- are missing, duplicated or unknown to staging.
with

staged_orders as (

    select * from {{ ref('stg_oltp__orders') }}

),

staged_order_items as (

    select * from {{ ref('stg_oltp__order_items') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

order_items as (

    select * from {{ ref('fct_order_items') }}

),

order_counts as (

    select
        order_id,
        count(*) as fact_rows
    from orders
    group by order_id

),

order_item_counts as (

    select
        order_item_id,
        count(*) as fact_rows
    from order_items
    group by order_item_id

),

order_failures as (

    select
        'order' as entity,
        coalesce(staged_orders.order_id, order_counts.order_id) as id,
        coalesce(order_counts.fact_rows, 0) as fact_rows,
        staged_orders.order_id is not null as is_staged
    from staged_orders
    full outer join order_counts
        on staged_orders.order_id = order_counts.order_id
    where staged_orders.order_id is null
        or coalesce(order_counts.fact_rows, 0) <> 1

),

order_item_failures as (

    select
        'order_item' as entity,
        coalesce(staged_order_items.order_item_id, order_item_counts.order_item_id) as id,
        coalesce(order_item_counts.fact_rows, 0) as fact_rows,
        staged_order_items.order_item_id is not null as is_staged
    from staged_order_items
    full outer join order_item_counts
        on staged_order_items.order_item_id = order_item_counts.order_item_id
    where staged_order_items.order_item_id is null
        or coalesce(order_item_counts.fact_rows, 0) <> 1

),

failures as (

    select * from order_failures
    union all
    select * from order_item_failures

)

select * from failures
