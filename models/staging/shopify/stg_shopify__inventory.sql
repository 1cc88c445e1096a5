-- One row per (SKU, location) of the Shopify inventory export.
select
    source_file,
    source_row,
    "Handle" as product_handle,
    "Title" as product_title,
    "SKU" as sku,
    "Location" as location,
    "Available" as available,
    "On hand" as on_hand,
    "Incoming" as incoming,
    "Committed" as committed_units,
    "Snapshot Date" as snapshot_date
from {{ source('shopify', 'inventory_export') }}
