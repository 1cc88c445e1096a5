-- One row per KPI window: (window_days, period) with its first and last local date.
-- The recent W-day window is the W days ending at the as-of date, inclusive:
-- [as_of - W + 1, as_of]. The prior window is the W days right before it. The
-- last-year windows are the same two shifted back 364 days (52 weeks, so weekdays line
-- up), used for seasonal expectations.
{% set window_days = [7, 28, 56, 90] %}
{% set periods = [('recent', 0, 0), ('prior', 1, 0), ('recent_last_year', 0, 364), ('prior_last_year', 1, 364)] %}
with as_of as (
    select {{ aura_as_of_date() }} as as_of_date
),

windows as (
    {% for w in window_days %}{% for name, offset, shift in periods %}
    select
        {{ w }} as window_days,
        '{{ name }}' as period,
        {{ offset * w + shift }} as days_back
    {% if not loop.last %}union all{% endif %}
    {% endfor %}{% if not loop.last %}union all{% endif %}{% endfor %}
)

select
    as_of.as_of_date,
    windows.window_days,
    windows.period,
    cast({{ dbt.dateadd('day', '-(windows.days_back + windows.window_days - 1)', 'as_of.as_of_date') }} as date)
        as window_start,
    cast({{ dbt.dateadd('day', '-windows.days_back', 'as_of.as_of_date') }} as date) as window_end
from windows
cross join as_of
