{#- Whole numbers 0 .. 10^digits - 1 as column `n`, in portable SQL (no range()). -#}
{% macro aura_numbers(digits=5) -%}
    with digit as (
        {% for d in range(10) -%}
        select {{ d }} as d{% if not loop.last %} union all {% endif %}
        {% endfor %}
    )
    select
        {% for i in range(digits) -%}
        d{{ i }}.d * {{ 10 ** i }}{% if not loop.last %} + {% endif %}
        {%- endfor %} as n
    from {% for i in range(digits) -%}
        digit as d{{ i }}{% if not loop.last %} cross join {% endif %}
    {%- endfor %}
{%- endmacro %}
