-- One row per SKU of the brand's product catalogue (empty when none was given).
{% if aura_input_format() == 'shopify' %}
select * from {{ ref('int_shopify_products_shaped') }}
{% else %}
select * from {{ ref('int_canonical_products_shaped') }}
{% endif %}
