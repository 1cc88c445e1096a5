-- One row per row of the weather files.
select
    source_file, source_row, date as weather_date, geo, temperature_c, precipitation_mm,
    uv_index, humidity_pct
from {{ source('inputs', 'weather') }}
