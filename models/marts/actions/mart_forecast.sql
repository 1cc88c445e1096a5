-- One row per (as-of date, step): the forecast chart of the seed's "Forecast Chart (Monthly
-- Units)", in monthly net sales (store currency, per 28 days).
--   step 0      the baseline from mart_kpi_baselines, labelled by its source (4 x L7, L28,
--               L56 / 2);
--   steps 1..k  each Recommended-now action of mart_action_plan in selection order
--               (lane_rank), its monthly value (already net of audience overlap and
--               campaign interactions) x the position factor (aura_position_factors: later
--               actions get less attention) x aura_channel_overlap_factor when an earlier
--               action already uses its channel; cumulative = baseline + the lifts so far.
-- Portfolio cap: the combined p50 lift is at most aura_portfolio_cap_share x the baseline;
-- when it binds, every step (p10, p50 and p90) is scaled by the same factor and the rows are
-- flagged. Nothing recommended: step 0 alone, and the subtitle says no lift is forecast.
-- Definitions: macros/forecast.sql and DECISIONLOG "Watching and forecast".
{%- set f = actions_forecast_settings() %}
{%- set string = dbt.type_string() %}

with baselines as (
    select
        as_of_date,
        baseline_source,
        cast(monthly_baseline_net_sales as double) as baseline,
        {{ forecast_baseline_label('baseline_source') }} as baseline_label
    from {{ ref('mart_kpi_baselines') }}
),

plan as (
    select * from {{ ref('mart_action_plan') }}
),

pilots as (
    select count(*) as pilot_actions from plan where lane = 'pilot'
),

recommended as (
    select
        play_id,
        action_id,
        variant_id,
        category,
        channel,
        coalesce(send_channels, channel) as send_channels,
        cast(expected_monthly_net_sales_p10 as double) as plan_p10,
        cast(expected_monthly_net_sales_p50 as double) as plan_p50,
        cast(expected_monthly_net_sales_p90 as double) as plan_p90,
        value_null_reason,
        row_number() over (order by lane_rank asc nulls last, play_id asc nulls last) as step_order
    from plan
    where lane = 'recommended'
),

-- whether an earlier recommended action already goes out on one of this action's channels
-- (send_channels: every channel a play is sent through, at most two - seeds/playbooks.yml)
channel_use as (
    select
        later.step_order,
        count(earlier.step_order) > 0 as channel_already_used
    from recommended as later
    left join recommended as earlier
        on earlier.step_order < later.step_order
        and (
            {{ dbt.position("'|' || " ~ dbt.split_part('later.send_channels', "'|'", 1) ~ " || '|'",
                "'|' || earlier.send_channels || '|'") }} > 0
            or (coalesce({{ dbt.split_part('later.send_channels', "'|'", 2) }}, '') <> ''
                and {{ dbt.position("'|' || " ~ dbt.split_part('later.send_channels', "'|'", 2) ~ " || '|'",
                    "'|' || earlier.send_channels || '|'") }} > 0)
        )
    group by later.step_order
),

factored as (
    select
        recommended.*,
        channel_use.channel_already_used,
        cast(case recommended.step_order
            {%- for factor in f.position_factors %}
            when {{ loop.index }} then {{ factor }}
            {%- endfor %}
        end as double) as position_factor,
        cast(case when channel_use.channel_already_used then {{ f.channel_overlap_factor }} else 1 end as double)
            as channel_factor
    from recommended
    inner join channel_use on recommended.step_order = channel_use.step_order
),

raw_lifts as (
    select
        factored.*,
        plan_p10 * position_factor * channel_factor as raw_p10,
        plan_p50 * position_factor * channel_factor as raw_p50,
        plan_p90 * position_factor * channel_factor as raw_p90
    from factored
),

totals as (
    select
        baselines.*,
        {{ f.cap_share }} * baselines.baseline as portfolio_cap,
        (select count(*) from recommended) as recommended_actions,
        (select count(plan_p50) from recommended) as valued_actions,
        coalesce((select sum(raw_p50) from raw_lifts), 0) as uncapped_total_p50,
        pilots.pilot_actions
    from baselines
    cross join pilots
),

scaled as (
    select
        totals.*,
        case
            when totals.baseline is null or totals.baseline <= 0 then cast(null as double)
            when totals.uncapped_total_p50 > totals.portfolio_cap then totals.portfolio_cap / totals.uncapped_total_p50
            else cast(1 as double)
        end as cap_scale,
        case when totals.baseline is null or totals.baseline <= 0 then cast(null as boolean)
            else totals.uncapped_total_p50 > totals.portfolio_cap end as is_portfolio_capped
    from totals
),

action_steps as (
    select
        raw_lifts.step_order,
        'action' as step_kind,
        raw_lifts.play_id,
        raw_lifts.action_id,
        raw_lifts.variant_id,
        raw_lifts.category,
        raw_lifts.channel,
        raw_lifts.position_factor,
        raw_lifts.channel_already_used,
        raw_lifts.channel_factor,
        raw_lifts.plan_p10,
        raw_lifts.plan_p50,
        raw_lifts.plan_p90,
        raw_lifts.raw_p10 * scaled.cap_scale as lift_p10,
        raw_lifts.raw_p50 * scaled.cap_scale as lift_p50,
        raw_lifts.raw_p90 * scaled.cap_scale as lift_p90,
        case
            when scaled.cap_scale is null then 'baseline_not_positive'
            when raw_lifts.plan_p50 is null then coalesce(raw_lifts.value_null_reason, 'plan_value_missing')
            when raw_lifts.position_factor is null then 'no_position_factor'
        end as lift_null_reason
    from raw_lifts
    cross join scaled
),

