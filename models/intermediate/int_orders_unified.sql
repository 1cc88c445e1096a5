-- One row per order from the chosen input format, in one shape.
{% if aura_input_format() == 'shopify' %}
select * from {{ ref('int_shopify_orders_shaped') }}
{% else %}
select * from {{ ref('int_canonical_orders_shaped') }}
{% endif %}
