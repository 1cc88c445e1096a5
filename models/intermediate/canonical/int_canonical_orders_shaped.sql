-- One row per canonical order (first copy of each order id).
select
    order_id,
    source_file,
    source_row,
    ordered_at,
    customer_id,
    email,
    phone,
    upper(currency) as currency,
    lower(financial_status) as financial_status,
    cancelled_at,
    subtotal,
    discount_amount,
    shipping,
    taxes,
    total,
    refunded_amount,
    cast(null as varchar) as discount_code,
    cast(null as boolean) as accepts_marketing,
    lower(source_name) as source_name,
    upper(country) as country,
    upper(region) as region
from {{ ref('int_canonical_orders_flagged') }}
where is_kept
