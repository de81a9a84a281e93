-- Every product ever listed (deleted ones included, so old orders keep their product) with its
-- category and top-level category, its current list price, and the stock of the latest inventory
-- snapshot summed over warehouses. One row per product_id.
with

products as (

    select * from {{ ref('stg_oltp__products') }}

),

categories as (

    select * from {{ ref('stg_oltp__categories') }}

),

inventory_snapshots as (

    select * from {{ ref('stg_lake__inventory_snapshots') }}

),

latest_snapshot_dates as (

    select
        product_id,
        max(snapshot_date) as stock_snapshot_date
    from inventory_snapshots
    group by product_id

),

latest_stock as (

    select
        inventory_snapshots.product_id,
        latest_snapshot_dates.stock_snapshot_date,
        cast(sum(inventory_snapshots.on_hand_quantity) as {{ dbt.type_bigint() }}) as on_hand_quantity,
        cast(sum(inventory_snapshots.available_quantity) as {{ dbt.type_bigint() }}) as available_quantity
    from inventory_snapshots
    inner join latest_snapshot_dates
        on inventory_snapshots.product_id = latest_snapshot_dates.product_id
        and inventory_snapshots.snapshot_date = latest_snapshot_dates.stock_snapshot_date
    group by
        inventory_snapshots.product_id,
        latest_snapshot_dates.stock_snapshot_date

),

final as (

    select
        products.product_id,
        products.sku,
        products.product_name,
        products.product_slug,
        products.brand,
        products.category_id,
        categories.category_name,
        coalesce(parent_categories.category_id, categories.category_id) as top_category_id,
        coalesce(parent_categories.category_name, categories.category_name) as top_category_name,
        products.list_price_usd,
        products.weight_grams,
        products.is_active,
        products.is_deleted,
        products.created_at,
        products.deleted_at,
        latest_stock.stock_snapshot_date,
        coalesce(latest_stock.on_hand_quantity, 0) as on_hand_quantity,
        coalesce(latest_stock.available_quantity, 0) as available_quantity
    from products
    left join categories
        on products.category_id = categories.category_id
    left join categories as parent_categories
        on categories.parent_category_id = parent_categories.category_id
    left join latest_stock
        on products.product_id = latest_stock.product_id

)

select * from final
