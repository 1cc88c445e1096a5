-- How each order's net sales were computed, and how far the other methods land.
-- Run: dbt compile --select net_sales_by_method, then run the compiled SQL
-- (target/compiled/aura/analyses/) against the published DuckDB file.
select
    net_sales_method,
    subtotal_reading,
    count(*) as orders,
    sum(net_sales) as net_sales,
    sum(coalesce(total_method_difference, 0)) as total_method_difference,
    sum(coalesce(line_items_method_difference, 0)) as line_items_method_difference,
    sum(case when is_net_sales_method_disagreement then 1 else 0 end) as orders_disagreeing
from {{ ref('fct_orders') }}
where is_counted_order
group by net_sales_method, subtotal_reading
order by orders desc