baseline_step as (
    select
        0 as step_order,
        'baseline' as step_kind,
        cast(null as {{ string }}) as play_id,
        cast(null as {{ string }}) as action_id,
        cast(null as {{ string }}) as variant_id,
        cast(null as {{ string }}) as category,
        cast(null as {{ string }}) as channel,
        cast(null as double) as position_factor,
        cast(null as boolean) as channel_already_used,
        cast(null as double) as channel_factor,
        cast(null as double) as plan_p10,
        cast(null as double) as plan_p50,
        cast(null as double) as plan_p90,
        case when scaled.cap_scale is not null then cast(0 as double) end as lift_p10,
        case when scaled.cap_scale is not null then cast(0 as double) end as lift_p50,
        case when scaled.cap_scale is not null then cast(0 as double) end as lift_p90,
        case when scaled.cap_scale is null then 'baseline_not_positive' end as lift_null_reason
    from scaled
),

steps as (
    select * from baseline_step
    union all
    select * from action_steps
),

cumulated as (
    select
        steps.*,
        sum(coalesce(lift_p10, 0)) over (order by step_order asc nulls last rows between unbounded preceding and current row)
            as lifts_so_far_p10,
        sum(coalesce(lift_p50, 0)) over (order by step_order asc nulls last rows between unbounded preceding and current row)
            as lifts_so_far_p50,
        sum(coalesce(lift_p90, 0)) over (order by step_order asc nulls last rows between unbounded preceding and current row)
            as lifts_so_far_p90,
        sum(coalesce(lift_p10, 0)) over () as total_p10,
        sum(coalesce(lift_p50, 0)) over () as total_p50,
        sum(coalesce(lift_p90, 0)) over () as total_p90
    from steps
)

select
    scaled.as_of_date,
    cumulated.step_order,
    cumulated.step_kind,
    cumulated.play_id,
    cumulated.action_id,
    cumulated.variant_id,
    cumulated.category,
    cumulated.channel,
    cumulated.position_factor,
    cumulated.channel_already_used,
    cumulated.channel_factor,
    round(cumulated.plan_p10, 2) as plan_monthly_net_sales_p10,
    round(cumulated.plan_p50, 2) as plan_monthly_net_sales_p50,
    round(cumulated.plan_p90, 2) as plan_monthly_net_sales_p90,
    round(cumulated.lift_p10, 2) as step_lift_p10,
    round(cumulated.lift_p50, 2) as step_lift_p50,
    round(cumulated.lift_p90, 2) as step_lift_p90,
    cumulated.lift_null_reason,
    case when scaled.cap_scale is not null then round(scaled.baseline + cumulated.lifts_so_far_p10, 2) end
        as cumulative_p10,
    case when scaled.cap_scale is not null then round(scaled.baseline + cumulated.lifts_so_far_p50, 2) end
        as cumulative_p50,
    case when scaled.cap_scale is not null then round(scaled.baseline + cumulated.lifts_so_far_p90, 2) end
        as cumulative_p90,
    round(scaled.baseline, 2) as baseline_net_sales,
    scaled.baseline_source,
    scaled.baseline_label,
    scaled.recommended_actions,
    round(scaled.uncapped_total_p50, 2) as uncapped_total_lift_p50,
    case when scaled.cap_scale is not null then round(cumulated.total_p10, 2) end as total_lift_p10,
    case when scaled.cap_scale is not null then round(cumulated.total_p50, 2) end as total_lift_p50,
    case when scaled.cap_scale is not null then round(cumulated.total_p90, 2) end as total_lift_p90,
    round(scaled.portfolio_cap, 2) as portfolio_cap,
    scaled.is_portfolio_capped,
    scaled.cap_scale,
    'Monthly net sales in store currency. Baseline: ' || coalesce(scaled.baseline_label, 'unknown')
        || ' (' || coalesce(scaled.baseline_source, 'no source') || ')'
        || case
            when scaled.cap_scale is null
                then ', which has no positive net sales, so nothing is forecast.'
            else ', ' || {{ metrics_count_text('round(scaled.baseline, 0)') }} || '.'
        end
        || case
            when scaled.cap_scale is null then ''
            when scaled.recommended_actions = 0
                then ' No action is recommended this month, so no lift is forecast: the line is the baseline.'
                    || case when scaled.pilot_actions > 0
                        then ' The proposed pilot is a test whose worth is what it measures, so it is not forecast.'
                        else '' end
            else ' Added: ' || case when scaled.recommended_actions = 1 then 'the recommended action'
                    else 'the ' || {{ metrics_int_text('scaled.recommended_actions') }} || ' recommended actions in order' end
                || ', each valued net of customers an earlier action already reaches and of campaign interactions.'
                || ' Diminishing returns: by position the actions count at {{ f.position_text }} of their value,'
                || ' and at {{ f.overlap_text }} when an earlier action already uses the same channel.'
                || ' The combined lift (its central estimate) is capped at {{ f.cap_text }} of the baseline ('
                || {{ metrics_count_text('round(scaled.portfolio_cap, 0)') }} || ')'
                || case when scaled.is_portfolio_capped
                    then '; the cap binds, so every action is scaled to '
                        || {{ metrics_pct_text('scaled.cap_scale') }} || ' of its value.'
                    else '.' end
                || case when scaled.valued_actions < scaled.recommended_actions
                    then ' Actions without an expected value add nothing to the line.'
                    else '' end
                || ' Ranges run from the 10th to the 90th percentile.'
        end as subtitle
from cumulated
cross join scaled
