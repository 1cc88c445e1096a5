-- One row per row of the customer merge files.
select source_file, source_row, lower(id_type) as id_type, merged_id, survivor_id, merged_at
from {{ source('inputs', 'customer_merges') }}
