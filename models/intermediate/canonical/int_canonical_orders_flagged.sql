-- One row per canonical orders-file row, flagged when the order id was already seen:
-- an exact copy is dropped silently (and counted); a differing copy is dropped too
-- (the first file and row win) and counted as a conflict.
with numbered as (
    select
        *,
        row_number() over (
            partition by order_id order by source_file nulls last, source_row nulls last
        ) as copy_number,
        row_number() over (
            partition by
                order_id, ordered_at, customer_id, email, phone, currency, financial_status,
                cancelled_at, subtotal, discount_amount, shipping, taxes, total,
                refunded_amount, source_name, country, region
            order by source_file nulls last, source_row nulls last
        ) as identical_copy_number
    from {{ ref('stg_canonical__orders') }}
)

select
    *,
    identical_copy_number > 1 as is_duplicate_row,
    copy_number > 1 and identical_copy_number = 1 as is_conflicting_duplicate,
    copy_number = 1 as is_kept
from numbered
