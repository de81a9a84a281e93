{#- The latest version of each key: the rows of `relation` ranked per `key` by `order_by`, the first kept (unless it is a hard-delete tombstone). -#}
{% macro latest_versions(relation, key, order_by='updated_at desc, dlt_load_id desc', deleted_column='is_hard_deleted') -%}
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
    {%- if deleted_column %}
        and not {{ deleted_column }}
    {%- endif %}
{%- endmacro %}

{#-
    Whether a raw row is dlt's hard-delete tombstone (`_source_deleted`), as a boolean: false when the
    raw table has no such column (it appears with the first deletion dlt merges). dlt's merge removes
    tombstoned rows, so on DuckDB and PostgreSQL this is always false; a destination without merge
    (the filesystem destination Spark reads) appends the tombstone as the key's newest version, which
    `latest_versions` then drops.
-#}
{% macro hard_delete_flag(source_relation, column='_source_deleted') -%}
    {%- if execute and not source_relation.is_cte -%}
        {%- set names = adapter.get_columns_in_relation(source_relation) | map(attribute='name') | map('lower') | list -%}
        {%- if column in names -%}
            {{- return('coalesce(cast(' ~ column ~ ' as boolean), false)') -}}
        {%- endif -%}
    {%- endif -%}
    {{- return('false') -}}
{%- endmacro %}
