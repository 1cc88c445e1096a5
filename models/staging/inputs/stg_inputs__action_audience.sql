-- One row per row of the frozen action audience files (written by the app at launch).
select
    source_file, source_row, action_id, customer_key, is_holdout, email, phone
from {{ source('inputs', 'action_audience') }}
