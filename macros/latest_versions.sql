{#- The latest version of each key: the rows of `relation` ranked per `key` by `order_by`, the first kept. -#}
{% macro latest_versions(relation, key, order_by='updated_at desc, dlt_load_id desc') -%}
    select * from (
        select
            *,
            row_number() over (
                partition by {{ key }}
                order by {{ order_by }}
            ) as version_rank
        from {{ relation }}
    ) as versions
    where version_rank = 1
{%- endmacro %}
