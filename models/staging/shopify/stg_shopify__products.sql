-- One row per row of the Shopify products export (variants, plus image-only rows
-- that have no SKU). Title, type and tags are filled on a product's first row only.
select
    source_file,
    source_row,
    "Handle" as product_handle,
    "Title" as product_title,
    "Vendor" as vendor,
    "Type" as product_type,
    "Tags" as tags,
    "Option1 Name" as option1_name,
    "Option1 Value" as option1_value,
    "Variant SKU" as sku,
    "Variant Grams" as variant_grams,
    "Variant Price" as price,
    "Variant Compare At Price" as compare_at_price,
    "Status" as status
from {{ source('shopify', 'products_export') }}
