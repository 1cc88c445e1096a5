-- One row per row of the canonical products files.
select
    source_file,
    source_row,
    sku,
    product_title,
    variant_title,
    category,
    vendor,
    price,
    tags,
    status
from {{ source('canonical', 'products') }}
