with

source as (

    select * from {{ source('oltp', 'order_status_history') }}

),

renamed as (

    select
        cast(order_status_history_id as bigint) as order_status_history_id,
        cast(order_id as bigint) as order_id,
        status as order_status,
        cast(changed_at as timestamp) as changed_at,
        _dlt_load_id as dlt_load_id
    from source

),

deduplicated as (

    select
        *,
        row_number() over (
            partition by order_status_history_id
            order by dlt_load_id desc
        ) as version_rank
    from renamed

),

final as (

    select
        order_status_history_id,
        order_id,
        order_status,
        changed_at,
        dlt_load_id
    from deduplicated
    where version_rank = 1

)

select * from final
