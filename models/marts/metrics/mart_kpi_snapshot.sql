-- One row per (as_of_date, window_days, period): the store's KPIs over the recent
-- window ending at the as-of date and the equally long prior window before it.
-- Definitions: int_kpi_windows_measured; window boundaries: int_kpi_windows_listed.
select
    as_of_date,
    window_days,
    period,
    window_start,
    window_end,
    is_complete_window,
    net_sales,
    gross_sales,
    discounts,
    returns,
    orders,
    aov,
    discount_rate,
    units,
    units_per_order,
    zero_value_orders,
    identified_customers,
    repeat_customers_within_window,
    repeat_rate_within_window,
    returning_customers,
    returning_customer_share,
    new_customer_rate,
    net_sales_method,
    net_sales_alt_diff_total_method,
    net_sales_alt_diff_line_items_method,
    orders_with_method_disagreement,
    coalesce(
        abs(net_sales_alt_diff_total_method) > {{ var('aura_net_sales_disagreement') }}
        or abs(net_sales_alt_diff_line_items_method) > {{ var('aura_net_sales_disagreement') }},
        false
    ) as net_sales_consistency_flag,
    'v2_repeat_metrics' as metric_version
from {{ ref('int_kpi_windows_measured') }}
where period in ('recent', 'prior')
