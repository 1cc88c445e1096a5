-- One row per SKU in the Shopify products export, in the canonical product shape.
-- Title, type, vendor and tags sit on a product's first row: spread them to its variants.
with rows_filled as (
    select
        *,
        max(product_title) over (partition by product_handle) as handle_title,
        max(product_type) over (partition by product_handle) as handle_type,
        max(vendor) over (partition by product_handle) as handle_vendor,
        max(tags) over (partition by product_handle) as handle_tags,
        max(status) over (partition by product_handle) as handle_status
    from {{ ref('stg_shopify__products') }}
),

variants as (
    select
        *,
        row_number() over (
            partition by sku order by source_file nulls last, source_row nulls last
        ) as sku_copy
    from rows_filled
    where sku is not null
)

select
    sku,
    coalesce(handle_title, product_handle) as product_title,
    case when lower(coalesce(option1_value, '')) <> 'default title' then option1_value end
        as variant_title,
    handle_type as category,
    handle_vendor as vendor,
    price,
    handle_tags as tags,
    lower(coalesce(status, handle_status)) as status
from variants
where sku_copy = 1
