-- One row per backtest anchor date: every month-end the engine is replayed at, and the
-- date 28 days before each (where the audience whose 28 days end at the month-end was
-- drawn). A month-end m (the last shop-local day of a calendar month) is backtested when
-- the 56-day window ending at it lies inside the order history (m - 55 >= the first
-- counted order's date, as mart_kpi_snapshot's is_complete_window) and the 28 days after
-- it, (m, m + 28], are covered by the orders read (m + 28 <= the as-of date and <= the
-- last order date of any status). For each anchor: the counted orders and net sales of
-- the 7, 28 and 56 days ending at it (inclusive, as the KPI windows) - everything the
-- engine's baselines and window policy read at that date (macros/baselines.sql) - and of
-- the 28 days after it, the backtest's actual. Nothing after the anchor enters the first
-- group. Definitions: DECISIONLOG "Backtests".
{{ config(enabled=backtest_enabled()) }}
{%- set horizon = backtest_horizon_days() %}

with as_of as (
    select {{ aura_as_of_date() }} as as_of_date
),

bounds as (
    select
        min(case when is_counted_order then order_date end) as first_order_date,
        max(order_date) as last_order_date
    from {{ ref('fct_orders') }}
),

limits as (
    select
        as_of.as_of_date,
        bounds.first_order_date,
        case when bounds.last_order_date < as_of.as_of_date then bounds.last_order_date
            else as_of.as_of_date end as data_end_date
    from as_of
    cross join bounds
),

days as (
    select kpi_date, orders, net_sales
    from {{ ref('fct_daily_kpis') }}
),

month_ends as (
    select days.kpi_date as month_end_date
    from days
    cross join limits
    where cast({{ dbt.date_trunc('month', metrics_add_days('days.kpi_date', 1)) }} as date)
            = {{ metrics_add_days('days.kpi_date', 1) }}
        and {{ metrics_add_days('days.kpi_date', -55) }} >= limits.first_order_date
        and {{ metrics_add_days('days.kpi_date', horizon) }} <= limits.data_end_date
),

anchor_dates as (
    select month_end_date as anchor_date from month_ends
    union
    select {{ metrics_add_days('month_end_date', -horizon) }} as anchor_date from month_ends
),

measured as (
    select
        anchor_dates.anchor_date,
        {%- for w in [7, 28, 56] %}
        cast(coalesce(sum(case when days.kpi_date > {{ metrics_add_days('anchor_dates.anchor_date', -w) }}
            and days.kpi_date <= anchor_dates.anchor_date then days.orders end), 0) as bigint) as l{{ w }}_orders,
        coalesce(sum(case when days.kpi_date > {{ metrics_add_days('anchor_dates.anchor_date', -w) }}
            and days.kpi_date <= anchor_dates.anchor_date then days.net_sales end), 0) as l{{ w }}_net_sales,
        {%- endfor %}
        cast(coalesce(sum(case when days.kpi_date > anchor_dates.anchor_date then days.orders end), 0) as bigint)
            as next_orders,
        coalesce(sum(case when days.kpi_date > anchor_dates.anchor_date then days.net_sales end), 0)
            as next_net_sales
    from anchor_dates
    left join days
        on days.kpi_date > {{ metrics_add_days('anchor_dates.anchor_date', -56) }}
        and days.kpi_date <= {{ metrics_add_days('anchor_dates.anchor_date', horizon) }}
    group by anchor_dates.anchor_date
)

select
    limits.as_of_date,
    measured.anchor_date,
    measured.anchor_date in (select month_end_date from month_ends) as is_month_end,
    {{ metrics_add_days('measured.anchor_date', horizon) }} in (select month_end_date from month_ends)
        as is_prior_cohort_date,
    {{ metrics_add_days('measured.anchor_date', horizon) }} as next_end_date,
    measured.l7_orders,
    measured.l28_orders,
    measured.l56_orders,
    measured.l7_net_sales,
    measured.l28_net_sales,
    measured.l56_net_sales,
    {{ metrics_primary_window_days('measured.l7_orders', 'measured.l28_orders') }} as primary_window_days,
    measured.next_orders,
    measured.next_net_sales
from measured
cross join limits
