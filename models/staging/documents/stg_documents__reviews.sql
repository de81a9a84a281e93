{#- The valid product reviews, one row per review_id, in one layout for both export schema versions. -#}

with

reviews as (

    select * from {{ ref('base_documents__reviews') }}
    where is_valid

),

final as (

    select
        review_id,
        product_id,
        customer_id,
        order_id,
        rating,
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
        _dlt_load_id as dlt_load_id
    from reviews

)

select * from final
