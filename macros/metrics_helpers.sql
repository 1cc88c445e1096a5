{#- Small portable SQL helpers of the metrics layer (dbt cross-database macros only). -#}

{#- A date `days` days after `date_expr` (negative: before), as a date. -#}
{% macro metrics_add_days(date_expr, days) -%}
    cast({{ dbt.dateadd('day', days, date_expr) }} as date)
{%- endmacro %}

{#- Whole days from `start_expr` to `end_expr` (positive when end is later). -#}
{% macro metrics_days_between(start_expr, end_expr) -%}
    {{ dbt.datediff(start_expr, end_expr, 'day') }}
{%- endmacro %}

{#- Text for messages: a value as a string, 'n/a' when NULL (so a concatenation never
    turns NULL). -#}
{% macro metrics_text(expr) -%}
    coalesce(cast({{ expr }} as {{ dbt.type_string() }}), 'n/a')
{%- endmacro %}

{#- A whole number as text ('n/a' when NULL). -#}
{% macro metrics_int_text(expr) -%}
    coalesce(cast(cast({{ expr }} as bigint) as {{ dbt.type_string() }}), 'n/a')
{%- endmacro %}

{#- A count as text with thousands separators, e.g. 53,592 ('n/a' when NULL). -#}
{% macro metrics_count_text(expr) -%}
    coalesce({{ aura_thousands_text(expr) }}, 'n/a')
{%- endmacro %}

{#- A number rounded to `places` decimals, as text ('n/a' when NULL). -#}
{% macro metrics_dec_text(expr, places=1) -%}
    coalesce(cast(cast(round(cast({{ expr }} as double), {{ places }}) as decimal(38, {{ places }}))
        as {{ dbt.type_string() }}), 'n/a')
{%- endmacro %}

{#- A share (0.123) as a percentage with one decimal ('12.3%'; 'n/a' when NULL). -#}
{% macro metrics_pct_text(expr) -%}
    coalesce(cast(cast(round(100 * cast({{ expr }} as double), 1) as decimal(38, 1))
        as {{ dbt.type_string() }}) || '%', 'n/a')
{%- endmacro %}

{#- Thanksgiving (the fourth Thursday of November) of the year whose November 1st is
    `nov1_expr`. Weekday arithmetic is counted from Thursday 1900-01-04, so no
    engine-specific day-of-week function is needed. -#}
{% macro metrics_thanksgiving(nov1_expr) -%}
    {{ metrics_add_days(nov1_expr,
        '(mod(7 - mod(' ~ metrics_days_between("cast('1900-01-04' as date)", nov1_expr) ~ ', 7), 7) + 21)') }}
{%- endmacro %}
