with

source as (

    select * from {{ source('oltp', 'refunds') }}

),

renamed as (

    select
        {{ hard_delete_flag(source('oltp', 'refunds')) }} as is_hard_deleted,
        cast(refund_id as bigint) as refund_id,
        cast(order_id as bigint) as order_id,
        cast(payment_id as bigint) as payment_id,
        cast(amount as decimal(12, 2)) as amount,
        upper(currency) as currency,
        reason as refund_reason,
        status as refund_status,
        cast(created_at as timestamp) as created_at,
        cast(updated_at as timestamp) as updated_at,
        _dlt_load_id as dlt_load_id
    from source

),

deduplicated as (

    {{ latest_versions('renamed', 'refund_id') }}

),

final as (

    select
        refund_id,
        order_id,
        payment_id,
        amount,
        currency,
        refund_reason,
        refund_status,
        created_at,
        updated_at,
        dlt_load_id
    from deduplicated

)

select * from final
