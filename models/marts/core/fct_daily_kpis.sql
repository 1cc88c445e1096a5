-- One row per local calendar day from the first to the last counted order (days without
-- orders included, with zeros). Counts and money cover counted orders only, so daily
-- sums equal the order sums in fct_orders.
with counted as (
    select * from {{ ref('fct_orders') }} where is_counted_order
),

bounds as (
    select min(order_date) as first_date, max(order_date) as last_date from counted
),

days as (
    select cast({{ dbt.dateadd('day', 'numbers.n', 'bounds.first_date') }} as date) as kpi_date
    from ({{ aura_numbers(5) }}) as numbers
    cross join bounds
    where numbers.n <= {{ dbt.datediff('bounds.first_date', 'bounds.last_date', 'day') }}
),

daily as (
    select
        order_date,
        count(*) as orders,
        count(distinct customer_key) as identified_customers,
        sum(case when is_first_order then 1 else 0 end) as new_customer_orders,
        sum(case when is_repeat_order then 1 else 0 end) as returning_customer_orders,
        sum(case when customer_key is null then 1 else 0 end) as unidentified_orders,
        sum(case when discounts > 0 then 1 else 0 end) as discounted_orders,
        sum(case when is_zero_value then 1 else 0 end) as zero_value_orders,
        sum(units) as units,
        sum(gross_sales) as gross_sales,
        sum(discounts) as discounts,
        sum(returns) as returns,
        sum(net_sales) as net_sales,
        sum(shipping) as shipping,
        sum(taxes) as taxes
    from counted
    group by order_date
),

not_counted as (
    select
        order_date,
        sum(case when is_cancelled then 1 else 0 end) as cancelled_orders,
        sum(case when is_voided and not is_cancelled then 1 else 0 end) as voided_orders
    from {{ ref('fct_orders') }}
    where not is_counted_order
    group by order_date
)

select
    days.kpi_date,
    coalesce(daily.orders, 0) as orders,
    coalesce(daily.identified_customers, 0) as identified_customers,
    coalesce(daily.new_customer_orders, 0) as new_customer_orders,
    coalesce(daily.returning_customer_orders, 0) as returning_customer_orders,
    coalesce(daily.unidentified_orders, 0) as unidentified_orders,
    coalesce(daily.discounted_orders, 0) as discounted_orders,
    coalesce(daily.zero_value_orders, 0) as zero_value_orders,
    coalesce(daily.units, 0) as units,
    coalesce(daily.gross_sales, 0) as gross_sales,
    coalesce(daily.discounts, 0) as discounts,
    coalesce(daily.returns, 0) as returns,
    coalesce(daily.net_sales, 0) as net_sales,
    coalesce(daily.shipping, 0) as shipping,
    coalesce(daily.taxes, 0) as taxes,
    case when daily.orders > 0 then daily.net_sales / daily.orders end as average_order_value,
    case when daily.gross_sales > 0 then daily.discounts / daily.gross_sales end as discount_rate,
    coalesce(not_counted.cancelled_orders, 0) as cancelled_orders,
    coalesce(not_counted.voided_orders, 0) as voided_orders
from days
left join daily on days.kpi_date = daily.order_date
left join not_counted on days.kpi_date = not_counted.order_date
