-- dim_customers (SCD2): every account has exactly one current version, and each version ends
-- exactly when the next one starts (no gaps, no overlaps). Returns the offending versions.
with

customers as (

    select * from {{ ref('dim_customers') }}

),

versions as (

    select
        customer_id,
        version_number,
        valid_to,
        is_current,
        lead(valid_from) over (partition by customer_id order by version_number) as next_valid_from,
        sum(case when is_current then 1 else 0 end) over (partition by customer_id) as current_versions
    from customers

),

offending_versions as (

    select * from versions
    where current_versions <> 1
        or (next_valid_from is null and valid_to is not null and is_current)
        or (next_valid_from is not null and (valid_to is null or valid_to <> next_valid_from))

)

select * from offending_versions
