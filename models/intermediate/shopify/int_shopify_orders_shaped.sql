-- One row per Shopify order, in the canonical order shape. Order-level fields come
-- from the order's first row in the first file holding it (where Shopify writes them):
-- the same row int_shopify_order_rows_flagged keeps first, found here without hashing
-- every row, because every mart reads the orders.
with first_rows as (
    select order_name, min({{ aura_row_position() }}) as first_position
    from {{ ref('stg_shopify__order_rows') }}
    group by order_name
),

header_rows as (
    select order_rows.*
    from {{ ref('stg_shopify__order_rows') }} as order_rows
    inner join first_rows
        on order_rows.order_name = first_rows.order_name
        and {{ aura_row_position('order_rows.source_file', 'order_rows.source_row') }}
            = first_rows.first_position
)

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
from header_rows
