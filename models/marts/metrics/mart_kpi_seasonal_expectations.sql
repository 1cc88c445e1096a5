-- One row per (as_of_date, window_days, metric in net_sales / orders): what last year
-- says the recent-vs-prior change should be, beside the actual change (never replacing
-- it). Last year = the same two windows 364 days earlier. NULL with a reason when the
-- history does not cover last year's prior window.
{% set metrics = ['net_sales', 'orders'] %}
with measured as (
    select * from {{ ref('int_kpi_windows_measured') }}
),

paired as (
    {% for m in metrics %}
    select
        recent.as_of_date,
        recent.window_days,
        '{{ m }}' as metric,
        cast(recent.{{ m }} as double) as recent_value,
        cast(prior.{{ m }} as double) as prior_value,
        cast(ly_recent.{{ m }} as double) as last_year_recent_value,
        cast(ly_prior.{{ m }} as double) as last_year_prior_value,
        ly_prior.window_start as last_year_prior_start,
        ly_prior.is_complete_window as is_last_year_covered
    from measured as recent
    inner join measured as prior
        on recent.window_days = prior.window_days and prior.period = 'prior'
    inner join measured as ly_recent
        on recent.window_days = ly_recent.window_days and ly_recent.period = 'recent_last_year'
    inner join measured as ly_prior
        on recent.window_days = ly_prior.window_days and ly_prior.period = 'prior_last_year'
    where recent.period = 'recent'
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

lifts as (
    select
        *,
        case when prior_value > 0 then recent_value / prior_value - 1 end as actual_lift,
        case
            when is_last_year_covered and last_year_prior_value > 0
                then last_year_recent_value / last_year_prior_value - 1
        end as expected_lift
    from paired
)

select
    as_of_date,
    window_days,
    metric,
    recent_value,
    prior_value,
    actual_lift,
    case when is_last_year_covered then last_year_recent_value end as last_year_recent_value,
    case when is_last_year_covered then last_year_prior_value end as last_year_prior_value,
    expected_lift,
    actual_lift - expected_lift as surprise,
    case
        when not is_last_year_covered then 'history_before_' || cast(last_year_prior_start as varchar)
        when last_year_prior_value = 0 then 'no_orders_last_year'
        when prior_value = 0 then 'no_orders_in_prior_window'
    end as expectation_missing_reason
from lifts
