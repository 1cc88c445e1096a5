-- One row per export row, flagged when it must not count: an exact copy of an earlier
-- row (a file exported twice, rows pasted twice) or an order that also appears in an
-- earlier file (overlapping exports; the first file's copy is kept). Shopify never
-- splits one order across files, so a second file holding the order is a re-export.
with rows_numbered as (
    select
        *,
        row_number() over (
            partition by
                order_name, email, phone, billing_phone, financial_status, fulfillment_status,
                accepts_marketing, currency, created_at, paid_at, cancelled_at, subtotal,
                shipping, taxes, total, discount_code, discount_amount, refunded_amount,
                line_quantity, line_name, line_price, line_compare_at_price, line_sku,
                line_discount, vendor, tags, source_name, country, region, shipping_zip,
                shopify_order_id
            order by source_file nulls last, source_row nulls last
        ) as copy_number,
        min(source_file) over (partition by order_name) as first_file
    from {{ ref('stg_shopify__order_rows') }}
),

flagged as (
    select
        *,
        copy_number > 1 as is_duplicate_row,
        copy_number = 1 and source_file <> first_file as is_overlapping_export
    from rows_numbered
)

select
    flagged.*,
    not (is_duplicate_row or is_overlapping_export) as is_kept,
    case
        when not (is_duplicate_row or is_overlapping_export) then row_number() over (
            partition by order_name, (is_duplicate_row or is_overlapping_export)
            order by source_file nulls last, source_row nulls last
        )
    end as row_in_order
from flagged
