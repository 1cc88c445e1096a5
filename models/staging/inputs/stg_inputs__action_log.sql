-- One row per row of the action log (launched actions, appended by the app).
select
    source_file, source_row, action_id, play_id, variant_id, channel, launched_at,
    holdout_fraction, launched_by, note,
    predicted_net_sales_p10, predicted_net_sales_p50, predicted_net_sales_p90, audience_size
from {{ source('inputs', 'action_log') }}
