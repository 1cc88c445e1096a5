-- One row per resolved customer (after merges). Order counts and money cover counted
-- orders only (not voided, not cancelled, with at least one unit sold).
with orders as (
    select * from {{ ref('fct_orders') }} where customer_key is not null
),

counted as (
    select
        customer_key,
        count(*) as orders,
        min(order_date) as first_order_date,
        max(order_date) as last_order_date,
        sum(gross_sales) as gross_sales,
        sum(discounts) as discounts,
        sum(returns) as returns,
        sum(net_sales) as net_sales,
        sum(units) as units,
        sum(case when discounts > 0 then 1 else 0 end) as discounted_orders
    from orders
    where is_counted_order
    group by customer_key
),

all_orders as (
    select
        customer_key,
        count(*) as orders_including_not_counted,
        count(distinct order_identity_key) as identities
    from orders
    group by customer_key
),

latest_consent as (
    -- The latest order that states consent, whatever the other fields say.
    select customer_key, accepts_marketing
    from (
        select
            customer_key,
            accepts_marketing,
            row_number() over (
                partition by customer_key
                order by ordered_at_utc desc nulls last, order_id desc nulls last
            ) as recency
        from orders
        where accepts_marketing is not null
    ) as ranked
    where recency = 1
),

latest_place as (
    select customer_key, country, region
    from (
        select
            customer_key,
            country,
            region,
            row_number() over (
                partition by customer_key
                order by ordered_at_utc desc nulls last, order_id desc nulls last
            ) as recency
        from orders
        where country is not null
    ) as ranked
    where recency = 1
)

select
    all_orders.customer_key,
    {{ dbt.split_part('all_orders.customer_key', "':'", 1) }} as customer_identity_type,
    case
        when all_orders.customer_key like 'email:%'
            then substr(all_orders.customer_key, 7)
    end as email,
    all_orders.identities as identities_merged,
    coalesce(counted.orders, 0) as orders,
    all_orders.orders_including_not_counted,
    counted.first_order_date,
    counted.last_order_date,
    coalesce(counted.gross_sales, 0) as gross_sales,
    coalesce(counted.discounts, 0) as discounts,
    coalesce(counted.returns, 0) as returns,
    coalesce(counted.net_sales, 0) as net_sales,
    coalesce(counted.units, 0) as units,
    case when counted.orders > 0 then counted.net_sales / counted.orders end
        as average_order_value,
    case when counted.orders > 0 then cast(counted.discounted_orders as double) / counted.orders end
        as discounted_order_share,
    coalesce(counted.orders, 0) >= 2 as is_repeat_customer,
    latest_consent.accepts_marketing,
    latest_place.country,
    latest_place.region
from all_orders
left join counted on all_orders.customer_key = counted.customer_key
left join latest_consent on all_orders.customer_key = latest_consent.customer_key
left join latest_place on all_orders.customer_key = latest_place.customer_key
