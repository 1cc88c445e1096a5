{#- A product's key: its SKU, else its title (lower-cased) for lines without one. -#}
{% macro aura_product_key(sku, title) -%}
    coalesce(nullif(trim({{ sku }}), ''), 'title:' || lower(trim({{ title }})))
{%- endmacro %}

{#- A product (dim_products) or a sold line (audiences) is a subscription one when its
    title and variant say subscribe/subscription/auto-ship/auto-replenish. The
    product's tags are deliberately not read: Shopify tags belong to the product, so a
    'subscription' tag marks the one-off variants of a subscribable product too. -#}
{% macro aura_subscription_pattern() -%}
    {{ return('(subscri|auto-?ship|auto-?replenish)') }}
{%- endmacro %}
