-- Leakage: the point-in-time features of an as-of date must not read anything after it. The latest
-- as-of date with a mature label (else the first one) is recomputed by the same macro from inputs cut
-- off at that date: orders placed and visits started after it removed, customer versions as they
-- stood at its end, and only the immutable columns of each input kept (a feature that reads a column
-- that changes later, such as an order's status, does not compile here). Any row that differs from
-- the model's rows of that date is a leak and fails the test.
with

snapshots as (

    select * from {{ ref('mrt_customer_snapshots_weekly') }}

),

check_date as (

    select coalesce(max(case when is_label_mature then as_of_date end), min(as_of_date)) as as_of_date
    from snapshots

),

customers_known as (

    select
        customers.customer_id,
        customers.country_code,
        customers.has_marketing_opt_in,
        customers.is_deleted,
        customers.created_at,
        customers.valid_from,
        case when cast(customers.valid_to as date) > check_date.as_of_date then null else customers.valid_to end
            as valid_to
    from {{ ref('dim_customers') }} as customers
    cross join check_date
    where cast(customers.valid_from as date) <= check_date.as_of_date

),

orders_known as (

    select
        orders.order_id,
        orders.customer_id,
        orders.order_date,
        orders.total_amount_usd,
        orders.discount_amount,
        orders.sales_channel,
        orders.is_first_order,
        orders.first_touch_channel
    from {{ ref('fct_orders') }} as orders
    cross join check_date
    where orders.order_date <= check_date.as_of_date

),

sessions_known as (

    select
        sessions.customer_id,
        sessions.session_start_date,
        sessions.is_paid,
        sessions.platform
    from {{ ref('fct_sessions') }} as sessions
    cross join check_date
    where sessions.session_start_date <= check_date.as_of_date

),

recomputed as (

    {{ customer_features_as_of('check_date', 'customers_known', 'orders_known', 'sessions_known') }}

),

stored as (

    {#- every column of the recomputed rows, read from the model -#}
    select
        snapshots.as_of_date,
        snapshots.customer_id,
        snapshots.country_code,
        snapshots.acquisition_channel,
        snapshots.has_marketing_opt_in,
        snapshots.account_age_days,
        snapshots.order_count,
        snapshots.orders_last_30_days,
        snapshots.days_since_last_order,
        snapshots.gross_revenue_usd,
        snapshots.average_order_value_usd,
        snapshots.online_order_count,
        snapshots.discounted_order_count,
        snapshots.session_count,
        snapshots.sessions_last_7_days,
        snapshots.sessions_last_30_days,
        snapshots.paid_session_count,
        snapshots.app_session_count,
        snapshots.days_since_last_session
    from snapshots
    inner join check_date
        on snapshots.as_of_date = check_date.as_of_date

),

stored_minus_recomputed as (

    select * from stored
    except
    select * from recomputed

),

recomputed_minus_stored as (

    select * from recomputed
    except
    select * from stored

),

only_stored as (

    select
        'stored, not recomputed' as difference,
        *
    from stored_minus_recomputed

),

only_recomputed as (

    select
        'recomputed, not stored' as difference,
        *
    from recomputed_minus_stored

),

final as (

    select * from only_stored
    union all
    select * from only_recomputed

)

select * from final
