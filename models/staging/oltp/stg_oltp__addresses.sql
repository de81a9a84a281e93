-- `_source_deleted` (dlt's hard-delete marker) is not selected: `is_hard_deleted` (hard_delete_flag) drops a key whose newest raw version is a tombstone.
-- No personal data from here on (doc block `oltp__pii`): the street line is not selected and the
-- postal code is cut to its first three characters; city and country stay.
with

source as (

    select * from {{ source('oltp', 'addresses') }}

),

renamed as (

    select
        {{ hard_delete_flag(source('oltp', 'addresses')) }} as is_hard_deleted,
        cast(address_id as bigint) as address_id,
        cast(customer_id as bigint) as customer_id,
        address_type,
        city,
        {{ postal_code_prefix('postal_code') }} as postal_code_prefix,
        upper(trim(country_code)) as country_code,
        cast(is_default as boolean) as is_default,
        cast(created_at as timestamp) as created_at,
        cast(updated_at as timestamp) as updated_at,
        _dlt_load_id as dlt_load_id
    from source

),

deduplicated as (

    {{ latest_versions('renamed', 'address_id') }}

),

final as (

    select
        address_id,
        customer_id,
        address_type,
        city,
        postal_code_prefix,
        country_code,
        is_default,
        created_at,
        updated_at,
        dlt_load_id
    from deduplicated

)

select * from final
