-- One row per launched action (action log, first launch of each action_id, launched on or
-- before the as-of date): its rebuilt audience (int_action_audiences_rebuilt) split into
-- treated and held-out customers, and how many of each converted - placed a counted order
-- with launched_at < ordered_at_utc <= launched_at + aura_measurement_days x 24 hours.
-- Treated minus held-out conversion rate is the measured lift, with the Newcombe 95% CI
-- and the two-proportion test of the statistics UDFs (python_udfs/; they exist only on
-- dbt's connection, hence a table). While the window is open (status 'pending') the
-- outcomes are NULL, not partial; anything that cannot be computed is NULL with
-- stats_null_reason. Definitions: DECISIONLOG "Measured outcomes".
with as_of as (
    select {{ aura_as_of_date() }} as as_of_date
),

launches as (
    {{ tracking_launched_actions() }}
),

audience as (
    select
        action_id,
        customer_key,
        launched_at,
        measurement_end_at,
        is_holdout
    from {{ ref('int_action_audiences_rebuilt') }}
),

-- each member's counted orders inside the measurement window
window_orders as (
    select
        audience.action_id,
        audience.customer_key,
        count(*) as orders,
        sum(orders.net_sales) as net_sales
    from audience
    inner join {{ ref('fct_orders') }} as orders
        on orders.customer_key = audience.customer_key
        and orders.ordered_at_utc > audience.launched_at
        and orders.ordered_at_utc <= audience.measurement_end_at
    where orders.is_counted_order
    group by audience.action_id, audience.customer_key
),

arms as (
    select
        audience.action_id,
        count(*) as audience_size,
        sum(case when audience.is_holdout then 0 else 1 end) as treated_n,
        sum(case when audience.is_holdout then 1 else 0 end) as holdout_n,
        sum(case when not audience.is_holdout and window_orders.orders > 0 then 1 else 0 end)
            as treated_conversions,
        sum(case when audience.is_holdout and window_orders.orders > 0 then 1 else 0 end)
            as holdout_conversions,
        sum(case when audience.is_holdout then 0 else coalesce(window_orders.net_sales, 0) end)
            as treated_net_sales,
        sum(case when audience.is_holdout then coalesce(window_orders.net_sales, 0) else 0 end)
            as holdout_net_sales
    from audience
    left join window_orders
        on audience.action_id = window_orders.action_id
        and audience.customer_key = window_orders.customer_key
    group by audience.action_id
),

measured as (
    select
        launches.*,
        as_of.as_of_date,
        cast({{ aura_local_timestamp('launches.measurement_end_at') }} as date) as measurement_end_date,
        case
            when as_of.as_of_date < cast({{ aura_local_timestamp('launches.measurement_end_at') }} as date)
                then 'pending'
            else 'complete'
        end as status,
        cast(coalesce(arms.audience_size, 0) as bigint) as audience_size,
        cast(coalesce(arms.treated_n, 0) as bigint) as treated_n,
        cast(coalesce(arms.holdout_n, 0) as bigint) as holdout_n,
        cast(coalesce(arms.treated_conversions, 0) as bigint) as treated_conversions,
        cast(coalesce(arms.holdout_conversions, 0) as bigint) as holdout_conversions,
        coalesce(arms.treated_net_sales, 0) as treated_net_sales,
        coalesce(arms.holdout_net_sales, 0) as holdout_net_sales
    from launches
    cross join as_of
    left join arms on launches.action_id = arms.action_id
),

reasoned as (
    select
        *,
        case
            when status = 'pending' then 'measurement_window_open'
            when audience_size = 0 then 'empty_audience'
            when treated_n = 0 then 'empty_treated'
            when holdout_n = 0 then 'empty_holdout'
        end as base_null_reason
    from measured
),

tested as (
    select
        *,
        case when base_null_reason is null
            then diff_ci_lower(treated_conversions, treated_n, holdout_conversions, holdout_n) end as ci_lower,
        case when base_null_reason is null
            then diff_ci_upper(treated_conversions, treated_n, holdout_conversions, holdout_n) end as ci_upper,
        case when base_null_reason is null
            then two_prop_pvalue(treated_conversions, treated_n, holdout_conversions, holdout_n) end as p,
        case when base_null_reason is null
            then two_prop_method(treated_conversions, treated_n, holdout_conversions, holdout_n) end as method
    from reasoned
),

finished as (
    select
        *,
        -- the UDFs return NULL on inputs they cannot test; never report such a row as tested
        case
            when base_null_reason is not null then base_null_reason
            when p is null or method is null or ci_lower is null or ci_upper is null
                then 'stats_not_computed'
        end as stats_null_reason
    from tested
)

select
    action_id,
    play_id,
    variant_id,
    channel,
    launched_at,
    launch_date,
    holdout_fraction,
    is_default_holdout_fraction,
    measurement_days,
    measurement_end_at,
    measurement_end_date,
    as_of_date,
    status,
    action_log_rows,
    audience_size,
    treated_n,
    holdout_n,
    case when status = 'complete' then treated_conversions end as treated_conversions,
    case when status = 'complete' then holdout_conversions end as holdout_conversions,
    case when status = 'complete' and treated_n > 0
        then cast(treated_conversions as double) / treated_n end as treated_rate,
    case when status = 'complete' and holdout_n > 0
        then cast(holdout_conversions as double) / holdout_n end as holdout_rate,
    case when stats_null_reason is null
        then cast(treated_conversions as double) / treated_n
            - cast(holdout_conversions as double) / holdout_n end as lift_abs,
    case when stats_null_reason is null then ci_lower end as lift_ci_lower,
    case when stats_null_reason is null then ci_upper end as lift_ci_upper,
    case when stats_null_reason is null then p end as p_value,
    case when stats_null_reason is null then method end as test_method,
    stats_null_reason,
    case when status = 'complete' and treated_n > 0
        then cast(treated_net_sales as double) / treated_n end as treated_net_sales_per_customer,
    case when status = 'complete' and holdout_n > 0
        then cast(holdout_net_sales as double) / holdout_n end as holdout_net_sales_per_customer
from finished
