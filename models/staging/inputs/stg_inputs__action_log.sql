-- One row per row of the action log (launched actions, appended by the app).
select
    source_file, source_row, action_id, play_id, variant_id, channel, launched_at,
    holdout_fraction, launched_by, note
from {{ source('inputs', 'action_log') }}
