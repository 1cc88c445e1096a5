-- One row per Shopify inventory export row, in the canonical snapshot shape. The export
-- has no date of its own: a 'Snapshot Date' column when the user added one, else the
-- as-of date (aura_as_of, else the last order date).
select
    coalesce(snapshot_date, {{ aura_as_of_date() }}) as snapshot_date,
    case when snapshot_date is null then 'as_of_date' else 'file' end as snapshot_date_source,
    sku,
    coalesce(location, 'default') as location,
    available,
    coalesce(incoming, 0) as incoming,
    on_hand,
    committed_units,
    cast(null as bigint) as reorder_point,
    source_file,
    source_row
from {{ ref('stg_shopify__inventory') }}
