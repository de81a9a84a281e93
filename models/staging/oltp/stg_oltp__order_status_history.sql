with

source as (

    select * from {{ source('oltp', 'order_status_history') }}

),

renamed as (

    select
        {{ hard_delete_flag(source('oltp', 'order_status_history')) }} as is_hard_deleted,
        cast(order_status_history_id as bigint) as order_status_history_id,
        cast(order_id as bigint) as order_id,
        status as order_status,
        cast(changed_at as timestamp) as changed_at,
        _dlt_load_id as dlt_load_id
    from source

),

deduplicated as (

    {{ latest_versions('renamed', 'order_status_history_id', order_by='dlt_load_id desc') }}

),

final as (

    select
        order_status_history_id,
        order_id,
        order_status,
        changed_at,
        dlt_load_id
    from deduplicated

)

select * from final
