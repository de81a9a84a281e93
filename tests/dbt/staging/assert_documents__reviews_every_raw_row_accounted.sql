{#-
    Every raw review line is either a valid review (stg) or quarantined (qrt), never both, never
    lost: count(raw lines) + count(load rejects) = count(stg) + count(qrt). Returns a row on failure.
-#}

{%- set reject_columns = {
    'source_table': dbt.type_string(),
    'file_name': dbt.type_string(),
    'line_number': dbt.type_bigint(),
    'reason': dbt.type_string(),
    'raw_content': dbt.type_string(),
    '_dlt_load_id': dbt.type_string(),
} -%}

{%- set raw_columns = {
    'document': dbt.type_string(),
    '_file_name': dbt.type_string(),
    '_line_number': dbt.type_bigint(),
    '_dlt_load_id': dbt.type_string(),
} -%}

with

raw_reviews as (

    select count(*) as n_rows from {{ source_if_loaded('documents', 'reviews', raw_columns) }}

),

load_rejects as (

    select count(*) as n_rows
    from {{ source_if_loaded('documents', 'rejected_records', reject_columns) }}
    where source_table = 'reviews'

),

staged as (

    select count(*) as n_rows from {{ ref('stg_documents__reviews') }}

),

quarantined as (

    select count(*) as n_rows from {{ ref('qrt_documents__reviews') }}

),

final as (

    select
        raw_reviews.n_rows as raw_lines,
        load_rejects.n_rows as load_rejects,
        staged.n_rows as staged_reviews,
        quarantined.n_rows as quarantined_lines
    from raw_reviews
    cross join load_rejects
    cross join staged
    cross join quarantined
    where raw_reviews.n_rows + load_rejects.n_rows <> staged.n_rows + quarantined.n_rows

)

select * from final
