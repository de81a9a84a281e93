{#- One-off upgrade: clear the personal data a customer snapshot built before PII masking still holds (fill email_hash, email_domain, phone_masked from it, then drop the clear-text columns). -#}

{#-
    dbt adds a snapshot's new columns to the existing table but never drops one: after the upgrade the
    old versions keep `email`, `first_name`, `last_name`, `phone` in clear text and have null in the new
    columns (so `dim_customers.email_domain` would be null for them). Run once, then `dbt build`:
        dbt run-operation scrub_snapshot_pii            (add --args '{dry_run: true}' to see the SQL)
    Portable SQL (hash_pii and mask_phone dispatch per engine). Doing nothing on a clean table, it is
    safe to run again.
-#}
{% macro scrub_snapshot_pii(snapshot_name='snap_oltp__customers', dry_run=false) -%}
    {%- set nodes = graph.nodes.values() | selectattr('resource_type', 'equalto', 'snapshot') | selectattr('name', 'equalto', snapshot_name) | list -%}
    {%- if not nodes -%}
        {{ exceptions.raise_compiler_error("scrub_snapshot_pii: no snapshot named " ~ ("\"" ~ (snapshot_name | string) ~ "\"")) }}
    {%- endif -%}
    {%- set relation = adapter.get_relation(database=nodes[0].database, schema=nodes[0].schema, identifier=nodes[0].alias) if execute else none -%}
    {%- if relation is none -%}
        {%- do log("scrub_snapshot_pii: " ~ snapshot_name ~ " is not built yet, nothing to scrub", info=true) -%}
        {{- return([]) -}}
    {%- endif -%}
    {%- set existing = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
    {%- set clear_text = ['email', 'first_name', 'last_name', 'phone'] | select('in', existing) | list -%}
    {%- if not clear_text -%}
        {%- do log("scrub_snapshot_pii: " ~ relation ~ " holds no clear-text personal data column, nothing to do", info=true) -%}
        {{- return([]) -}}
    {%- endif -%}
    {%- set statements = [] -%}
    {%- for column in ['email_hash', 'email_domain', 'phone_masked'] if column not in existing -%}
        {%- do statements.append('alter table ' ~ relation ~ ' add column ' ~ quote_identifier(column) ~ ' ' ~ dbt.type_string()) -%}
    {%- endfor -%}
    {%- if 'email' in clear_text -%}
        {%- set normalized = "nullif(lower(trim(email)), '')" -%}
        {%- do statements.append(
            'update ' ~ relation ~ ' set email_hash = ' ~ hash_pii(normalized)
            ~ ', email_domain = case when has_valid_email then ' ~ dbt.split_part(normalized, "'@'", 2) ~ ' end'
            ~ ' where email_hash is null and email is not null'
        ) -%}
    {%- endif -%}
    {%- if 'phone' in clear_text -%}
        {%- do statements.append(
            'update ' ~ relation ~ ' set phone_masked = ' ~ mask_phone('phone') ~ ' where phone_masked is null and phone is not null'
        ) -%}
    {%- endif -%}
    {%- for column in clear_text -%}
        {%- do statements.append('alter table ' ~ relation ~ ' drop column ' ~ quote_identifier(column)) -%}
    {%- endfor -%}
    {%- for statement in statements -%}
        {%- do log(('would run: ' if dry_run else 'running: ') ~ statement ~ ';', info=true) -%}
        {%- if not dry_run -%}
            {%- do run_query(statement) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if not dry_run -%}
        {%- do run_query('commit') -%}
        {%- do log("scrub_snapshot_pii: done; run `dbt build` (dim_customers reads email_domain from the snapshot)", info=true) -%}
    {%- endif -%}
    {{- return(statements) -}}
{%- endmacro %}
