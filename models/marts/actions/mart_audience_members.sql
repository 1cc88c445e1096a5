-- One row per (as-of date, play, customer): who is in each play's audience and the facts
-- that put them there, at the as-of date. The rules live in one macro
-- (macros/audience_members.sql), which int_play_cohorts_followed and
-- int_action_audiences_rebuilt evaluate at earlier dates. Definitions: DECISIONLOG
-- "Audiences".
with members as (
    {{ actions_audience_members(
        "select 'as_of' as anchor_id, " ~ aura_as_of_date() ~ " as as_of_date") }}
)

select
    as_of_date,
    play_id,
    customer_key,
    email,
    phone,
    accepts_marketing,
    first_order_date,
    last_order_date,
    days_since_last_order,
    orders,
    net_sales,
    discounted_orders,
    discounted_order_share,
    sku,
    product_title,
    variant_title,
    product_purchase_date,
    days_since_purchase,
    product_orders,
    expected_cycle_days,
    expected_depletion_date,
    qualifying_products,
    reason
from members
