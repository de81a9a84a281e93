with

source as (

    select * from {{ source('oltp', 'payments') }}

),

renamed as (

    select
        {{ hard_delete_flag(source('oltp', 'payments')) }} as is_hard_deleted,
        cast(payment_id as bigint) as payment_id,
        cast(order_id as bigint) as order_id,
        payment_method,
        status as payment_status,
        cast(amount as decimal(12, 2)) as amount,
        upper(currency) as currency,
        provider_reference,
        cast(created_at as timestamp) as created_at,
        cast(updated_at as timestamp) as updated_at,
        _dlt_load_id as dlt_load_id
    from source

),

deduplicated as (

    {{ latest_versions('renamed', 'payment_id') }}

),

final as (

    select
        payment_id,
        order_id,
        payment_method,
        payment_status,
        amount,
        currency,
        provider_reference,
        created_at,
        updated_at,
        dlt_load_id
    from deduplicated

)

select * from final
