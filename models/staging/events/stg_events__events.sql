{#- The valid clickstream events, one row per event_id: what analysts and downstream models use. -#}

with

events as (

    select * from {{ ref('base_events__events') }}
    where is_valid

),

final as (

    select
        event_id,
        event_type,
        event_at,
        event_date,
        sent_at,
        received_at,
        anonymous_id,
        user_id,
        customer_id,
        platform,
        page_url,
        page_path,
        page_title,
        page_referrer,
        screen_name,
        ip_address,
        user_agent,
        locale,
        device_type,
        device_manufacturer,
        device_model,
        os_name,
        os_version,
        app_version,
        app_build,
        library_name,
        library_version,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_id,
        campaign_id,
        product_id,
        sku,
        quantity,
        unit_price,
        cart_value,
        item_count,
        order_id,
        order_number,
        order_total,
        currency,
        coupon_code,
        search_query,
        search_results_count,
        _dlt_load_id as dlt_load_id
    from events

)

select * from final
