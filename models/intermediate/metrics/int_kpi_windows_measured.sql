-- One row per KPI window (int_kpi_windows_listed): every store metric over the window's
-- counted orders. This is where the metric definitions live (Metrics Reference v2):
--   net_sales                 sum of order net sales (gross - discounts - returns)
--   orders                    counted orders placed in the window
--   aov                       net_sales / orders
--   discount_rate             discounts / gross sales
--   units_per_order           units / orders
--   identified_customers      distinct customers with an order in the window
--   repeat_rate_within_window share of those with 2+ orders inside the window
--   returning_customer_share  share of those with any order before the window start
--   new_customer_rate         1 - returning_customer_share (derived: never tested as
--                             if independent)
with windows as (
    select * from {{ ref('int_kpi_windows_listed') }}
),

orders as (
    select
        orders.*,
        customers.first_order_date as customer_first_order_date
    from {{ ref('fct_orders') }} as orders
    left join {{ ref('dim_customers') }} as customers
        on orders.customer_key = customers.customer_key
    where orders.is_counted_order
),

window_orders as (
    select windows.window_days, windows.period, orders.*
    from windows
    inner join orders
        on orders.order_date >= windows.window_start
        and orders.order_date <= windows.window_end
),

order_totals as (
    select
        window_days,
        period,
        count(*) as orders,
        sum(net_sales) as net_sales,
        sum(gross_sales) as gross_sales,
        sum(discounts) as discounts,
        sum(returns) as returns,
        sum(net_sales_before_returns) as net_sales_before_returns,
        sum(units) as units,
        sum(case when is_zero_value then 1 else 0 end) as zero_value_orders,
        count(distinct net_sales_method) as net_sales_methods_used,
        min(net_sales_method) as net_sales_method_any,
        sum(total_method_difference) as total_method_difference,
        sum(case when total_method_difference is not null then net_sales_before_returns end)
            as total_method_base,
        sum(line_items_method_difference) as line_items_method_difference,
        sum(case when line_items_method_difference is not null then net_sales_before_returns end)
            as line_items_method_base,
        sum(case when is_net_sales_method_disagreement then 1 else 0 end)
            as orders_with_method_disagreement
    from window_orders
    group by window_days, period
),

customer_windows as (
    select
        window_days,
        period,
        customer_key,
        count(*) as orders_in_window,
        min(customer_first_order_date) as first_order_date
    from window_orders
    where customer_key is not null
    group by window_days, period, customer_key
),

customer_totals as (
    select
        customer_windows.window_days,
        customer_windows.period,
        count(*) as identified_customers,
        sum(case when orders_in_window >= 2 then 1 else 0 end) as repeat_customers_within_window,
        sum(case when first_order_date < windows.window_start then 1 else 0 end)
            as returning_customers
    from customer_windows
    inner join windows
        on customer_windows.window_days = windows.window_days
        and customer_windows.period = windows.period
    group by customer_windows.window_days, customer_windows.period
),

history as (
    select min(order_date) as first_order_date from orders
)

select
    windows.as_of_date,
    windows.window_days,
    windows.period,
    windows.window_start,
    windows.window_end,
    windows.window_start >= history.first_order_date as is_complete_window,
    coalesce(order_totals.orders, 0) as orders,
    coalesce(order_totals.net_sales, 0) as net_sales,
    coalesce(order_totals.gross_sales, 0) as gross_sales,
    coalesce(order_totals.discounts, 0) as discounts,
    coalesce(order_totals.returns, 0) as returns,
    coalesce(order_totals.units, 0) as units,
    coalesce(order_totals.zero_value_orders, 0) as zero_value_orders,
    case when order_totals.orders > 0 then order_totals.net_sales / order_totals.orders end as aov,
    case when order_totals.gross_sales > 0 then order_totals.discounts / order_totals.gross_sales end
        as discount_rate,
    case when order_totals.orders > 0 then cast(order_totals.units as double) / order_totals.orders end
        as units_per_order,
    coalesce(customer_totals.identified_customers, 0) as identified_customers,
    coalesce(customer_totals.repeat_customers_within_window, 0) as repeat_customers_within_window,
    coalesce(customer_totals.returning_customers, 0) as returning_customers,
    case
        when customer_totals.identified_customers > 0
            then cast(customer_totals.repeat_customers_within_window as double)
                / customer_totals.identified_customers
    end as repeat_rate_within_window,
    case
        when customer_totals.identified_customers > 0
            then cast(customer_totals.returning_customers as double)
                / customer_totals.identified_customers
    end as returning_customer_share,
    case
        when customer_totals.identified_customers > 0
            then 1 - cast(customer_totals.returning_customers as double)
                / customer_totals.identified_customers
    end as new_customer_rate,
    case
        when order_totals.orders is null then null
        when order_totals.net_sales_methods_used = 1 then order_totals.net_sales_method_any
        else 'mixed'
    end as net_sales_method,
    case
        when order_totals.total_method_base <> 0
            then order_totals.total_method_difference / order_totals.total_method_base
    end as net_sales_alt_diff_total_method,
    case
        when order_totals.line_items_method_base <> 0
            then order_totals.line_items_method_difference / order_totals.line_items_method_base
    end as net_sales_alt_diff_line_items_method,
    coalesce(order_totals.orders_with_method_disagreement, 0) as orders_with_method_disagreement
from windows
cross join history
left join order_totals
    on windows.window_days = order_totals.window_days and windows.period = order_totals.period
left join customer_totals
    on windows.window_days = customer_totals.window_days
    and windows.period = customer_totals.period
