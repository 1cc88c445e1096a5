-- One row per order: its lines summed. Only product lines with a positive quantity
-- are sold; other lines (shipping, fees, discounts, adjustments, quantity <= 0) are
-- counted separately and never enter gross sales.
select
    order_id,
    count(*) as line_rows,
    sum(case when line_type = 'product' and quantity > 0 then 1 else 0 end) as product_lines,
    sum(case when line_type = 'product' and quantity > 0 then quantity else 0 end) as units,
    sum(
        case when line_type = 'product' and quantity > 0 then quantity * unit_price else 0 end
    ) as line_gross_sales,
    sum(
        case when line_type = 'product' and quantity > 0 then line_discount end
    ) as line_discounts,
    sum(case when line_type <> 'product' then quantity * unit_price else 0 end)
        as non_product_line_amount,
    sum(case when line_type = 'product' and quantity <= 0 then 1 else 0 end)
        as non_positive_quantity_lines
from {{ ref('int_order_lines_unified') }}
group by order_id
