-- One row per order: what it is worth. Net sales = gross sales - discounts - returns
-- (shipping and taxes excluded), by the first method the order's fields allow
-- (DECISIONLOG "Net sales"); the other methods are kept to compare.
with orders as (
    select
        o.*,
        coalesce(l.line_rows, 0) as line_rows,
        coalesce(l.product_lines, 0) as product_lines,
        coalesce(l.units, 0) as units,
        coalesce(l.line_gross_sales, 0) as line_gross_sales,
        l.line_discounts,
        coalesce(l.non_product_line_amount, 0) as non_product_line_amount,
        coalesce(l.non_positive_quantity_lines, 0) as non_positive_quantity_lines
    from {{ ref('int_orders_unified') }} as o
    left join {{ ref('int_order_lines_aggregated') }} as l on o.order_id = l.order_id
),

interpreted as (
    select
        *,
        -- Shopify's Subtotal is net of line and order discounts: Subtotal + Discount
        -- Amount = sum of price x quantity. Some platforms write it gross instead.
        case
            when subtotal is null then null
            when abs(subtotal + coalesce(discount_amount, 0) - line_gross_sales) <= 0.01
                then 'net'
            when coalesce(discount_amount, 0) > 0.01 and abs(subtotal - line_gross_sales) <= 0.01
                then 'gross'
            else 'mismatch'
        end as subtotal_reading,
        case
            when total is not null then total - coalesce(shipping, 0) - coalesce(taxes, 0)
        end as net_by_total_method,
        line_gross_sales
        - coalesce(discount_amount, line_discounts, 0) as net_by_line_items_method
    from orders
),

chosen as (
    select
        *,
        case
            when subtotal_reading = 'gross' then 'subtotal_minus_discount'
            when subtotal is not null then 'subtotal'
            when total is not null then 'total_minus_shipping_taxes'
            else 'line_items'
        end as net_sales_method,
        case
            when subtotal_reading = 'gross' then subtotal - discount_amount
            when subtotal is not null then subtotal
            when total is not null then net_by_total_method
            else net_by_line_items_method
        end as net_sales_before_returns
    from interpreted
),

flags as (
    select
        *,
        coalesce(financial_status = 'voided', false) as is_voided,
        cancelled_at is not null as is_cancelled,
        net_by_total_method - net_sales_before_returns as total_method_difference,
        net_by_line_items_method - net_sales_before_returns as line_items_method_difference
    from chosen
)

select
    order_id,
    source_file,
    source_row,
    ordered_at,
    customer_id,
    email,
    phone,
    currency,
    financial_status,
    cancelled_at,
    discount_code,
    accepts_marketing,
    source_name,
    country,
    region,
    subtotal,
    discount_amount,
    shipping,
    taxes,
    total,
    refunded_amount,
    line_rows,
    product_lines,
    units,
    non_product_line_amount,
    non_positive_quantity_lines,
    is_voided,
    is_cancelled,
    not is_voided and not is_cancelled and units > 0 as is_counted_order,
    line_gross_sales as gross_sales,
    line_gross_sales - net_sales_before_returns as discounts,
    net_sales_before_returns,
    -- Refunds may include shipping and taxes; they are capped at the order's product
    -- value so returns never exceed what was sold. A 'refunded' order without an amount
    -- is refunded in full.
    case
        when is_voided then 0
        else greatest(0, least(
            coalesce(refunded_amount,
                case when financial_status = 'refunded' then net_sales_before_returns else 0 end),
            net_sales_before_returns
        ))
    end as returns,
    net_sales_method,
    subtotal_reading,
    total_method_difference,
    line_items_method_difference,
    coalesce(
        greatest(abs(coalesce(total_method_difference, 0)),
                 abs(coalesce(line_items_method_difference, 0)))
        > {{ var('aura_net_sales_disagreement') }}
          * greatest(abs(net_sales_before_returns), 0.01),
        false
    ) as is_net_sales_method_disagreement
from flags
