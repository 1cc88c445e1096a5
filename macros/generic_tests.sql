{#- Aura's generic data tests. Portable SQL only (no engine-specific syntax), so they run
    unchanged on DuckDB and on Spark. A test returns the rows that fail it. -#}

{#- The columns together identify a row: every combination that occurs more than once
    fails (one failing row per duplicated combination, with how many rows share it).
    NULLs group together, so pair it with not_null on each column. -#}
{% test aura_unique_combination(model, combination_of_columns) %}
    {%- if combination_of_columns is string or combination_of_columns | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            "aura_unique_combination: combination_of_columns must be a non-empty list of "
            ~ "column names, got " ~ combination_of_columns) }}
    {%- endif -%}
    {%- set columns_csv = combination_of_columns | join(', ') %}
select
    {{ columns_csv }},
    count(*) as duplicate_rows
from {{ model }}
group by {{ columns_csv }}
having count(*) > 1
{% endtest %}

{#- A boolean SQL expression that must hold on every row: rows where it is false or
    NULL (not true) fail. -#}
{% test aura_expression_is_true(model, expression) %}
select *
from {{ model }}
where not coalesce(({{ expression }}), false)
{% endtest %}
