-- One row per (snapshot date, SKU, location): units available to sell, as the brand's
-- inventory files say. Empty when no inventory file was given. The first row of a
-- repeated (date, SKU, location) wins; the others are listed in mart_input_issues.
select
    snapshot_date,
    sku,
    location,
    {{ aura_product_key('sku', 'cast(null as varchar)') }} as product_key,
    available,
    incoming,
    on_hand,
    committed_units,
    reorder_point,
    snapshot_date_source,
    source_file,
    source_row
from {{ ref('int_inventory_unified') }}
where copy_number = 1
