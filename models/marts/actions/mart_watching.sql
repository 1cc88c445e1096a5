-- One row per (as-of date, watch item): the briefing's "Watching" list - what moved or is
-- load-bearing this month, with its size and the threshold at which it would matter.
--   kpi         a KPI of the primary window whose change against the window before is at
--               least its threshold (mart_kpi_deltas: aura_watch_volume_change for net sales,
--               orders and customers; the candidates' effect floors for order value, units
--               per order, the discount rate and the customer shares);
--   candidate   a watchlist candidate (mart_action_candidates): its metric, the change it
--               showed, and the gate it fails with the threshold that would make it fire;
--   data_check  a hard or soft data-quality check (mart_data_quality_flags) that fired,
--               could not be run (either holds the plan back), or is at least
--               aura_watch_near_share of the way to its limit.
-- A month with nothing to watch has no rows. Definitions: macros/watching.sql and
-- DECISIONLOG "Watching and forecast".
{%- set g = actions_gate_settings() %}
{%- set kpis = watching_kpi_catalog() %}
{%- set measures = watching_check_measures() %}
{%- set near = watching_near_share() %}
{%- set string = dbt.type_string() %}

with baselines as (
    select as_of_date, primary_window_days from {{ ref('mart_kpi_baselines') }}
),

flags as (
    select * from {{ ref('mart_data_quality_flags') }}
),

-- the repeat-metric advisory qualifies the within-window repeat rate
repeat_advisory as (
    select max(case when fired then metric_value end) as median_reorder_gap_days
    from flags
    where flag_code = 'repeat_metric_incoherent'
),

-- KPIs -------------------------------------------------------------------------------------
deltas as (
    select
        deltas.*,
        seasonal.expected_lift
    from {{ ref('mart_kpi_deltas') }} as deltas
    inner join baselines
        on deltas.as_of_date = baselines.as_of_date
        and deltas.window_days = baselines.primary_window_days
    left join {{ ref('mart_kpi_seasonal_expectations') }} as seasonal
        on deltas.as_of_date = seasonal.as_of_date
        and deltas.window_days = seasonal.window_days
        and deltas.metric = seasonal.metric
    where deltas.is_prior_complete
),

