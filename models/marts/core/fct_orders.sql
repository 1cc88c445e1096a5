-- One row per order (all orders, including voided and cancelled ones, which are flagged
-- and never counted). Money is in the store's currency; days are the shop's local days.
with orders as (
    select
        valued.*,
        identified.customer_key,
        identified.identity_key,
        identified.is_merged_identity,
        {{ aura_local_timestamp('valued.ordered_at') }} as ordered_at_local
    from {{ ref('int_orders_valued') }} as valued
    inner join {{ ref('int_orders_identified') }} as identified
        on valued.order_id = identified.order_id
),

sequenced as (
    select
        *,
        case when is_counted_order and customer_key is not null then row_number() over (
            partition by customer_key, is_counted_order
            order by ordered_at nulls last, order_id nulls last
        ) end as customer_order_number,
        case when is_counted_order and customer_key is not null then lag(ordered_at_local) over (
            partition by customer_key, is_counted_order
            order by ordered_at nulls last, order_id nulls last
        ) end as previous_order_at_local
    from orders
)

select
    order_id,
    cast(ordered_at_local as date) as order_date,
    ordered_at_local,
    ordered_at as ordered_at_utc,
    customer_key,
    case
        when customer_key is null then 'unidentified'
        else {{ dbt.split_part('customer_key', "':'", 1) }}
    end as customer_identity_type,
    identity_key as order_identity_key,
    is_merged_identity,
    financial_status,
    is_voided,
    is_cancelled,
    is_counted_order,
    gross_sales,
    discounts,
    returns,
    net_sales_before_returns - returns as net_sales,
    net_sales_before_returns,
    net_sales_method,
    subtotal_reading,
    total_method_difference,
    line_items_method_difference,
    is_net_sales_method_disagreement,
    shipping,
    taxes,
    total,
    subtotal,
    discount_amount,
    refunded_amount,
    case when gross_sales > 0 then discounts / gross_sales end as discount_rate,
    discount_code,
    units,
    product_lines,
    non_positive_quantity_lines,
    is_counted_order and net_sales_before_returns = 0 as is_zero_value,
    customer_order_number,
    customer_order_number = 1 as is_first_order,
    customer_order_number > 1 as is_repeat_order,
    {{ dbt.datediff('cast(previous_order_at_local as date)', 'cast(ordered_at_local as date)', 'day') }}
        as days_since_previous_order,
    currency,
    source_name,
    accepts_marketing,
    country,
    region,
    source_file,
    source_row
from sequenced
