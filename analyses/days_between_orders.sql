-- The spread of days between a customer's consecutive orders (repeat orders only):
-- the cadence the winback and replenishment windows are set against.
select
    days_since_previous_order,
    count(*) as repeat_orders
from {{ ref('fct_orders') }}
where is_repeat_order
group by days_since_previous_order
order by days_since_previous_order
