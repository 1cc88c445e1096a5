-- One row per canonical inventory snapshot row, in the common snapshot shape.
select
    snapshot_date,
    'file' as snapshot_date_source,
    sku,
    coalesce(location, 'default') as location,
    available,
    coalesce(incoming, 0) as incoming,
    cast(null as bigint) as on_hand,
    cast(null as bigint) as committed_units,
    reorder_point,
    source_file,
    source_row
from {{ ref('stg_canonical__inventory_snapshots') }}
