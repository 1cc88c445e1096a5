-- One row per order line from the chosen input format, in one shape.
{% if aura_input_format() == 'shopify' %}
select * from {{ ref('int_shopify_order_lines_shaped') }}
{% else %}
select * from {{ ref('int_canonical_order_lines_shaped') }}
{% endif %}
