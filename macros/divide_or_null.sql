{#- Ratio as a decimal with a fixed scale, null (never an error or a float) when the denominator is 0 or null. -#}
{% macro divide_or_null(numerator, denominator, scale=4) %}
    {%- if not modules.re.fullmatch('[0-9]{1,2}', scale | string) or (scale | int) > 18 -%}
        {{ exceptions.raise_compiler_error("divide_or_null: scale must be a whole number from 0 to 18, got " ~ ("\"" ~ (scale | string) ~ "\"")) }}
    {%- endif -%}
    {{- return(adapter.dispatch('divide_or_null')(numerator, denominator, scale | int)) -}}
{% endmacro %}

{#- Portable SQL: both sides as decimal(38, 9) first (so integer / integer does not truncate on
    PostgreSQL or Redshift), nullif() for the zero, rounded and cast to decimal(28, scale). -#}
{% macro default__divide_or_null(numerator, denominator, scale=4) -%}
    cast(
        round(
            cast({{ numerator }} as decimal(38, 9))
            / nullif(cast({{ denominator }} as decimal(38, 9)), 0),
            {{ scale }}
        ) as decimal(28, {{ scale }})
    )
{%- endmacro %}

{#- DuckDB divides decimals in DOUBLE (it has no decimal division): say so explicitly, and cast the
    quotient back to decimal(28, scale), so the column is a decimal like on the other engines. -#}
{% macro duckdb__divide_or_null(numerator, denominator, scale=4) -%}
    cast(
        round(
            cast({{ numerator }} as double)
            / nullif(cast({{ denominator }} as double), 0),
            {{ scale }}
        ) as decimal(28, {{ scale }})
    )
{%- endmacro %}
