-- One row per row of the marketing spend files.
select source_file, source_row, date as spend_date, lower(channel) as channel, spend, impressions, clicks
from {{ source('inputs', 'marketing_spend') }}
