{#-
    Review export lines staging did not accept: raw rows flagged in `base_documents__reviews`, plus
    the lines the ingestion could not store as text (`rejected_records`, reason `rejected_at_load`).
-#}

{%- set reject_columns = {
    'source_table': dbt.type_string(),
    'file_name': dbt.type_string(),
    'line_number': dbt.type_bigint(),
    'reason': dbt.type_string(),
    'raw_content': dbt.type_string(),
    '_dlt_load_id': dbt.type_string(),
} -%}

with

reviews as (

    select * from {{ ref('base_documents__reviews') }}
    where not is_valid

),

rejected_records as (

    select * from {{ source_if_loaded('documents', 'rejected_records', reject_columns) }}
    where source_table = 'reviews'

),

flagged_reviews as (

    select
        _file_name,
        _line_number,
        _dlt_load_id,
        raw_document,
        invalid_reason,
        cast(null as {{ dbt.type_string() }}) as load_reject_reason,
        review_id,
        product_id,
        raw_rating,
        created_at,
        schema_version
    from reviews

),

load_rejects as (

    select
        file_name as _file_name,
        line_number as _line_number,
        _dlt_load_id,
        raw_content as raw_document,
        'rejected_at_load' as invalid_reason,
        reason as load_reject_reason,
        cast(null as {{ dbt.type_string() }}) as review_id,
        cast(null as {{ dbt.type_bigint() }}) as product_id,
        cast(null as {{ dbt.type_string() }}) as raw_rating,
        cast(null as {{ dbt.type_timestamp() }}) as created_at,
        cast(null as {{ dbt.type_int() }}) as schema_version
    from rejected_records

),

final as (

    select * from flagged_reviews
    union all
    select * from load_rejects

)

select * from final
