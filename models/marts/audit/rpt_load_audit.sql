{#-
    Every load of every raw table, accounted for (logic in `int_table_loads_classified`);
    `rows_unexplained` must be 0 (tested). Doc block `audit__audit_status`.
-#}

with

table_loads as (

    select * from {{ ref('int_table_loads_classified') }}

)

select * from table_loads
