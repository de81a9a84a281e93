{#- Grain test: fails with one row per combination of the given columns that occurs more than once. -#}
{% test unique_combination_of_columns(model, combination_of_columns, quote_columns=false) %}

{#- a string would be iterated character by character: ask for the list -#}
{%- if combination_of_columns is string or combination_of_columns is not iterable or (combination_of_columns | length) == 0 -%}
    {{ exceptions.raise_compiler_error(
        "unique_combination_of_columns on " ~ model ~ ": combination_of_columns must be a non-empty list of columns, got "
        ~ ("\"" ~ (combination_of_columns | string) ~ "\"")
    ) }}
{%- endif -%}
{%- set columns = [] -%}
{%- for column in combination_of_columns -%}
    {%- do columns.append(quote_identifier(column, 'unique_combination_of_columns column') if quote_columns else column) -%}
{%- endfor %}

select
    {{ columns | join(',\n    ') }},
    count(*) as n_rows
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1

{% endtest %}
