-- One row per order line. Only product lines with a positive quantity are sold
-- (is_sold_line); the order's status flags are carried for filtering.
select
    lines.order_id,
    lines.line_number,
    orders.order_date,
    orders.customer_key,
    orders.is_counted_order,
    lines.sku,
    lines.product_title,
    lines.variant_title,
    {{ aura_product_key('lines.sku', 'lines.product_title') }} as product_key,
    lines.line_type,
    lines.quantity,
    lines.unit_price,
    lines.quantity * lines.unit_price as line_amount,
    lines.line_discount,
    lines.line_type = 'product' and lines.quantity > 0 as is_sold_line,
    lines.vendor,
    lines.source_file,
    lines.source_row
from {{ ref('int_order_lines_unified') }} as lines
inner join {{ ref('fct_orders') }} as orders on lines.order_id = orders.order_id