kpi_items as (
    {%- for k in kpis %}
    {%- set change_expr = 'deltas.delta_rel' if k.change == 'relative' else 'deltas.delta_abs' %}
    select
        deltas.as_of_date,
        'kpi:{{ k.metric }}' as watch_item_id,
        'kpi' as item_kind,
        cast(null as {{ string }}) as play_id,
        cast(null as {{ string }}) as flag_code,
        '{{ k.metric }}' as metric,
        '{{ k.label }}' as metric_label,
        deltas.recent_value as current_value,
        deltas.prior_value as comparison_value,
        '{{ k.value_unit }}' as value_unit,
        {{ change_expr }} as change,
        '{{ "relative change" if k.change == "relative" else "points" }}' as change_unit,
        abs({{ change_expr }}) as measured_value,
        cast({{ k.threshold }} as double) as threshold,
        '{{ "relative change" if k.change == "relative" else "points" }}' as threshold_unit,
        'a move of ' || {{ watching_change_size_text(k.threshold, k.change) }} || ' either way' as threshold_label,
        '{{ k.threshold_source }}' as threshold_source,
        abs({{ change_expr }}) / {{ k.threshold }} as share_of_threshold,
        true as has_crossed_threshold,
        '{{ k.subject }} '
            || case when {{ change_expr }} > 0 then 'rose' else 'fell' end || ' '
            || {{ watching_change_size_text(change_expr, k.change) }}
            || ' over the last ' || {{ metrics_int_text('deltas.window_days') }} || ' days against the '
            || {{ metrics_int_text('deltas.window_days') }} || ' days before ('
            || {{ watching_value_text('deltas.prior_value', k.format) }} || ' to '
            || {{ watching_value_text('deltas.recent_value', k.format) }}
            || '); moves of ' || {{ watching_change_size_text(k.threshold, k.change) }} || ' or more are watched.'
            {%- if k.metric in ['net_sales', 'orders'] %}
            || case when deltas.expected_lift is not null
                then ' In the same weeks last year they '
                    || case when deltas.expected_lift >= 0 then 'rose ' else 'fell ' end
                    || {{ metrics_pct_text('abs(deltas.expected_lift)') }} || '.'
                else '' end
            {%- endif %}
            {%- if k.metric == 'repeat_rate_within_window' %}
            || case when repeat_advisory.median_reorder_gap_days is not null
                then ' Customers typically reorder every '
                    || {{ metrics_int_text('round(repeat_advisory.median_reorder_gap_days, 0)') }}
                    || ' days, so this share understates repeat buying.'
                else '' end
            {%- endif %}
            as headline,
        2 as kind_rank,
        -abs({{ change_expr }}) / {{ k.threshold }} as rank_key
    from deltas
    cross join repeat_advisory
    where deltas.metric = '{{ k.metric }}'
        and {{ change_expr }} is not null
        and {{ change_expr }} <> 0
        and abs({{ change_expr }}) >= {{ k.threshold }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

-- watchlist candidates -----------------------------------------------------------------
watchlist as (
    select
        candidates.*,
        -- customers per group that would show whether the observed change is real (as in
        -- would_fire_if); proportion tests only
        case when candidates.test_kind = 'two_proportion'
            then required_n_two_prop(candidates.group_b_value,
                candidates.group_a_value - candidates.group_b_value,
                {{ g.power_alpha }}, {{ g.power_target }})
        end as required_n_for_change
    from {{ ref('mart_action_candidates') }} as candidates
    where candidates.tier = 'watchlist'
),

gated as (
    select
        watchlist.*,
        case
            when reason_code = 'below_min_n' then 'audience_size'
            when reason_code = 'not_significant' and required_n_for_change is not null then 'sample_size'
            when reason_code = 'not_significant' then 'significance'
            when reason_code = 'below_effect_floor' then 'effect_floor'
            when reason_code = 'below_financial_floor' then 'financial_floor'
        end as gate,
        case when test_kind = 'welch' then 'relative change' else 'points' end as change_unit,
        case
            when test_kind = 'welch' and group_b_value > 0 then (group_a_value - group_b_value) / group_b_value
            when test_kind <> 'welch' then group_a_value - group_b_value
        end as change
    from watchlist
),

candidate_items as (
    select
        as_of_date,
        'candidate:' || play_id as watch_item_id,
        'candidate' as item_kind,
        play_id,
        cast(null as {{ string }}) as flag_code,
        metric,
        metric_label,
        group_a_value as current_value,
        group_b_value as comparison_value,
        case when test_kind = 'welch' then 'store currency' else 'share' end as value_unit,
        change,
        change_unit,
        cast(case gate
            when 'audience_size' then audience_size
            when 'sample_size' then case when group_a_n < group_b_n then group_a_n else group_b_n end
            when 'significance' then q_value
            when 'effect_floor' then effect
            when 'financial_floor' then expected_weekly_gross_profit_p50
        end as double) as measured_value,
        cast(case gate
            when 'audience_size' then min_n_required
            when 'sample_size' then required_n_for_change
            when 'significance' then fdr_alpha
            when 'effect_floor' then effect_floor
            when 'financial_floor' then financial_floor
        end as double) as threshold,
        case gate
            when 'audience_size' then 'customers'
            when 'sample_size' then 'customers per group'
            when 'significance' then 'BH q-value (fires below)'
            when 'effect_floor' then effect_unit
            when 'financial_floor' then 'weekly gross profit (store currency)'
        end as threshold_unit,
        case gate
            when 'audience_size' then 'an audience of ' || {{ metrics_count_text('min_n_required') }} || ' customers'
            when 'sample_size' then 'about ' || {{ metrics_count_text('required_n_for_change') }}
                || ' customers in each group to tell whether the change is real'
            when 'significance' then 'a change too clear to be chance among this month''s tests'
            when 'effect_floor' then 'a change of at least '
                || case when effect_unit = 'points'
                    then {{ metrics_dec_text('cast(effect_floor as double) * 100', 1) }} || ' points'
                    else {{ metrics_pct_text('effect_floor') }} end
            when 'financial_floor' then 'an expected ' || {{ metrics_dec_text('financial_floor', 0) }}
                || ' a week in gross profit'
        end as threshold_label,
        'mart_action_candidates.' || case gate
            when 'audience_size' then 'min_n_required'
            when 'sample_size' then 'required_n_two_prop(group_b_value, group_a_value - group_b_value)'
            when 'significance' then 'fdr_alpha'
            when 'effect_floor' then 'effect_floor'
            when 'financial_floor' then 'financial_floor'
        end as threshold_source,
        cast(case gate
            when 'audience_size' then cast(audience_size as double) / nullif(min_n_required, 0)
            when 'sample_size' then cast(case when group_a_n < group_b_n then group_a_n else group_b_n end as double)
                / nullif(required_n_for_change, 0)
            when 'significance' then fdr_alpha / nullif(q_value, 0)
            when 'effect_floor' then effect / nullif(effect_floor, 0)
            when 'financial_floor' then expected_weekly_gross_profit_p50 / nullif(financial_floor, 0)
        end as double) as share_of_threshold,
        false as has_crossed_threshold,
        {{ actions_capitalized('metric_label') }}
            || case
                when evidence_class = 'measured' then ': '
                    || {{ metrics_pct_text('group_a_value') }} || ' of the customers who got it last time against '
                    || {{ metrics_pct_text('group_b_value') }} || ' of those held out'
                else ' went from '
                    || case when test_kind = 'welch' then {{ metrics_dec_text('group_b_value', 2) }}
                        else {{ metrics_pct_text('group_b_value') }} end
                    || ' to '
                    || case when test_kind = 'welch' then {{ metrics_dec_text('group_a_value', 2) }}
                        else {{ metrics_pct_text('group_a_value') }} end
            end
            || ' (' || case when change >= 0 then '+' else '-' end
            || case when test_kind = 'welch' then {{ metrics_pct_text('abs(change)') }}
                else {{ metrics_dec_text('abs(change) * 100', 1) }} || ' points' end
            || case when evidence_class = 'measured' then ').' else ') in the latest group of customers against the one before.' end
            || ' ' || would_fire_if as headline,
        3 as kind_rank,
        -score as rank_key
    from gated
),

-- data-quality checks ------------------------------------------------------------------
checks as (
    select
        flags.*,
        case flags.metric_name
            {%- for m in measures %}
            when '{{ m.metric }}' then '{{ m.label }}'
            {%- endfor %}
        end as measure_label,
        case flags.metric_name
            {%- for m in measures %}
            when '{{ m.metric }}' then '{{ m.value_unit }}'
            {%- endfor %}
        end as value_unit,
        case
            {%- for m in measures %}
            when flags.metric_name = '{{ m.metric }}' then
                {%- if m.fires == 'above' %}
                case when flags.threshold > 0 then flags.metric_value / flags.threshold end
                {%- else %}
                case when flags.metric_value > 0 then flags.threshold / flags.metric_value end
                {%- endif %}
            {%- endfor %}
        end as share_of_threshold
    from flags
    where flags.severity in ('hard', 'soft')
),

check_items as (
    select
        checks.as_of_date,
        'data_check:' || checks.flag_code as watch_item_id,
        'data_check' as item_kind,
        cast(null as {{ string }}) as play_id,
        checks.flag_code,
        checks.metric_name as metric,
        checks.measure_label as metric_label,
        checks.metric_value as current_value,
        cast(null as double) as comparison_value,
        checks.value_unit,
        cast(null as double) as change,
        cast(null as {{ string }}) as change_unit,
        checks.metric_value as measured_value,
        checks.threshold,
        checks.value_unit as threshold_unit,
        checks.check_description as threshold_label,
        'mart_data_quality_flags.threshold' as threshold_source,
        checks.share_of_threshold,
        checks.fired as has_crossed_threshold,
        case
            when checks.fired is null then checks.evidence || ' Until this can be checked, the plan is on hold.'
            else {{ watching_check_sentence() }}
                || case
                    when checks.fired and checks.severity = 'hard' then ' This is holding this month''s plan back.'
                    when checks.fired then ' The plan waits this month as a precaution.'
                    else ' Close to that limit, but not holding the plan back.'
                end
        end as headline,
        case when coalesce(checks.fired, true) then 1 else 4 end as kind_rank,
        case when coalesce(checks.fired, true) then cast(checks.flag_order as double)
            else -checks.share_of_threshold end as rank_key
    from checks
    where checks.fired is null
        or checks.fired
        or checks.share_of_threshold >= {{ near }}
),

items as (
    select * from check_items
    union all
    select * from kpi_items
    union all
    select * from candidate_items
)

select
    as_of_date,
    watch_item_id,
    item_kind,
    play_id,
    flag_code,
    metric,
    metric_label,
    current_value,
    comparison_value,
    value_unit,
    change,
    change_unit,
    measured_value,
    threshold,
    threshold_unit,
    threshold_label,
    threshold_source,
    share_of_threshold,
    has_crossed_threshold,
    headline,
    row_number() over (
        order by kind_rank asc nulls last, rank_key asc nulls last, watch_item_id asc nulls last
    ) as sort_order
from items
