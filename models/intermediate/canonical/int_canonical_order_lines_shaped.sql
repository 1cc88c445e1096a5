-- One row per canonical order line (exact copies dropped), numbered within its order.
select
    order_id,
    cast(row_number() over (
        partition by order_id
        order by line_number nulls last, source_file nulls last, source_row nulls last
    ) as integer) as line_number,
    source_file,
    source_row,
    sku,
    product_title,
    cast(null as varchar) as variant_title,
    quantity,
    unit_price,
    line_discount,
    coalesce(line_type, 'product') as line_type,
    vendor
from {{ ref('int_canonical_order_lines_flagged') }}
where not is_duplicate_row
