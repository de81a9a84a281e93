{#- The valid clickstream events, one row per event_id: what analysts and downstream models use. -#}

with

events as (

    select * from {{ ref('base_events__events') }}
    where is_valid

),

final as (

    select
        {%- for field in event_fields() %}
        {{ field.name }},
        {%- endfor %}
        _dlt_load_id as dlt_load_id
    from events

)

select * from final
