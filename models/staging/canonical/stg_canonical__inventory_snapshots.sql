-- One row per row of the canonical inventory snapshot files.
select
    source_file,
    source_row,
    snapshot_date,
    sku,
    location,
    available,
    incoming,
    reorder_point
from {{ source('canonical', 'inventory_snapshots') }}
