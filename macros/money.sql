{#- The mean of a money column (at most `scale` decimals), rounded half away from zero to `scale` decimals, exact on every engine; null for no values. An aggregate: use it where avg() would go. -#}
{% macro money_average(expr, scale=2) -%}
    {%- if not modules.re.fullmatch('[0-9]', scale | string) -%}
        {{ exceptions.raise_compiler_error("money_average: scale must be a whole number from 0 to 9, got " ~ ("\"" ~ (scale | string) ~ "\"")) }}
    {%- endif -%}
    {{- return(adapter.dispatch('money_average')(expr, scale | int)) -}}
{%- endmacro %}

{#- PostgreSQL and Spark divide decimals exactly (to at least 6 more decimals) and round half away from zero. -#}
{% macro default__money_average(expr, scale=2) -%}
    cast(round(sum({{ expr }}) / nullif(count({{ expr }}), 0), {{ scale }}) as decimal(38, {{ scale }}))
{%- endmacro %}

{#- DuckDB's avg() of a decimal and its decimal division are DOUBLE: a mean of 67.115 comes out as
    67.1149999… and rounds to 67.11. The sum in units of the last decimal is an exact integer; the
    rounded quotient is integer arithmetic: (2|s| + n) // 2n, signed. -#}
{% macro duckdb__money_average(expr, scale=2) -%}
    {%- set units = "cast(sum(" ~ expr ~ ") * " ~ (10 ** scale) ~ " as hugeint)" -%}
    cast(
        cast(sign({{ units }}) * ((2 * abs({{ units }}) + count({{ expr }})) // nullif(2 * count({{ expr }}), 0)) as decimal(38, 0))
        {%- if scale > 0 %} * cast('1e-{{ scale }}' as decimal(18, {{ scale }})){% endif %}
        as decimal(38, {{ scale }})
    )
{%- endmacro %}
