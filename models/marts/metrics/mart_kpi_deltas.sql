-- One row per (as_of_date, window_days, metric): the recent value, the prior value and
-- the change, absolute and relative (NULL when the prior value is 0 or missing).
{% set metrics = [
    'net_sales', 'orders', 'aov', 'discount_rate', 'units_per_order', 'identified_customers',
    'repeat_rate_within_window', 'returning_customer_share', 'new_customer_rate'
] %}
with recent as (
    select * from {{ ref('mart_kpi_snapshot') }} where period = 'recent'
),

prior as (
    select * from {{ ref('mart_kpi_snapshot') }} where period = 'prior'
),

paired as (
    {% for m in metrics %}
    select
        recent.as_of_date,
        recent.window_days,
        '{{ m }}' as metric,
        cast(recent.{{ m }} as double) as recent_value,
        cast(prior.{{ m }} as double) as prior_value,
        prior.is_complete_window as is_prior_complete
    from recent
    inner join prior on recent.window_days = prior.window_days
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select
    as_of_date,
    window_days,
    metric,
    recent_value,
    prior_value,
    recent_value - prior_value as delta_abs,
    case when prior_value <> 0 then (recent_value - prior_value) / abs(prior_value) end as delta_rel,
    is_prior_complete
from paired
