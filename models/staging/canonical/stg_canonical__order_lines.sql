-- One row per row of the canonical order-lines files.
select
    source_file,
    source_row,
    order_id,
    line_number,
    sku,
    product_title,
    quantity,
    unit_price,
    line_discount,
    lower(line_type) as line_type,
    vendor
from {{ source('canonical', 'order_lines') }}
