-- One row per Shopify order, in the canonical order shape. Order-level fields come
-- from the order's first kept row (where Shopify writes them).
select
    order_name as order_id,
    source_file,
    source_row,
    created_at as ordered_at,
    cast(null as varchar) as customer_id,
    email,
    coalesce(phone, billing_phone) as phone,
    upper(currency) as currency,
    lower(financial_status) as financial_status,
    cancelled_at,
    subtotal,
    discount_amount,
    shipping,
    taxes,
    total,
    refunded_amount,
    discount_code,
    accepts_marketing,
    lower(source_name) as source_name,
    upper(country) as country,
    upper(region) as region
from {{ ref('int_shopify_order_rows_flagged') }}
where row_in_order = 1
