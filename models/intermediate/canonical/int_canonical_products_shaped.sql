-- One row per SKU in the canonical products files (first copy wins).
select sku, product_title, variant_title, category, vendor, price, tags, lower(status) as status
from (
    select
        *,
        row_number() over (
            partition by sku order by source_file nulls last, source_row nulls last
        ) as sku_copy
    from {{ ref('stg_canonical__products') }}
) as numbered
where sku_copy = 1
