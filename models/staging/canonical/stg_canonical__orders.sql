-- One row per row of the canonical orders files.
select
    source_file,
    source_row,
    order_id,
    ordered_at,
    customer_id,
    email,
    phone,
    currency,
    financial_status,
    cancelled_at,
    subtotal,
    discount_amount,
    shipping,
    taxes,
    total,
    refunded_amount,
    source_name,
    country,
    region
from {{ source('canonical', 'orders') }}
