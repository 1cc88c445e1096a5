-- One row per as-of date: the primary window the engine tests in (aura_window_policy)
-- and the monthly baselines for the forecast, each with its source label:
-- 4 x L7, L28 and L56 / 2 net sales (and orders) of the recent windows. The policy and the
-- baseline arithmetic are macros (macros/baselines.sql) the backtest replays at past month-ends.
with recent as (
    select * from {{ ref('mart_kpi_snapshot') }} where period = 'recent'
),

pivoted as (
    select
        max(as_of_date) as as_of_date,
        max(case when window_days = 7 then orders end) as l7_orders,
        max(case when window_days = 28 then orders end) as l28_orders,
        max(case when window_days = 56 then orders end) as l56_orders,
        max(case when window_days = 7 then net_sales end) as l7_net_sales,
        max(case when window_days = 28 then net_sales end) as l28_net_sales,
        max(case when window_days = 56 then net_sales end) as l56_net_sales,
        max(case when window_days = 7 then is_complete_window end) as l7_complete,
        max(case when window_days = 28 then is_complete_window end) as l28_complete,
        max(case when window_days = 56 then is_complete_window end) as l56_complete
    from recent
),

chosen as (
    select
        *,
        {% set policy = var('aura_window_policy') %}
        {{ metrics_primary_window_days('l7_orders', 'l28_orders') }} as primary_window_days,
        {% if policy == 'auto' %}
        case
            when l7_orders >= {{ var('aura_l7_min_orders') }}
                then 'auto: the last 7 days have ' || cast(l7_orders as varchar)
                    || ' orders (at least {{ var("aura_l7_min_orders") }})'
            when l28_orders >= {{ var('aura_l28_min_orders') }}
                then 'auto: the last 7 days have ' || cast(l7_orders as varchar)
                    || ' orders (under {{ var("aura_l7_min_orders") }}), the last 28 days '
                    || cast(l28_orders as varchar) || ' (at least {{ var("aura_l28_min_orders") }})'
            else 'auto: the last 28 days have ' || cast(l28_orders as varchar)
                || ' orders (under {{ var("aura_l28_min_orders") }}), so the 56-day window is used'
        end as primary_window_reason
        {% else %}
        'set by aura_window_policy = {{ policy }}' as primary_window_reason
        {% endif %}
    from pivoted
)

select
    as_of_date,
    '{{ var("aura_window_policy") }}' as window_policy,
    primary_window_days,
    primary_window_reason,
    l7_orders,
    l28_orders,
    l56_orders,
    l7_net_sales,
    l28_net_sales,
    l56_net_sales,
    {{ metrics_monthly_baseline(7, 'l7_net_sales') }} as baseline_4x_l7_net_sales,
    {{ metrics_monthly_baseline(28, 'l28_net_sales') }} as baseline_l28_net_sales,
    {{ metrics_monthly_baseline(56, 'l56_net_sales') }} as baseline_l56_half_net_sales,
    {{ metrics_monthly_baseline(7, 'l7_orders') }} as baseline_4x_l7_orders,
    {{ metrics_monthly_baseline(28, 'l28_orders') }} as baseline_l28_orders,
    {{ metrics_monthly_baseline(56, 'cast(l56_orders as double)') }} as baseline_l56_half_orders,
    {{ metrics_baseline_source('primary_window_days') }} as baseline_source,
    {{ metrics_chosen_baseline('primary_window_days',
        {7: 'l7_net_sales', 28: 'l28_net_sales', 56: 'l56_net_sales'}) }} as monthly_baseline_net_sales,
    case primary_window_days
        when 7 then l7_complete when 28 then l28_complete else l56_complete
    end as is_baseline_window_complete
from chosen
