{#-
    Every raw review line once: the Extended JSON document unwrapped ($oid, $date, $numberDecimal),
    both schema versions mapped to one layout (doc block `documents__review_schema_versions`), typed
    with safe casts and flagged (`is_valid`, `invalid_reason`, doc block `documents__invalid_reason`).
-#}

{%- set raw_columns = {
    'document': dbt.type_string(),
    '_file_name': dbt.type_string(),
    '_line_number': dbt.type_bigint(),
    '_dlt_load_id': dbt.type_string(),
} -%}

with

raw_reviews as (

    select * from {{ source_if_loaded('documents', 'reviews', raw_columns) }}

),

checked as (

    select
        *,
        {{ json_is_valid_object('document') }} as is_json_object
    from raw_reviews

),

parseable as (

    -- the JSON text only where it parses: the extraction functions may raise on anything else
    select
        *,
        case when is_json_object then document end as document_json
    from checked

),

extracted as (

    select
        _file_name,
        _line_number,
        _dlt_load_id,
        document,
        is_json_object,
        {{ json_text('document_json', '_id.$oid') }} as review_id,
        {{ json_text('document_json', 'productId') }} as product_id,
        {{ json_text('document_json', 'customerId') }} as customer_id,
        {{ json_text('document_json', 'orderId') }} as order_id,
        {{ json_text('document_json', 'rating') }} as rating,
        {{ json_text('document_json', 'title') }} as review_title,
        {{ json_text('document_json', 'body') }} as body_v1,
        {{ json_text('document_json', 'text') }} as text_v2,
        {{ json_text('document_json', 'verifiedPurchase') }} as verified_purchase,
        {{ json_text('document_json', 'helpfulVotes') }} as helpful_votes,
        {{ json_ext_decimal('document_json', 'pricePaid') }} as price_paid,
        {{ json_text('document_json', 'currency') }} as currency,
        {{ json_text('document_json', 'source') }} as review_source,
        {{ json_ext_date('document_json', 'createdAt') }} as created_at,
        {{ json_ext_date('document_json', 'updatedAt') }} as updated_at,
        {{ json_array_length('document_json', 'images') }} as image_count,
        {{ json_text('document_json', 'tags') }} as tags_json
    from parseable

),

typed as (

    select
        _file_name,
        _line_number,
        _dlt_load_id,
        document,
        is_json_object,
        review_id,
        {{ cast_or_null('product_id', dbt.type_bigint()) }} as product_id,
        {{ cast_or_null('customer_id', dbt.type_bigint()) }} as customer_id,
        {{ cast_or_null('order_id', dbt.type_bigint()) }} as order_id,
        -- a fractional rating (4.5) is out of range, not rounded: only 1-5 whole stars exist
        rating as raw_rating,
        {{ cast_or_null('rating', 'decimal(18, 6)') }} as rating_value,
        review_title,
        -- schema change 2025-02-15: `body` was renamed `text`
        coalesce(text_v2, body_v1) as review_text,
        {{ cast_or_null('verified_purchase', dbt.type_boolean()) }} as is_verified_purchase,
        {{ cast_or_null('helpful_votes', dbt.type_int()) }} as helpful_votes,
        price_paid,
        upper(currency) as currency,
        review_source,
        created_at,
        updated_at,
        coalesce(image_count, 0) as image_count,
        tags_json,
        case
            when text_v2 is not null or verified_purchase is not null then 2
            when is_json_object then 1
        end as schema_version
    from extracted

),

ranked as (

    -- an _id exported more than once is one document: keep the newest version, then the first line
    select
        *,
        case
            when is_json_object and review_id is not null
                then row_number() over (
                    partition by review_id
                    order by updated_at desc nulls last, _file_name asc, _line_number asc
                )
        end as export_number
    from typed

),

flagged as (

    select
        *,
        case
            when not is_json_object then 'malformed_json'
            when export_number > 1 then 'duplicate'
            when review_id is null then 'missing_review_id'
            when product_id is null then 'missing_product_id'
            when rating_value is null
                or rating_value not in (1, 2, 3, 4, 5)
                then 'rating_out_of_range'
        end as invalid_reason
    from ranked

),

final as (

    select
        review_id,
        product_id,
        customer_id,
        order_id,
        case
            when rating_value in (1, 2, 3, 4, 5) then cast(rating_value as {{ dbt.type_int() }})
        end as rating,
        review_title,
        review_text,
        is_verified_purchase,
        helpful_votes,
        price_paid,
        currency,
        review_source,
        image_count,
        tags_json,
        created_at,
        updated_at,
        schema_version,
        invalid_reason is null as is_valid,
        invalid_reason,
        raw_rating,
        document as raw_document,
        _file_name,
        _line_number,
        _dlt_load_id
    from flagged

)

select * from final
