{#- The as-of date every window ends at: var aura_as_of (YYYY-MM-DD) when set, else the
    last counted order's shop-local date. Returns a SQL expression of type date. -#}
{% macro aura_as_of_date() -%}
    {%- set as_of = var('aura_as_of', '') -%}
    {%- if as_of -%}
        {%- if not modules.re.match('^\\d{4}-\\d{2}-\\d{2}$', as_of | string) -%}
            {{ exceptions.raise_compiler_error(
                "aura_as_of is '" ~ as_of ~ "'; it must be a date like 2026-10-31 or empty.") }}
        {%- endif -%}
        cast('{{ as_of }}' as date)
    {%- else -%}
        (select max(order_date) from {{ ref('fct_orders') }} where is_counted_order)
    {%- endif -%}
{%- endmacro %}
