{#-
    The raw tables the audit marts account for (rpt_load_audit, rpt_source_reconciliation), and where
    each one's rows go: the staging model holding its valid rows, the quarantine model holding the
    rest (with the filter that leaves out load rejects, counted from `rejected_records` instead), the
    base model that flags every row per load (`is_valid`, `_dlt_load_id`), and the mart that must show
    every valid row. Aggregates over that mart:
    - `downstream_rows` counts the mart's rows that carry a valid row of this table (default count(*));
    - `downstream_total` counts all the mart's rows in the same unit (default count(*));
    - `downstream_added` counts the rows the mart adds by design, each one only when the rule that
      explains it holds (`downstream_added_reason` names the rule). A row in the mart that is neither
      a source row nor an explained addition is unexplained and fails the build.

    `key` (merge tables): the columns identifying a row, for the versions a destination without merge
    keeps (stg_audit__raw_row_counts.rows_superseded_in_raw).

    A new raw table must be added here: rpt_load_audit finds its `_ingest_audit` records without a
    matching entry and reports them as unexplained, so `dbt build` fails until it is.
-#}
{% macro audit_tables() -%}
    {%- set load_rejects = "invalid_reason <> 'rejected_at_load'" -%}
    {{ return([
        {'source': 'oltp', 'table': 'addresses', 'key': 'address_id', 'staging': 'stg_oltp__addresses'},
        {'source': 'oltp', 'table': 'categories', 'key': 'category_id', 'staging': 'stg_oltp__categories'},
        {'source': 'oltp', 'table': 'customers', 'key': 'customer_id', 'staging': 'stg_oltp__customers',
            'downstream': 'dim_customers', 'downstream_rows': 'count(distinct customer_id)',
            'downstream_total': 'count(distinct customer_id)'},
        {'source': 'oltp', 'table': 'order_items', 'key': 'order_item_id', 'staging': 'stg_oltp__order_items',
            'downstream': 'fct_order_items'},
        {'source': 'oltp', 'table': 'order_status_history', 'key': 'order_status_history_id', 'staging': 'stg_oltp__order_status_history'},
        {'source': 'oltp', 'table': 'orders', 'key': 'order_id', 'staging': 'stg_oltp__orders', 'downstream': 'fct_orders'},
        {'source': 'oltp', 'table': 'payments', 'key': 'payment_id', 'staging': 'stg_oltp__payments'},
        {'source': 'oltp', 'table': 'products', 'key': 'product_id', 'staging': 'stg_oltp__products', 'downstream': 'dim_products'},
        {'source': 'oltp', 'table': 'refunds', 'key': 'refund_id', 'staging': 'stg_oltp__refunds'},
        {'source': 'documents', 'table': 'reviews', 'staging': 'stg_documents__reviews',
            'base': 'base_documents__reviews',
            'quarantine': 'qrt_documents__reviews', 'quarantine_where': load_rejects},
        {'source': 'documents', 'table': 'rejected_records'},
        {'source': 'events', 'table': 'events', 'staging': 'stg_events__events', 'base': 'base_events__events',
            'quarantine': 'qrt_events__events', 'quarantine_where': load_rejects, 'downstream': 'fct_events'},
        {'source': 'events', 'table': 'rejected_records'},
        {'source': 'weblogs', 'table': 'access_log', 'staging': 'stg_weblogs__requests',
            'base': 'base_weblogs__requests',
            'quarantine': 'qrt_weblogs__requests', 'downstream': 'fct_web_requests'},
        {'source': 'weblogs', 'table': 'rejected_records'},
        {'source': 'adplatform', 'table': 'campaigns', 'key': 'campaign_id', 'staging': 'stg_adplatform__campaigns',
            'downstream': 'dim_campaigns'},
        {'source': 'adplatform', 'table': 'daily_metrics', 'key': 'campaign_id, "date"', 'staging': 'stg_adplatform__daily_metrics',
            'downstream': 'fct_ad_performance_daily',
            'downstream_rows': 'sum(case when has_platform_report then 1 else 0 end)',
            'downstream_added': 'sum(case when not has_platform_report and cost_micros = 0 and impressions = 0'
                ~ ' and clicks = 0 and (session_count > 0 or last_touch_order_count > 0'
                ~ ' or first_touch_order_count > 0) then 1 else 0 end)',
            'downstream_added_reason': 'campaign days with paid visits or attributed orders but no platform'
                ~ ' report (kept with zero spend)'},
        {'source': 'lake', 'table': 'fx_rates', 'staging': 'stg_lake__fx_rates',
            'quarantine': 'qrt_lake__fx_rates'},
        {'source': 'lake', 'table': 'inventory_snapshots', 'staging': 'stg_lake__inventory_snapshots',
            'quarantine': 'qrt_lake__inventory_snapshots'},
        {'source': 'lake', 'table': 'rejected_records'},
    ]) }}
{%- endmacro %}

{#- The raw datasets (dbt sources) audited: each has `_dlt_loads` and `_ingest_audit`. -#}
{% macro audit_sources() -%}
    {%- set names = [] -%}
    {%- for entry in audit_tables() if entry.source not in names -%}
        {%- do names.append(entry.source) -%}
    {%- endfor -%}
    {{ return(names) }}
{%- endmacro %}
