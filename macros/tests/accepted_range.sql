{#- Value-range test: fails with one row per value below min_value or above max_value (nulls pass; test them with not_null). -#}
{% test accepted_range(model, column_name, min_value=none, max_value=none, inclusive=true) %}

{%- if min_value is none and max_value is none -%}
    {{ exceptions.raise_compiler_error("accepted_range on " ~ model ~ "." ~ column_name ~ ": give min_value, max_value or both") }}
{%- endif -%}

select
    {{ column_name }} as out_of_range_value
from {{ model }}
where {{ column_name }} is not null
    and (
        false
        {%- if min_value is not none %}
        or {{ column_name }} {{ '<' if inclusive else '<=' }} {{ min_value }}
        {%- endif %}
        {%- if max_value is not none %}
        or {{ column_name }} {{ '>' if inclusive else '>=' }} {{ max_value }}
        {%- endif %}
    )

{% endtest %}
