{#- The clickstream event's columns, in order: where each comes from in the JSON and how it is typed. -#}
{#-
    One entry per column of stg_events__events (and of base_events__events before its flags):
    - `name`: the column;
    - `path`: the JSON key path extracted as text into a column of that name, when the column is
      read from the event as text (timestamps are extracted by the model, already typed);
    - `sql`: the typing expression over the extracted columns, when the column is not the text as
      extracted.
-#}
{% macro event_fields() -%}
    {{ return([
        {'name': 'event_id', 'path': 'event_id'},
        {'name': 'event_type', 'path': 'event_type'},
        {'name': 'event_at'},
        {'name': 'event_date', 'sql': 'cast(event_at as date)'},
        {'name': 'sent_at'},
        {'name': 'received_at'},
        {'name': 'anonymous_id', 'path': 'anonymous_id'},
        {'name': 'user_id', 'path': 'user_id'},
        {'name': 'customer_id', 'sql': cast_or_null('user_id', dbt.type_bigint())},
        {'name': 'platform', 'path': 'platform'},
        {'name': 'page_url', 'path': 'page.url'},
        {'name': 'page_path', 'path': 'page.path'},
        {'name': 'page_title', 'path': 'page.title'},
        {'name': 'page_referrer', 'path': 'page.referrer'},
        {'name': 'screen_name', 'path': 'screen.name'},
        {'name': 'ip_address', 'path': 'context.ip'},
        {'name': 'user_agent', 'path': 'context.user_agent'},
        {'name': 'locale', 'path': 'context.locale'},
        {'name': 'device_type', 'path': 'context.device.type'},
        {'name': 'device_manufacturer', 'path': 'context.device.manufacturer'},
        {'name': 'device_model', 'path': 'context.device.model'},
        {'name': 'os_name', 'path': 'context.os.name'},
        {'name': 'os_version', 'path': 'context.os.version'},
        {'name': 'app_version', 'path': 'context.app.version'},
        {'name': 'app_build', 'path': 'context.app.build'},
        {'name': 'library_name', 'path': 'context.library.name'},
        {'name': 'library_version', 'path': 'context.library.version'},
        {'name': 'utm_source', 'path': 'context.campaign.source', 'sql': 'lower(utm_source)'},
        {'name': 'utm_medium', 'path': 'context.campaign.medium', 'sql': 'lower(utm_medium)'},
        {'name': 'utm_campaign', 'path': 'context.campaign.name'},
        {'name': 'utm_id', 'path': 'context.campaign.id'},
        {'name': 'campaign_id', 'sql': cast_or_null('utm_id', dbt.type_bigint())},
        {'name': 'product_id', 'path': 'properties.product_id',
            'sql': cast_or_null('product_id', dbt.type_bigint())},
        {'name': 'sku', 'path': 'properties.sku'},
        {'name': 'quantity', 'path': 'properties.quantity', 'sql': cast_or_null('quantity', dbt.type_int())},
        {'name': 'unit_price', 'path': 'properties.price', 'sql': cast_or_null('unit_price', 'decimal(12, 2)')},
        {'name': 'cart_value', 'path': 'properties.cart_value',
            'sql': cast_or_null('cart_value', 'decimal(12, 2)')},
        {'name': 'item_count', 'path': 'properties.item_count',
            'sql': cast_or_null('item_count', dbt.type_int())},
        {'name': 'order_id', 'path': 'properties.order_id', 'sql': cast_or_null('order_id', dbt.type_bigint())},
        {'name': 'order_number', 'path': 'properties.order_number'},
        {'name': 'order_total', 'path': 'properties.total',
            'sql': cast_or_null('order_total', 'decimal(12, 2)')},
        {'name': 'currency', 'path': 'properties.currency', 'sql': 'upper(currency)'},
        {'name': 'coupon_code', 'path': 'properties.coupon'},
        {'name': 'search_query', 'path': 'properties.query'},
        {'name': 'search_results_count', 'path': 'properties.results_count',
            'sql': cast_or_null('search_results_count', dbt.type_int())},
    ]) }}
{%- endmacro %}
