-- One row per (month-end, check, subject): what the engine would have predicted at a past
-- month-end m against what happened in the 28 days after it, (m, m + 28]. Month-ends and
-- their windows: int_backtest_anchors_listed; audiences: int_backtest_cohorts_followed.
--   baseline_net_sales        the three monthly baselines at m (4 x L7, L28, L56 / 2;
--                             macros/baselines.sql, as mart_kpi_baselines) and the one the
--                             window policy picks at m ('engine choice'), against the net
--                             sales of the next 28 days; no range.
--   audience_conversion_rate  per play: the share of the play's audience at m that placed a
--                             counted order in the next 28 days, predicted by the same share
--                             of the audience at m - 28 over its 28 days up to m, p10-p90 its
--                             80% Wilson interval.
--   audience_aov              per play: net sales per order of those orders, predicted by the
--                             audience at m - 28's, p10-p90 its 80% one-sample t interval.
-- Nothing is filled in: a row without enough customers or orders has NULL prediction or
-- actual with a reason. Definitions: DECISIONLOG "Backtests".
{{ config(enabled=backtest_enabled()) }}
{%- set z = backtest_z() %}
{%- set level = backtest_interval_level() %}
{%- set horizon = backtest_horizon_days() %}
{%- set min_customers = var('aura_backtest_min_customers') %}
{%- set min_orders = var('aura_backtest_min_orders') %}
{%- set string = dbt.type_string() %}

with anchors as (
    select * from {{ ref('int_backtest_anchors_listed') }}
),

month_ends as (
    select anchors.*, anchors.anchor_date as month_end_date from anchors where anchors.is_month_end
),

-- baseline_net_sales -------------------------------------------------------------------
baseline_rows as (
    {%- for label, days, _ in metrics_baseline_sources() %}
    select
        month_ends.month_end_date,
        '{{ label }}' as subject,
        {{ loop.index + 1 }} as subject_order,
        {{ forecast_baseline_label("'" ~ label ~ "'") }} as subject_label,
        {{ metrics_baseline_source('month_ends.primary_window_days') }} as engine_source,
        cast({{ metrics_monthly_baseline(days, 'month_ends.l' ~ days ~ '_net_sales') }} as double) as predicted,
        month_ends.l{{ days }}_orders as prediction_n,
        cast(month_ends.next_net_sales as double) as actual,
        month_ends.next_orders as actual_n
    from month_ends
    union all
    {%- endfor %}
    select
        month_ends.month_end_date,
        'engine choice' as subject,
        1 as subject_order,
        'the engine''s own pick' as subject_label,
        {{ metrics_baseline_source('month_ends.primary_window_days') }} as engine_source,
        cast({{ metrics_chosen_baseline('month_ends.primary_window_days', {
            7: 'month_ends.l7_net_sales', 28: 'month_ends.l28_net_sales', 56: 'month_ends.l56_net_sales'}) }}
            as double) as predicted,
        case month_ends.primary_window_days
            when 7 then month_ends.l7_orders when 28 then month_ends.l28_orders else month_ends.l56_orders
        end as prediction_n,
        cast(month_ends.next_net_sales as double) as actual,
        month_ends.next_orders as actual_n
    from month_ends
),

baseline as (
    select
        month_end_date,
        'baseline_net_sales' as check_name,
        1 as check_order,
        subject,
        subject_order,
        subject_label,
        engine_source,
        case when subject = 'engine choice'
            then {{ forecast_baseline_label('engine_source') }}
            else subject_label
        end || ' up to ' || cast(month_end_date as {{ string }}) as prediction_basis,
        cast(null as date) as prediction_cohort_date,
        prediction_n,
        actual_n,
        cast(null as double) as predicted_p10,
        predicted as predicted_p50,
        cast(null as double) as predicted_p90,
        actual,
        cast(null as {{ string }}) as null_reason,
        'baseline_has_no_range' as range_null_reason,
        cast(null as bigint) as launched_actions
    from baseline_rows
),

-- audiences ----------------------------------------------------------------------------
cohorts as (
    select * from {{ ref('int_backtest_cohorts_followed') }}
),

-- launched actions of each play whose launch date falls in a month-end's prediction or
-- actual window, (m - 28, m + 28]: those rates are not the audience's natural behaviour
launches as (
    select
        month_ends.month_end_date as month_end_date,
        outcomes.play_id,
        count(*) as launched_actions
    from month_ends
    inner join {{ ref('mart_action_outcomes') }} as outcomes
        on outcomes.launch_date > {{ metrics_add_days('month_ends.month_end_date', -horizon) }}
        and outcomes.launch_date <= {{ metrics_add_days('month_ends.month_end_date', horizon) }}
    group by month_ends.month_end_date, outcomes.play_id
),

paired as (
    select
        month_ends.month_end_date as month_end_date,
        actual.play_id,
        prior.anchor_date as prediction_cohort_date,
        prior.customers as prior_customers,
        prior.ordering_customers as prior_ordering_customers,
        prior.orders as prior_orders,
        prior.net_sales as prior_net_sales,
        prior.order_net_sales_variance as prior_variance,
        actual.customers,
        actual.ordering_customers,
        actual.orders,
        actual.net_sales,
        coalesce(launches.launched_actions, 0) as launched_actions,
        playbooks.title
    from month_ends
    inner join cohorts as actual on actual.anchor_date = month_ends.month_end_date
    inner join cohorts as prior
        on prior.anchor_date = {{ metrics_add_days('month_ends.month_end_date', -horizon) }}
        and prior.play_id = actual.play_id
    left join launches
        on launches.month_end_date = month_ends.month_end_date
        and launches.play_id = actual.play_id
    left join {{ ref('playbooks') }} as playbooks on playbooks.play_id = actual.play_id
),

