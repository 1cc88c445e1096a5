-- One row per launched action (action log, first launch of each action_id, launched on or
-- before the as-of date): its audience (mart_action_audience_members: frozen at launch, else rebuilt) split into
-- treated and held-out customers, and how many of each converted - placed a counted order
-- with launched_at < ordered_at_utc <= launched_at + aura_measurement_days x 24 hours.
-- Treated minus held-out conversion rate is the measured lift, with the Newcombe 95% CI
-- and the two-proportion test; treated minus held-out net sales per customer (every member,
-- buyers or not) is the revenue lift, with the Welch 95% CI and t-test on the per-customer
-- values (mean, variance and n per arm computed here, then the UDFs of python_udfs/; they
-- exist only on dbt's connection, hence a table). The actual incremental net sales (revenue
-- lift x treated customers) is compared with the prediction frozen in the action log at
-- launch. pending while the window is open, overdue when it has ended but the orders read
-- do not reach its end; both have NULL outcomes, never partial ones. Anything that cannot
-- be computed is NULL with a reason. Definitions: DECISIONLOG "Measured outcomes" and
-- "Outcomes and accuracy".
{%- set window_factor = tracking_prediction_window_factor() %}

with as_of as (
    select {{ aura_as_of_date() }} as as_of_date
),

-- how far the orders read reach (any order, counted or not: the export's last day)
data_extent as (
    select max(order_date) as data_through_date
    from {{ ref('fct_orders') }}
),

launches as (
    {{ tracking_launched_actions(with_predictions=true) }}
),

audience as (
    select
        action_id,
        customer_key,
        launched_at,
        measurement_end_at,
        is_holdout,
        audience_source
    from {{ ref('mart_action_audience_members') }}
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

-- one value per member: the window's net sales, 0 for members who did not buy
members as (
    select
        audience.action_id,
        audience.is_holdout,
        audience.audience_source,
        coalesce(window_orders.orders, 0) as orders,
        cast(coalesce(window_orders.net_sales, 0) as double) as net_sales
    from audience
    left join window_orders
        on audience.action_id = window_orders.action_id
        and audience.customer_key = window_orders.customer_key
),

arms as (
    select
        action_id,
        min(audience_source) as audience_source,
        count(*) as audience_size,
        sum(case when is_holdout then 0 else 1 end) as treated_n,
        sum(case when is_holdout then 1 else 0 end) as holdout_n,
        sum(case when not is_holdout and orders > 0 then 1 else 0 end) as treated_conversions,
        sum(case when is_holdout and orders > 0 then 1 else 0 end) as holdout_conversions,
        sum(case when is_holdout then 0 else net_sales end) as treated_net_sales,
        sum(case when is_holdout then net_sales else 0 end) as holdout_net_sales,
        -- sample variances (ddof 1) of the per-member values; NULL below 2 members
        var_samp(case when is_holdout then null else net_sales end) as treated_net_sales_variance,
        var_samp(case when is_holdout then net_sales end) as holdout_net_sales_variance
    from members
    group by action_id
),

measured as (
    select
        launches.*,
        as_of.as_of_date,
        data_extent.data_through_date,
        coalesce(arms.audience_source, 'rebuilt_at_launch_date') as audience_source,
        cast({{ aura_local_timestamp('launches.measurement_end_at') }} as date) as measurement_end_date,
        cast(coalesce(arms.audience_size, 0) as bigint) as audience_size,
        cast(coalesce(arms.treated_n, 0) as bigint) as treated_n,
        cast(coalesce(arms.holdout_n, 0) as bigint) as holdout_n,
        cast(coalesce(arms.treated_conversions, 0) as bigint) as treated_conversions,
        cast(coalesce(arms.holdout_conversions, 0) as bigint) as holdout_conversions,
        cast(coalesce(arms.treated_net_sales, 0) as double) as treated_net_sales,
        cast(coalesce(arms.holdout_net_sales, 0) as double) as holdout_net_sales,
        arms.treated_net_sales_variance,
        arms.holdout_net_sales_variance
    from launches
    cross join as_of
    cross join data_extent
    left join arms on launches.action_id = arms.action_id
),

statused as (
    select
        *,
        case
            when as_of_date < measurement_end_date then 'pending'
            when data_through_date is null or data_through_date < measurement_end_date then 'overdue'
            else 'complete'
        end as status
    from measured
),

reasoned as (
    select
        *,
        case
            when status = 'pending' then 'measurement_window_open'
            when status = 'overdue' then 'orders_do_not_cover_window'
            when audience_size = 0 then 'empty_audience'
            when treated_n = 0 then 'empty_treated'
            when holdout_n = 0 then 'empty_holdout'
        end as base_null_reason,
        -- the prediction is known at launch, whatever the status
        case
            when predicted_net_sales_p10 is null and predicted_net_sales_p50 is null
                and predicted_net_sales_p90 is null then 'no_prediction_logged'
            when predicted_net_sales_p10 is null or predicted_net_sales_p50 is null
                or predicted_net_sales_p90 is null then 'prediction_incomplete'
            when predicted_net_sales_p10 > predicted_net_sales_p50
                or predicted_net_sales_p50 > predicted_net_sales_p90 then 'prediction_not_ordered'
            when treated_n = 0 then 'empty_treated'
        end as prediction_null_reason,
        case when launch_audience_size > 0 then 'launch_audience_size' else 'rebuilt_audience_size' end
            as audience_basis
    from statused
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
            then two_prop_method(treated_conversions, treated_n, holdout_conversions, holdout_n) end as method,
        case when base_null_reason is null
            then treated_net_sales / treated_n - holdout_net_sales / holdout_n end as revenue_lift,
        case when base_null_reason is null
            then welch_ci_lower(treated_n, treated_net_sales / treated_n, treated_net_sales_variance,
                holdout_n, holdout_net_sales / holdout_n, holdout_net_sales_variance) end as revenue_ci_lower,
        case when base_null_reason is null
            then welch_ci_upper(treated_n, treated_net_sales / treated_n, treated_net_sales_variance,
                holdout_n, holdout_net_sales / holdout_n, holdout_net_sales_variance) end as revenue_ci_upper,
        case when base_null_reason is null
            then welch_pvalue(treated_n, treated_net_sales / treated_n, treated_net_sales_variance,
                holdout_n, holdout_net_sales / holdout_n, holdout_net_sales_variance) end as revenue_p,
        -- the logged prediction (whole audience at launch, the plan's month) for the
        -- measurement window and the treated customers: x window factor x treated / audience
        case when prediction_null_reason is null
            then cast({{ window_factor }} as double) * treated_n
                / (case when launch_audience_size > 0 then launch_audience_size else audience_size end)
        end as prediction_scale
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
        end as stats_null_reason,
        case
            when base_null_reason is not null then base_null_reason
            when revenue_p is null or revenue_ci_lower is null or revenue_ci_upper is null
                then 'stats_not_computed'
        end as revenue_stats_null_reason,
        predicted_net_sales_p10 * prediction_scale as predicted_incremental_p10,
        predicted_net_sales_p50 * prediction_scale as predicted_incremental_p50,
        predicted_net_sales_p90 * prediction_scale as predicted_incremental_p90,
        revenue_lift * treated_n as actual_incremental
    from tested
),

compared as (
    select
        *,
        case
            when base_null_reason is not null then base_null_reason
            when prediction_null_reason is not null then prediction_null_reason
            when predicted_incremental_p50 <= 0 then 'prediction_not_positive'
        end as accuracy_null_reason
    from finished
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
    data_through_date,
    status,
    action_log_rows,
    audience_source,
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
        then treated_net_sales / treated_n end as treated_net_sales_per_customer,
    case when status = 'complete' and holdout_n > 0
        then holdout_net_sales / holdout_n end as holdout_net_sales_per_customer,
    case when status = 'complete' and treated_n > 1
        then sqrt(treated_net_sales_variance) end as treated_net_sales_sd,
    case when status = 'complete' and holdout_n > 1
        then sqrt(holdout_net_sales_variance) end as holdout_net_sales_sd,
    revenue_lift as revenue_lift_per_customer,
    case when revenue_stats_null_reason is null then revenue_ci_lower end as revenue_lift_ci_lower,
    case when revenue_stats_null_reason is null then revenue_ci_upper end as revenue_lift_ci_upper,
    case when revenue_stats_null_reason is null then revenue_p end as revenue_lift_p_value,
    revenue_stats_null_reason,
    actual_incremental as actual_incremental_net_sales,
    case when revenue_stats_null_reason is null
        then revenue_ci_lower * treated_n end as actual_incremental_net_sales_ci_lower,
    case when revenue_stats_null_reason is null
        then revenue_ci_upper * treated_n end as actual_incremental_net_sales_ci_upper,
    predicted_net_sales_p10,
    predicted_net_sales_p50,
    predicted_net_sales_p90,
    launch_audience_size,
    case when prediction_null_reason is null then audience_basis end as prediction_audience_basis,
    cast({{ window_factor }} as double) as prediction_window_factor,
    predicted_incremental_p10 as predicted_incremental_net_sales_p10,
    predicted_incremental_p50 as predicted_incremental_net_sales_p50,
    predicted_incremental_p90 as predicted_incremental_net_sales_p90,
    prediction_null_reason,
    case when actual_incremental is not null and predicted_incremental_p50 is not null
        then actual_incremental >= predicted_incremental_p10
            and actual_incremental <= predicted_incremental_p90 end as is_actual_within_p10_p90,
    case when accuracy_null_reason is null
        then 100.0 * (1.0 - abs(actual_incremental - predicted_incremental_p50) / predicted_incremental_p50)
    end as revenue_accuracy_pct,
    case when accuracy_null_reason is null
        then actual_incremental / predicted_incremental_p50 end as actual_to_predicted_ratio,
    accuracy_null_reason
from compared
