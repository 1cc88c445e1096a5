-- One row per Shopify line item, in the canonical order-line shape. "Lineitem name"
-- is "Title - Variant"; the part after the last " - " is the variant.
select
    order_name as order_id,
    cast(row_in_order as integer) as line_number,
    source_file,
    source_row,
    line_sku as sku,
    line_name as product_title,
    case
        when position(' - ' in line_name) > 0
            then trim(regexp_extract(line_name, '^.* - (.*)$', 1))
    end as variant_title,
    line_quantity as quantity,
    line_price as unit_price,
    line_discount,
    'product' as line_type,
    vendor
from {{ ref('int_shopify_order_rows_flagged') }}
where is_kept