conversion as (
    select
        month_end_date,
        'audience_conversion_rate' as check_name,
        2 as check_order,
        play_id as subject,
        cast(null as integer) as subject_order,
        coalesce(title, play_id) as subject_label,
        cast(null as {{ string }}) as engine_source,
        'audience at ' || cast(prediction_cohort_date as {{ string }}) || ' followed to '
            || cast(month_end_date as {{ string }}) as prediction_basis,
        prediction_cohort_date,
        prior_customers as prediction_n,
        customers as actual_n,
        case when prior_customers >= {{ min_customers }} and customers >= {{ min_customers }}
            then wilson_lower(prior_ordering_customers, prior_customers, {{ z }}) end as predicted_p10,
        case when prior_customers >= {{ min_customers }} and customers >= {{ min_customers }}
            then cast(prior_ordering_customers as double) / prior_customers end as predicted_p50,
        case when prior_customers >= {{ min_customers }} and customers >= {{ min_customers }}
            then wilson_upper(prior_ordering_customers, prior_customers, {{ z }}) end as predicted_p90,
        case when prior_customers >= {{ min_customers }} and customers >= {{ min_customers }}
            then cast(ordering_customers as double) / customers end as actual,
        case
            when prior_customers < {{ min_customers }} then 'prior_audience_below_min_customers'
            when customers < {{ min_customers }} then 'audience_below_min_customers'
        end as null_reason,
        case
            when prior_customers < {{ min_customers }} or customers < {{ min_customers }} then 'not_evaluated'
        end as range_null_reason,
        launched_actions
    from paired
),

aov_stats as (
    select
        paired.*,
        case when prior_orders > 0 then cast(prior_net_sales as double) / prior_orders end as prior_aov,
        case when orders > 0 then cast(net_sales as double) / orders end as actual_aov,
        prior_orders >= {{ min_orders }} and orders >= {{ min_orders }} as is_evaluated
    from paired
),

aov_ranges as (
    select
        aov_stats.*,
        case when is_evaluated
            then {{ backtest_mean_interval('lower', 'prior_orders', 'prior_aov', 'prior_variance', level) }}
        end as aov_p10,
        case when is_evaluated
            then {{ backtest_mean_interval('upper', 'prior_orders', 'prior_aov', 'prior_variance', level) }}
        end as aov_p90
    from aov_stats
),

aov as (
    select
        month_end_date,
        'audience_aov' as check_name,
        3 as check_order,
        play_id as subject,
        cast(null as integer) as subject_order,
        coalesce(title, play_id) as subject_label,
        cast(null as {{ string }}) as engine_source,
        'orders of the audience at ' || cast(prediction_cohort_date as {{ string }}) || ' up to '
            || cast(month_end_date as {{ string }}) as prediction_basis,
        prediction_cohort_date,
        prior_orders as prediction_n,
        orders as actual_n,
        aov_p10 as predicted_p10,
        case when is_evaluated then prior_aov end as predicted_p50,
        aov_p90 as predicted_p90,
        case when is_evaluated then actual_aov end as actual,
        case
            when prior_orders < {{ min_orders }} then 'prior_audience_below_min_orders'
            when orders < {{ min_orders }} then 'audience_below_min_orders'
        end as null_reason,
        case
            when not is_evaluated then 'not_evaluated'
            when aov_p10 is null or aov_p90 is null then 'interval_not_computed'
        end as range_null_reason,
        launched_actions
    from aov_ranges
),

all_rows as (
    select * from baseline
    union all
    select * from conversion
    union all
    select * from aov
),

compared as (
    select
        all_rows.*,
        predicted_p50 - actual as error,
        case when actual > 0 then (predicted_p50 - actual) / actual end as pct_error
    from all_rows
)

select
    as_of.as_of_date,
    compared.month_end_date,
    compared.check_name,
    compared.check_order,
    compared.subject,
    coalesce(compared.subject_order, 1 + dense_rank() over (
        partition by compared.check_name order by compared.subject asc nulls last)) as subject_order,
    compared.subject_label,
    compared.engine_source,
    compared.prediction_basis,
    compared.prediction_cohort_date,
    {{ metrics_add_days('compared.month_end_date', horizon) }} as actual_end_date,
    compared.prediction_n,
    compared.actual_n,
    compared.predicted_p10,
    compared.predicted_p50,
    compared.predicted_p90,
    compared.actual,
    compared.error,
    abs(compared.error) as abs_error,
    compared.pct_error,
    case
        when compared.null_reason is not null then 'not_evaluated'
        when compared.actual <= 0 then 'actual_not_positive'
    end as pct_error_null_reason,
    case when compared.predicted_p10 is not null and compared.predicted_p90 is not null
            and compared.actual is not null
        then compared.actual >= compared.predicted_p10 and compared.actual <= compared.predicted_p90
    end as is_actual_within_p10_p90,
    case when compared.predicted_p10 is not null and compared.predicted_p90 is not null
            and compared.actual is not null
        then 2 * {{ backtest_normal_cdf(z ~ ' * sqrt(cast(compared.actual_n as double) / (compared.prediction_n + compared.actual_n))') }} - 1
    end as no_change_coverage,
    compared.null_reason,
    compared.range_null_reason,
    compared.launched_actions
from compared
cross join (select {{ aura_as_of_date() }} as as_of_date) as as_of
