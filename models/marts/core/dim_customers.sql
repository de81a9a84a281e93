-- The customer dimension, SCD type 2: one row per version of a customer account from the
-- `snap_oltp__customers` snapshot, valid from `valid_from` until `valid_to` (null = current).
-- The order-history columns are the account's current figures, repeated on every version
-- (type 1), so "customers by lifetime value" and "customers as they were" both work from here.
-- Personal data (name, e-mail, phone) stays out of the marts; `email_domain` comes from staging.
with

customer_versions as (

    select * from {{ ref('snap_oltp__customers') }}

),

order_history as (

    select * from {{ ref('int_customers_order_history') }}

),

versions_numbered as (

    select
        *,
        cast(row_number() over (
            partition by customer_id
            order by dbt_valid_from, dbt_scd_id
        ) as {{ dbt.type_bigint() }}) as version_number
    from customer_versions

),

final as (

    select
        versions_numbered.dbt_scd_id as customer_sk,
        versions_numbered.customer_id,
        versions_numbered.version_number,
        -- the first version reaches back to the account's creation: the snapshot only starts
        -- recording at the first build, but the account existed (with these values) since then
        case
            when versions_numbered.version_number = 1
                then least(versions_numbered.created_at, versions_numbered.dbt_valid_from)
            else versions_numbered.dbt_valid_from
        end as valid_from,
        versions_numbered.dbt_valid_to as valid_to,
        versions_numbered.dbt_valid_to is null as is_current,
        versions_numbered.canonical_customer_id,
        versions_numbered.is_duplicate_account,
        versions_numbered.has_valid_email,
        versions_numbered.email_domain,
        versions_numbered.country_code,
        versions_numbered.preferred_currency,
        versions_numbered.has_marketing_opt_in,
        versions_numbered.is_deleted,
        versions_numbered.created_at,
        versions_numbered.updated_at,
        versions_numbered.deleted_at,
        order_history.order_count,
        order_history.has_ordered,
        order_history.is_repeat_customer,
        order_history.first_order_id,
        order_history.first_order_channel,
        order_history.first_order_date,
        cast({{ dbt.date_trunc('month', 'order_history.first_order_date') }} as date) as cohort_month,
        order_history.last_order_date,
        order_history.lifetime_gross_revenue_usd,
        order_history.lifetime_net_revenue_usd
    from versions_numbered
    left join order_history
        on versions_numbered.customer_id = order_history.customer_id

)

select * from final
