-- Customers by the month of their first order: how many came back, and how soon.
select
    {{ dbt.date_trunc('month', 'first_order_date') }} as first_order_month,
    count(*) as customers,
    sum(case when is_repeat_customer then 1 else 0 end) as repeat_customers,
    avg(case when is_repeat_customer then 1.0 else 0.0 end) as repeat_share,
    avg(net_sales) as net_sales_per_customer
from {{ ref('dim_customers') }}
where orders > 0
group by {{ dbt.date_trunc('month', 'first_order_date') }}
order by first_order_month
