{#- Access-log lines staging did not accept, with the raw text and the reason. -#}

with

requests as (

    select * from {{ ref('base_weblogs__requests') }}
    where not is_valid

),

final as (

    select
        _file_name,
        _line_number,
        _dlt_load_id,
        line,
        invalid_reason
    from requests

)

select * from final
