{#- Monitoring test: fails with one row per check of the newest check date at `level` or worse (warn: warn and error; error: error), naming the table, column, measure, value and threshold. -#}
{% test no_monitoring_alarms(model, level='error') %}

{%- if level not in ['warn', 'error'] -%}
    {{ exceptions.raise_compiler_error("no_monitoring_alarms on " ~ model ~ ": level must be warn or error, got \"" ~ level ~ "\"") }}
{%- endif -%}

select
    check_date,
    table_name,
    column_name,
    measure,
    measure_value,
    {{ level }}_threshold as threshold,
    check_status
from {{ model }}
where is_latest_check
    and check_status {{ "= 'error'" if level == 'error' else "in ('warn', 'error')" }}

{% endtest %}
