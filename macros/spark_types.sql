{#-
    Spark SQL spells some of the types the project writes (in contracts, seeds' column_types and
    casts) differently: `varchar` needs a length there and `text` does not exist (both are
    `string`), `timestamp with time zone` is `timestamp_ltz`, `integer` is `int`. `spark_data_type`
    translates one type name; `spark__cast` (dbt's cast, used by contracts' empty-schema check and
    unit-test fixtures) and `spark__create_csv_table` (seeds) go through it, so yml types are
    written once for every engine. Plain `timestamp` stays: the spark target sets
    `spark.sql.timestampType=TIMESTAMP_NTZ` (profiles.yml), a timestamp without time zone as on
    DuckDB and PostgreSQL.
-#}
{% macro spark_data_type(data_type) -%}
    {%- set name = data_type | trim | lower -%}
    {%- set spark_names = {
        'varchar': 'string',
        'text': 'string',
        'character varying': 'string',
        'timestamp with time zone': 'timestamp_ltz',
        'timestamptz': 'timestamp_ltz',
        'timestamp without time zone': 'timestamp_ntz',
        'integer': 'int',
        'double precision': 'double',
        'float8': 'double',
        'float4': 'float',
        'real': 'float',
        'hugeint': 'decimal(38, 0)',
    } -%}
    {%- if name in spark_names -%}
        {{- return(spark_names[name]) -}}
    {%- elif name.startswith('varchar(') or name.startswith('numeric(') -%}
        {{- return('string' if name.startswith('varchar(') else 'decimal' ~ name[7:]) -}}
    {%- else -%}
        {{- return(data_type) -}}
    {%- endif -%}
{%- endmacro %}

{#- dbt's cast on Spark: the type translated by spark_data_type. -#}
{% macro spark__cast(field, type) -%}
    cast({{ field }} as {{ spark_data_type(type) }})
{%- endmacro %}

{#- dbt-spark's seed table, with each column_types entry translated by spark_data_type. -#}
{% macro spark__create_csv_table(model, agate_table) %}
  {%- set column_override = model['config'].get('column_types', {}) -%}
  {%- set quote_seed_column = model['config'].get('quote_columns', None) -%}

  {% set sql %}
    create table {{ this.render() }} (
        {%- for col_name in agate_table.column_names -%}
            {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
            {%- set type = spark_data_type(column_override.get(col_name, inferred_type)) -%}
            {%- set column_name = (col_name | string) -%}
            {{ adapter.quote_seed_column(column_name, quote_seed_column) }} {{ type }} {%- if not loop.last -%}, {%- endif -%}
        {%- endfor -%}
    )
    {{ file_format_clause() }}
    {{ partition_cols(label="partitioned by") }}
    {{ clustered_cols(label="clustered by") }}
    {{ location_clause() }}
    {{ comment_clause() }}
  {% endset %}

  {% call statement('_') -%}
    {{ sql }}
  {%- endcall %}

  {{ return(sql) }}
{% endmacro %}

{#- dbt-spark's seed rows, each value cast to its column_types entry translated by spark_data_type. -#}
{% macro spark__load_csv_rows(model, agate_table) %}

  {% set batch_size = get_batch_size() %}
  {% set column_override = model['config'].get('column_types', {}) %}

  {% set statements = [] %}

  {% for chunk in agate_table.rows | batch(batch_size) %}
      {% set bindings = [] %}

      {% for row in chunk %}
          {% do bindings.extend(row) %}
      {% endfor %}

      {% set sql %}
          insert into {{ this.render() }} values
          {% for row in chunk -%}
              ({%- for col_name in agate_table.column_names -%}
                  {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
                  {%- set type = spark_data_type(column_override.get(col_name, inferred_type)) -%}
                    cast({{ get_binding_char() }} as {{type}})
                  {%- if not loop.last%},{%- endif %}
              {%- endfor -%})
              {%- if not loop.last%},{%- endif %}
          {%- endfor %}
      {% endset %}

      {% do adapter.add_query(sql, bindings=bindings, abridge_sql_log=True) %}

      {% if loop.index0 == 0 %}
          {% do statements.append(sql) %}
      {% endif %}
  {% endfor %}

  {{ return(statements[0]) }}
{% endmacro %}

{#-
    dbt's dateadd on Spark: `timestampadd` (Spark 3.3+). dbt-spark's own version goes through unix
    seconds and `to_timestamp(<number>)`, which fails when the session's timestamp type is
    TIMESTAMP_NTZ (the spark target's setting) and drops sub-second precision.
-#}
{% macro spark__dateadd(datepart, interval, from_date_or_timestamp) -%}
    timestampadd({{ datepart }}, {{ interval }}, {{ from_date_or_timestamp }})
{%- endmacro %}

{#-
    dbt's datediff on Spark, counting boundaries crossed as DuckDB's date_diff and PostgreSQL do
    (dbt-spark's own gives milliseconds a thousand times too large): days by dates, months and
    years by calendar numbers, clock units by whole units of the microseconds since the epoch.
-#}
{% macro spark__datediff(first_date, second_date, datepart) -%}
    {%- set micros = {'hour': 3600000000, 'minute': 60000000, 'second': 1000000, 'millisecond': 1000, 'microsecond': 1} -%}
    {%- if datepart == 'day' -%}
        datediff(cast({{ second_date }} as date), cast({{ first_date }} as date))
    {%- elif datepart == 'week' -%}
        cast(floor(datediff(date_trunc('week', {{ second_date }}), date_trunc('week', {{ first_date }})) / 7) as bigint)
    {%- elif datepart in ('month', 'quarter', 'year') -%}
        {%- set months -%}
            ((year({{ second_date }}) * 12 + month({{ second_date }})) - (year({{ first_date }}) * 12 + month({{ first_date }})))
        {%- endset -%}
        {%- if datepart == 'month' -%}
            {{ months }}
        {%- elif datepart == 'quarter' -%}
            ((year({{ second_date }}) * 4 + quarter({{ second_date }})) - (year({{ first_date }}) * 4 + quarter({{ first_date }})))
        {%- else -%}
            (year({{ second_date }}) - year({{ first_date }}))
        {%- endif -%}
    {%- elif datepart in micros -%}
        (floor(unix_micros(cast({{ second_date }} as timestamp_ltz)) / {{ micros[datepart] }})
            - floor(unix_micros(cast({{ first_date }} as timestamp_ltz)) / {{ micros[datepart] }}))
    {%- else -%}
        {{ exceptions.raise_compiler_error("datediff: datepart '" ~ datepart ~ "' is not supported on Spark") }}
    {%- endif -%}
{%- endmacro %}

{#- Spark string literals read backslash escapes: a value quoted for a literal (unit-test fixtures, dbt.escape_single_quotes) keeps its backslashes as well as its quotes. -#}
{% macro spark__escape_single_quotes(expression) -%}
{{ expression | replace('\\', '\\\\') | replace("'", "\\'") }}
{%- endmacro %}
