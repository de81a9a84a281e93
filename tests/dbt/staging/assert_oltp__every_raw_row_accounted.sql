-- Every OLTP row reaches staging exactly once: per table, the staging model has one row per
-- distinct primary key of the raw table (nothing dropped, nothing fanned out by a join).
-- Returns one row per table that does not reconcile.
{%- set tables = [
    ('categories', 'category_id', 'stg_oltp__categories'),
    ('products', 'product_id', 'stg_oltp__products'),
    ('customers', 'customer_id', 'stg_oltp__customers'),
    ('addresses', 'address_id', 'stg_oltp__addresses'),
    ('orders', 'order_id', 'stg_oltp__orders'),
    ('order_items', 'order_item_id', 'stg_oltp__order_items'),
    ('order_status_history', 'order_status_history_id', 'stg_oltp__order_status_history'),
    ('payments', 'payment_id', 'stg_oltp__payments'),
    ('refunds', 'refund_id', 'stg_oltp__refunds'),
] %}

with

{% for table_name, key, model in tables %}
{{ table_name }}_counts as (

    select
        '{{ table_name }}' as table_name,
        (select count(distinct {{ key }}) from {{ source('oltp', table_name) }}) as raw_keys,
        (select count(*) from {{ ref(model) }}) as staged_rows

),

{% endfor %}
counts as (

    {% for table_name, key, model in tables %}
    select * from {{ table_name }}_counts
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

mismatches as (

    select * from counts
    where raw_keys <> staged_rows

)

select * from mismatches
