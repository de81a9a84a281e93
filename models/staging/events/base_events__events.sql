{#-
    Every raw clickstream line once: the JSON parsed (doc block `events__event_json`), typed with
    safe casts and flagged (`is_valid`, `invalid_reason`, doc block `events__invalid_reason`).
    An incremental table: each run parses only the rows of new dlt loads (doc block
    `events__incremental_parse`).
-#}

{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['_file_name', '_line_number', '_dlt_load_id'],
        on_schema_change='fail',
    )
}}

{#- an ISO-8601 text that ends with `Z` or a UTC offset: without one the instant depends on the reader's time zone -#}
{%- set zoned_pattern -%}
(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)$
{%- endset -%}

{%- set raw_columns = {
    'event': dbt.type_string(),
    '_file_name': dbt.type_string(),
    '_line_number': dbt.type_bigint(),
    '_dlt_load_id': dbt.type_string(),
} -%}

with

raw_events as (

    select * from {{ source_if_loaded('events', 'events', raw_columns) }}
    {% if is_incremental() %}
    -- only the loads not parsed yet
    where _dlt_load_id not in (select distinct _dlt_load_id from {{ this }})
    {% endif %}

),

checked as (

    select
        *,
        {{ json_is_valid_object('event') }} as is_json_object
    from raw_events

),

parseable as (

    -- the JSON text only where it parses: the extraction functions may raise on anything else
    select
        *,
        case when is_json_object then event end as event_json
    from checked

),

extracted as (

    select
        _file_name,
        _line_number,
        _dlt_load_id,
        event,
        is_json_object,
        {{ json_text('event_json', 'event_id') }} as event_id,
        {{ json_text('event_json', 'event_type') }} as event_type,
        {{ json_text('event_json', 'event_ts') }} as event_ts_text,
        {{ json_text('event_json', 'received_at') }} as received_at_text,
        {{ json_timestamp('event_json', 'event_ts') }} as event_at,
        {{ json_timestamp('event_json', 'sent_at') }} as sent_at,
        {{ json_timestamp('event_json', 'received_at') }} as received_at,
        {{ json_text('event_json', 'anonymous_id') }} as anonymous_id,
        {{ json_text('event_json', 'user_id') }} as user_id,
        {{ json_text('event_json', 'platform') }} as platform,
        {{ json_text('event_json', 'page.url') }} as page_url,
        {{ json_text('event_json', 'page.path') }} as page_path,
        {{ json_text('event_json', 'page.title') }} as page_title,
        {{ json_text('event_json', 'page.referrer') }} as page_referrer,
        {{ json_text('event_json', 'screen.name') }} as screen_name,
        {{ json_text('event_json', 'context.ip') }} as ip_address,
        {{ json_text('event_json', 'context.user_agent') }} as user_agent,
        {{ json_text('event_json', 'context.locale') }} as locale,
        {{ json_text('event_json', 'context.device.type') }} as device_type,
        {{ json_text('event_json', 'context.device.manufacturer') }} as device_manufacturer,
        {{ json_text('event_json', 'context.device.model') }} as device_model,
        {{ json_text('event_json', 'context.os.name') }} as os_name,
        {{ json_text('event_json', 'context.os.version') }} as os_version,
        {{ json_text('event_json', 'context.app.version') }} as app_version,
        {{ json_text('event_json', 'context.app.build') }} as app_build,
        {{ json_text('event_json', 'context.library.name') }} as library_name,
        {{ json_text('event_json', 'context.library.version') }} as library_version,
        {{ json_text('event_json', 'context.campaign.source') }} as utm_source,
        {{ json_text('event_json', 'context.campaign.medium') }} as utm_medium,
        {{ json_text('event_json', 'context.campaign.name') }} as utm_campaign,
        {{ json_text('event_json', 'context.campaign.id') }} as utm_id,
        {{ json_text('event_json', 'properties.product_id') }} as product_id,
        {{ json_text('event_json', 'properties.sku') }} as sku,
        {{ json_text('event_json', 'properties.quantity') }} as quantity,
        {{ json_text('event_json', 'properties.price') }} as unit_price,
        {{ json_text('event_json', 'properties.cart_value') }} as cart_value,
        {{ json_text('event_json', 'properties.item_count') }} as item_count,
        {{ json_text('event_json', 'properties.order_id') }} as order_id,
        {{ json_text('event_json', 'properties.order_number') }} as order_number,
        {{ json_text('event_json', 'properties.total') }} as order_total,
        {{ json_text('event_json', 'properties.currency') }} as currency,
        {{ json_text('event_json', 'properties.coupon') }} as coupon_code,
        {{ json_text('event_json', 'properties.query') }} as search_query,
        {{ json_text('event_json', 'properties.results_count') }} as search_results_count
    from parseable

),

typed as (

    select
        _file_name,
        _line_number,
        _dlt_load_id,
        event,
        is_json_object,
        (
            coalesce({{ regex_matches('event_ts_text', zoned_pattern) }}, true)
            and coalesce({{ regex_matches('received_at_text', zoned_pattern) }}, true)
        ) as has_zoned_timestamps,
        event_id,
        event_type,
        event_at,
        cast(event_at as date) as event_date,
        sent_at,
        received_at,
        anonymous_id,
        user_id,
        {{ cast_or_null('user_id', dbt.type_bigint()) }} as customer_id,
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
        lower(utm_source) as utm_source,
        lower(utm_medium) as utm_medium,
        utm_campaign,
        utm_id,
        {{ cast_or_null('utm_id', dbt.type_bigint()) }} as campaign_id,
        {{ cast_or_null('product_id', dbt.type_bigint()) }} as product_id,
        sku,
        {{ cast_or_null('quantity', dbt.type_int()) }} as quantity,
        {{ cast_or_null('unit_price', 'decimal(12, 2)') }} as unit_price,
        {{ cast_or_null('cart_value', 'decimal(12, 2)') }} as cart_value,
        {{ cast_or_null('item_count', dbt.type_int()) }} as item_count,
        {{ cast_or_null('order_id', dbt.type_bigint()) }} as order_id,
        order_number,
        {{ cast_or_null('order_total', 'decimal(12, 2)') }} as order_total,
        upper(currency) as currency,
        coupon_code,
        search_query,
        {{ cast_or_null('search_results_count', dbt.type_int()) }} as search_results_count
    from extracted

),

{% if is_incremental() %}

-- rows parsed by earlier runs that share an event_id with a new row: their flag may change
loaded as (

    select
        _file_name,
        _line_number,
        _dlt_load_id,
        raw_event as event,
        (invalid_reason is distinct from 'malformed_json') as is_json_object,
        (invalid_reason is distinct from 'timestamp_without_zone') as has_zoned_timestamps,
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
        true as is_loaded,
        invalid_reason as loaded_invalid_reason
    from {{ this }}
    where event_id in (select event_id from typed)

),

deliveries as (

    select
        *,
        false as is_loaded,
        cast(null as {{ dbt.type_string() }}) as loaded_invalid_reason
    from typed
    union all
    select * from loaded

),

{% else %}

deliveries as (

    select
        *,
        false as is_loaded,
        cast(null as {{ dbt.type_string() }}) as loaded_invalid_reason
    from typed

),

{% endif %}

ranked as (

    -- the first delivery of an event_id is the event; later copies (SDK retries) are duplicates
    select
        *,
        case
            when is_json_object and event_id is not null
                then row_number() over (
                    partition by event_id
                    order by received_at nulls last, _file_name, _line_number
                )
        end as delivery_number
    from deliveries

),

flagged as (

    select
        *,
        case
            when not is_json_object then 'malformed_json'
            when delivery_number > 1 then 'duplicate'
            when event_id is null
                or event_type is null
                or anonymous_id is null
                or event_at is null
                or received_at is null
                then 'null_required'
            when not has_zoned_timestamps then 'timestamp_without_zone'
            when event_at > {{ dbt.dateadd('day', 1, 'received_at') }} then 'future_timestamp'
        end as invalid_reason
    from ranked

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
        invalid_reason is null as is_valid,
        invalid_reason,
        event as raw_event,
        _file_name,
        _line_number,
        _dlt_load_id
    from flagged
    {% if is_incremental() %}
    -- new rows, and loaded rows whose flag changed (a copy delivered earlier arrived later)
    where not is_loaded
        or invalid_reason is distinct from loaded_invalid_reason
    {% endif %}

)

select * from final
