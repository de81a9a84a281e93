-- Customer accounts, cleaned but never dropped (orders reference every account): the e-mail is
-- normalized and flagged, the country mapped to ISO-3166 alpha-2 through the `country_codes` seed,
-- and a second account registered with an e-mail already in use points to the first one.
-- No personal data in clear text leaves this model (doc block `oltp__pii`): the e-mail becomes its
-- SHA-256 (`email_hash`, which links duplicate accounts) and its domain right after it is
-- normalized, the phone its last two digits, and names are not selected.
with

source as (

    select * from {{ source('oltp', 'customers') }}

),

country_codes as (

    select * from {{ ref('country_codes') }}

),

normalized as (

    select
        *,
        nullif(lower(trim(email)), '') as normalized_email
    from source

),

renamed as (

    select
        {{ hard_delete_flag(source('oltp', 'customers')) }} as is_hard_deleted,
        cast(customer_id as bigint) as customer_id,
        {{ hash_pii('normalized_email') }} as email_hash,
        coalesce(
            normalized_email like '_%@_%._%'
            and normalized_email not like '%@%@%'
            and normalized_email not like '% %',
            false
        ) as has_valid_email,
        split_part(normalized_email, '@', 2) as email_domain,
        {{ mask_phone('phone') }} as phone_masked,
        country_code as raw_country_code,
        upper(trim(preferred_currency)) as preferred_currency,
        cast(marketing_opt_in as boolean) as has_marketing_opt_in,
        cast(created_at as timestamp) as created_at,
        cast(updated_at as timestamp) as updated_at,
        cast(deleted_at as timestamp) as deleted_at,
        _dlt_load_id as dlt_load_id
    from normalized

),

current_rows as (

    {{ latest_versions('renamed', 'customer_id') }}

),

countries_mapped as (

    select
        current_rows.*,
        country_codes.country_code
    from current_rows
    left join country_codes
        on upper(trim(current_rows.raw_country_code)) = country_codes.country_alias

),

accounts_ranked as (

    select
        *,
        -- the first account registered with an e-mail address is the customer's canonical one
        first_value(customer_id) over (
            partition by email_hash
            order by created_at, customer_id
            rows between unbounded preceding and unbounded following
        ) as first_account_id
    from countries_mapped

),

final as (

    select
        customer_id,
        coalesce(
            case when email_hash is not null then first_account_id end,
            customer_id
        ) as canonical_customer_id,
        email_hash,
        has_valid_email,
        case when has_valid_email then email_domain end as email_domain,
        coalesce(
            email_hash is not null and first_account_id <> customer_id,
            false
        ) as is_duplicate_account,
        phone_masked,
        country_code,
        raw_country_code,
        coalesce(raw_country_code = country_code, false) as has_valid_country_code,
        preferred_currency,
        has_marketing_opt_in,
        deleted_at is not null as is_deleted,
        created_at,
        updated_at,
        deleted_at,
        dlt_load_id
    from accounts_ranked

)

select * from final
