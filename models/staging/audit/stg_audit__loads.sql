{#- dlt's record of the loads of every raw dataset (`_dlt_loads`), one row per load. -#}

with

{% for source_name in audit_sources() %}
{{ source_name }}_loads as (

    select
        '{{ source_name }}' as source_name,
        load_id,
        inserted_at as loaded_at,
        status = 0 as is_completed,
        schema_version_hash
    from {{ source(source_name, '_dlt_loads') }}

),
{% endfor %}

final as (

    {% for source_name in audit_sources() %}
    select * from {{ source_name }}_loads
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from final
