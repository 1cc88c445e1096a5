-- One row per (anchor date, play) of the backtest (int_backtest_anchors_listed): the
-- customers in the play's audience at the anchor date - the same rules as
-- mart_audience_members (macros/audience_members.sql), evaluated as if the anchor date
-- were the as-of date, with the primary window the policy picks at that date - followed for
-- the 28 days after it (anchor date excluded, anchor + 28 included, as
-- int_play_cohorts_followed follows its cohorts). The audience at a month-end m followed to
-- m + 28 is the backtest's actual; the audience at m - 28 followed to m is what the engine
-- knew at m. Every play has a row at every anchor (zero customers when the audience was
-- empty). Definitions: DECISIONLOG "Backtests".
{{ config(enabled=backtest_enabled()) }}
{%- set horizon = backtest_horizon_days() %}

with anchors as (
    select anchor_date, primary_window_days
    from {{ ref('int_backtest_anchors_listed') }}
),

members as (
    {{ actions_audience_members(
        "select cast(anchor_date as " ~ dbt.type_string() ~ ") as anchor_id, anchor_date as as_of_date, "
        ~ "primary_window_days from " ~ ref('int_backtest_anchors_listed'),
        anchor_window=true) }}
),

cohort_members as (
    select distinct
        members.as_of_date as anchor_date,
        members.play_id,
        members.customer_key
    from members
),

-- counted orders a cohort's members placed in the 28 days after the anchor date
window_orders as (
    select
        cohort_members.anchor_date,
        cohort_members.play_id,
        cohort_members.customer_key,
        orders.order_id,
        orders.net_sales
    from cohort_members
    inner join {{ ref('fct_orders') }} as orders
        on orders.customer_key = cohort_members.customer_key
        and orders.order_date > cohort_members.anchor_date
        and orders.order_date <= {{ metrics_add_days('cohort_members.anchor_date', horizon) }}
    where orders.is_counted_order
),

customers as (
    select anchor_date, play_id, count(*) as customers
    from cohort_members
    group by anchor_date, play_id
),

ordering as (
    select
        anchor_date,
        play_id,
        count(distinct customer_key) as ordering_customers,
        count(*) as orders,
        sum(net_sales) as net_sales,
        var_samp(net_sales) as order_net_sales_variance
    from window_orders
    group by anchor_date, play_id
),

grid as (
    select anchors.anchor_date, anchors.primary_window_days, plays.play_id
    from anchors
    cross join {{ ref('play_tests') }} as plays
)

select
    grid.anchor_date,
    grid.play_id,
    grid.primary_window_days,
    {{ metrics_add_days('grid.anchor_date', horizon) }} as follow_end_date,
    coalesce(customers.customers, 0) as customers,
    coalesce(ordering.ordering_customers, 0) as ordering_customers,
    coalesce(ordering.orders, 0) as orders,
    coalesce(ordering.net_sales, 0) as net_sales,
    ordering.order_net_sales_variance
from grid
left join customers
    on grid.anchor_date = customers.anchor_date
    and grid.play_id = customers.play_id
left join ordering
    on grid.anchor_date = ordering.anchor_date
    and grid.play_id = ordering.play_id
