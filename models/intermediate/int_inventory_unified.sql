-- One row per inventory row from the chosen input format, numbered within its
-- (snapshot date, SKU, location) so that repeated rows can be dropped and counted.
with unified as (
{% if aura_input_format() == 'shopify' %}
    select * from {{ ref('int_shopify_inventory_shaped') }}
{% else %}
    select * from {{ ref('int_canonical_inventory_shaped') }}
{% endif %}
)

select
    *,
    row_number() over (
        partition by snapshot_date, sku, location
        order by source_file nulls last, source_row nulls last
    ) as copy_number
from unified
