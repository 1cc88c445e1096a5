-- One row per play with launched actions, plus one row for all plays together
-- (play_id 'all_plays'): how the plan's predictions compared with the measured outcomes of
-- mart_action_outcomes. An action is scored when it is complete with both an actual
-- incremental net sales and a predicted p50 (frozen at launch); the summaries are over the
-- scored actions - totals (aggregate accuracy), the share of actuals inside p10-p90, mean
-- and median of the actual, the predicted p50 and the revenue accuracy %. The medians use
-- window functions only (portable). Nothing is filled in: a summary over no actions is
-- NULL with a reason. Definitions: DECISIONLOG "Outcomes and accuracy".
with outcomes as (
    select * from {{ ref('mart_action_outcomes') }}
),

as_of as (
    select {{ aura_as_of_date() }} as as_of_date
),

-- every action twice: under its play and under all plays
scoped as (
    select
        'play' as summary_level,
        play_id as scope_id,
        outcomes.*,
        actual_incremental_net_sales is not null
            and predicted_incremental_net_sales_p50 is not null as is_scored
    from outcomes
    union all
    select
        'all_plays' as summary_level,
        'all_plays' as scope_id,
        outcomes.*,
        actual_incremental_net_sales is not null
            and predicted_incremental_net_sales_p50 is not null as is_scored
    from outcomes
),

scopes as (
    select 'all_plays' as summary_level, 'all_plays' as scope_id
    union all
    select distinct 'play' as summary_level, play_id as scope_id
    from outcomes
),

counts as (
    select
        scope_id,
        count(*) as launched_actions,
        sum(case when status = 'pending' then 1 else 0 end) as pending_actions,
        sum(case when status = 'overdue' then 1 else 0 end) as overdue_actions,
        sum(case when status = 'complete' then 1 else 0 end) as complete_actions,
        sum(case when actual_incremental_net_sales is not null then 1 else 0 end) as measured_actions,
        sum(case when is_scored then 1 else 0 end) as scored_actions,
        sum(case when is_scored and is_actual_within_p10_p90 then 1 else 0 end)
            as within_p10_p90_actions,
        sum(case when is_scored then actual_incremental_net_sales end) as actual_total,
        sum(case when is_scored then predicted_incremental_net_sales_p50 end) as predicted_total,
        avg(case when is_scored then actual_incremental_net_sales end) as actual_mean,
        avg(case when is_scored then predicted_incremental_net_sales_p50 end) as predicted_mean,
        sum(case when revenue_accuracy_pct is not null then 1 else 0 end) as accuracy_actions,
        avg(revenue_accuracy_pct) as accuracy_mean
    from scoped
    group by scope_id
),

-- the values whose medians are wanted, one row per (scope, metric, action)
metric_values as (
    select scope_id, 'actual' as metric, actual_incremental_net_sales as metric_value
    from scoped
    where is_scored
    union all
    select scope_id, 'predicted' as metric, predicted_incremental_net_sales_p50 as metric_value
    from scoped
    where is_scored
    union all
    select scope_id, 'accuracy' as metric, revenue_accuracy_pct as metric_value
    from scoped
    where revenue_accuracy_pct is not null
),

ranked as (
    select
        scope_id,
        metric,
        metric_value,
        row_number() over (
            partition by scope_id, metric order by metric_value asc nulls last
        ) as value_rank,
        count(*) over (partition by scope_id, metric) as value_count
    from metric_values
),

-- the middle value, or the mean of the two middle values
medians as (
    select
        scope_id,
        avg(case when metric = 'actual' then metric_value end) as actual_median,
        avg(case when metric = 'predicted' then metric_value end) as predicted_median,
        avg(case when metric = 'accuracy' then metric_value end) as accuracy_median
    from ranked
    where value_rank = floor((value_count + 1) / 2.0) or value_rank = floor((value_count + 2) / 2.0)
    group by scope_id
),

summarised as (
    select
        as_of.as_of_date,
        scopes.summary_level,
        scopes.scope_id as play_id,
        cast(coalesce(counts.launched_actions, 0) as bigint) as launched_actions,
        cast(coalesce(counts.pending_actions, 0) as bigint) as pending_actions,
        cast(coalesce(counts.overdue_actions, 0) as bigint) as overdue_actions,
        cast(coalesce(counts.complete_actions, 0) as bigint) as complete_actions,
        cast(coalesce(counts.measured_actions, 0) as bigint) as measured_actions,
        cast(coalesce(counts.scored_actions, 0) as bigint) as scored_actions,
        cast(coalesce(counts.within_p10_p90_actions, 0) as bigint) as within_p10_p90_actions,
        cast(coalesce(counts.accuracy_actions, 0) as bigint) as accuracy_actions,
        counts.actual_total,
        counts.predicted_total,
        counts.actual_mean,
        counts.predicted_mean,
        counts.accuracy_mean,
        medians.actual_median,
        medians.predicted_median,
        medians.accuracy_median
    from scopes
    cross join as_of
    left join counts on scopes.scope_id = counts.scope_id
    left join medians on scopes.scope_id = medians.scope_id
),

reasoned as (
    select
        *,
        case
            when launched_actions = 0 then 'no_launched_actions'
            when complete_actions = 0 then 'no_complete_actions'
            when measured_actions = 0 then 'no_measured_actions'
            when scored_actions = 0 then 'no_predictions_logged'
        end as summary_null_reason
    from summarised
),

accuracy_reasoned as (
    select
        *,
        case
            when summary_null_reason is not null then summary_null_reason
            when accuracy_actions = 0 or predicted_total <= 0 then 'no_positive_prediction'
        end as accuracy_null_reason
    from reasoned
)

select
    as_of_date,
    summary_level,
    play_id,
    launched_actions,
    pending_actions,
    overdue_actions,
    complete_actions,
    measured_actions,
    scored_actions,
    case when summary_null_reason is null then actual_total end as actual_incremental_net_sales_total,
    case when summary_null_reason is null then predicted_total end as predicted_net_sales_p50_total,
    case when accuracy_null_reason is null
        then 100.0 * (1.0 - abs(actual_total - predicted_total) / predicted_total)
    end as aggregate_revenue_accuracy_pct,
    case when accuracy_null_reason is null
        then actual_total / predicted_total end as aggregate_actual_to_predicted_ratio,
    case when summary_null_reason is null then within_p10_p90_actions end as within_p10_p90_actions,
    case when summary_null_reason is null
        then cast(within_p10_p90_actions as double) / scored_actions end as within_p10_p90_share,
    case when summary_null_reason is null then actual_mean end as mean_actual_incremental_net_sales,
    case when summary_null_reason is null then actual_median end as median_actual_incremental_net_sales,
    case when summary_null_reason is null then predicted_mean end as mean_predicted_net_sales_p50,
    case when summary_null_reason is null then predicted_median end as median_predicted_net_sales_p50,
    summary_null_reason,
    accuracy_actions,
    case when accuracy_null_reason is null then accuracy_mean end as mean_revenue_accuracy_pct,
    case when accuracy_null_reason is null then accuracy_median end as median_revenue_accuracy_pct,
    accuracy_null_reason
from accuracy_reasoned
