-- One row per canonical order-lines row, with its line number (given, else the row's
-- position in its order) and a flag for exact copies of an earlier row with the same
-- given line number (a file loaded twice).
with numbered as (
    select
        *,
        row_number() over (
            partition by
                order_id, line_number, sku, product_title, quantity, unit_price,
                line_discount, line_type, vendor
            order by source_file nulls last, source_row nulls last
        ) as copy_number
    from {{ ref('stg_canonical__order_lines') }}
)

select
    *,
    line_number is not null and copy_number > 1 as is_duplicate_row
from numbered
