{#- A product's key: its SKU, else its title (lower-cased) for lines without one. -#}
{% macro aura_product_key(sku, title) -%}
    coalesce(nullif(trim({{ sku }}), ''), 'title:' || lower(trim({{ title }})))
{%- endmacro %}
