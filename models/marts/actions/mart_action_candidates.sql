-- One row per (as-of date, play): the evidence that the play would pay this month, its
-- expected value, the gates it passes or fails, its tier and score. Evidence classes:
--   measured     the play's latest complete launched action, treated vs held-out customers
--                (mart_action_outcomes): a randomized test of this store's own action;
--   directional  the play's own metric on its own audience: the customers in the audience one
--                primary window ago against those two windows ago, each followed for one
--                window (int_play_cohorts_followed); observational, not the play's lift;
--   targeting    neither can be computed: an audience only, with no statistics and no money.
-- One test per play in the primary window; BH q-values over this month's tests. Expected
-- values are weekly proxies in net sales (mart_action_plan scales them to the month); a
-- measured play's range comes from the posterior of its holdout lift, a directional play's
-- from a normal approximation of its 95% interval.
-- Thresholds: macros/candidate_settings.sql. Definitions: DECISIONLOG "Candidate actions".
{%- set g = actions_gate_settings() %}
{%- set z80 = 1.2815515655446004 %}
{%- set z95 = 1.959963984540054 %}

with as_of as (
    select {{ aura_as_of_date() }} as as_of_date
),

baselines as (
    select
        primary_window_days,
        monthly_baseline_net_sales,
        baseline_source,
        case when l28_orders > 0 then l28_net_sales / l28_orders end as store_aov
    from {{ ref('mart_kpi_baselines') }}
),

decision as (
    select decision_state, decision_reason from {{ ref('mart_decision_state') }}
),

plays as (
    select
        playbooks.play_id,
        playbooks.category,
        tests.metric,
        tests.metric_label,
        tests.outcome,
        tests.test,
        tests.desired_direction,
        tests.effect_floor_kind,
        tests.min_n_basis
    from {{ ref('playbooks') }} as playbooks
    inner join {{ ref('play_tests') }} as tests on playbooks.play_id = tests.play_id
),

audiences as (
    select play_id, audience_size, blocked_reason, blocked_detail, empty_reason
    from {{ ref('mart_audiences') }}
),

recent as (
    select * from {{ ref('int_play_cohorts_followed') }} where cohort = 'recent'
),

prior as (
    select * from {{ ref('int_play_cohorts_followed') }} where cohort = 'prior'
),

-- the latest launched action of each play whose measurement is complete and tested
outcomes as (
    select *
    from (
        select
            outcomes.*,
            row_number() over (
                partition by outcomes.play_id
                order by outcomes.launched_at desc nulls last, outcomes.action_id desc nulls last
            ) as recency
        from {{ ref('mart_action_outcomes') }} as outcomes
        where outcomes.status = 'complete' and outcomes.p_value is not null
    ) as ranked
    where recency = 1
),

-- The posterior of the holdout lift behind a measured play's expected range. Treated rate:
-- the posterior of the latest complete action's variant (mart_variant_posteriors: its
-- recorded prior, else uniform, plus every complete outcome of that play and variant).
-- Held-out rate: Beta(1 + conversions, 1 + non-converters) over the holdout arms of the same
-- outcomes - a uniform prior (no prior is recorded for a holdout). An action logged without
-- a variant belongs to no variant: its own two arms, each from the uniform prior.
holdouts_pooled as (
    select
        play_id,
        variant_id,
        sum(holdout_conversions) as holdout_conversions,
        sum(holdout_n - holdout_conversions) as holdout_non_converters
    from {{ ref('mart_action_outcomes') }}
    -- the outcomes mart_variant_posteriors counts
    where status = 'complete' and treated_n > 0 and variant_id is not null
    group by play_id, variant_id
),

lift_posteriors as (
    select
        outcomes.play_id,
        case when posteriors.variant_id is not null then posteriors.posterior_alpha
            else 1 + outcomes.treated_conversions end as treated_alpha,
        case when posteriors.variant_id is not null then posteriors.posterior_beta
            else 1 + outcomes.treated_n - outcomes.treated_conversions end as treated_beta,
        case when posteriors.variant_id is not null then posteriors.prior_source
            else 'uniform (no variant logged)' end as treated_prior_source,
        1 + case when posteriors.variant_id is not null then holdouts_pooled.holdout_conversions
            else outcomes.holdout_conversions end as holdout_alpha,
        1 + case when posteriors.variant_id is not null then holdouts_pooled.holdout_non_converters
            else outcomes.holdout_n - outcomes.holdout_conversions end as holdout_beta,
        case when posteriors.variant_id is not null then posteriors.actions_measured else 1 end
            as pooled_outcomes,
        case when posteriors.variant_id is not null then 'posterior of the holdout lift'
            else 'posterior of the holdout lift (this action only: no variant logged)'
        end as range_source
    from outcomes
    left join {{ ref('mart_variant_posteriors') }} as posteriors
        on outcomes.play_id = posteriors.play_id and outcomes.variant_id = posteriors.variant_id
    left join holdouts_pooled
        on outcomes.play_id = holdouts_pooled.play_id and outcomes.variant_id = holdouts_pooled.variant_id
),

-- the directional test's two groups: the recent cohort (a) against the prior cohort (b)
cohort_groups as (
    select
        plays.play_id,
        case
            when plays.test = 'welch' or plays.outcome = 'discounted_order' then recent.orders
            else recent.customers
        end as a_n,
        case
            when plays.outcome = 'discounted_order' then recent.discounted_orders
            when plays.test = 'two_proportion' then recent.converted_customers
        end as a_x,
        case
            when plays.test = 'welch' or plays.outcome = 'discounted_order' then prior.orders
            else prior.customers
        end as b_n,
        case
            when plays.outcome = 'discounted_order' then prior.discounted_orders
            when plays.test = 'two_proportion' then prior.converted_customers
        end as b_x,
        case when recent.orders > 0 then recent.net_sales / recent.orders end as a_mean,
        case when prior.orders > 0 then prior.net_sales / prior.orders end as b_mean,
        case when recent.orders > 1
            then greatest(0, (recent.net_sales_squared - recent.net_sales * recent.net_sales / recent.orders)
                / (recent.orders - 1))
        end as a_var,
        case when prior.orders > 1
            then greatest(0, (prior.net_sales_squared - prior.net_sales * prior.net_sales / prior.orders)
                / (prior.orders - 1))
        end as b_var,
        recent.customers as recent_customers,
        prior.customers as prior_customers
    from plays
    inner join recent on plays.play_id = recent.play_id
    inner join prior on plays.play_id = prior.play_id
),

directional as (
    select
        cohort_groups.*,
        case
            when plays.test = 'welch'
                then welch_pvalue(a_n, a_mean, a_var, b_n, b_mean, b_var)
            else two_prop_pvalue(a_x, a_n, b_x, b_n)
        end as p_value,
        case
            when plays.test = 'welch' then
                case when welch_pvalue(a_n, a_mean, a_var, b_n, b_mean, b_var) is not null then 'welch' end
            else two_prop_method(a_x, a_n, b_x, b_n)
        end as test_method,
        case when plays.test = 'welch' then welch_ci_lower(a_n, a_mean, a_var, b_n, b_mean, b_var)
            else diff_ci_lower(a_x, a_n, b_x, b_n) end as diff_lower,
        case when plays.test = 'welch' then welch_ci_upper(a_n, a_mean, a_var, b_n, b_mean, b_var)
            else diff_ci_upper(a_x, a_n, b_x, b_n) end as diff_upper,
        case
            when recent_customers = 0 and prior_customers = 0 then 'empty_cohorts'
            when recent_customers = 0 then 'empty_recent_cohort'
            when prior_customers = 0 then 'empty_prior_cohort'
            when plays.test = 'welch' and (a_n < 2 or b_n < 2) then 'too_few_orders'
            when plays.outcome = 'discounted_order' and (a_n = 0 or b_n = 0) then 'no_orders_in_window'
            when plays.test = 'welch' and coalesce(a_var, 0) = 0 and coalesce(b_var, 0) = 0 then 'no_variation'
        end as cohort_null_reason
    from cohort_groups
    inner join plays on cohort_groups.play_id = plays.play_id
),

-- one test per play: the measured result when there is one, else the cohort comparison
tested as (
    select
        plays.*,
        audiences.audience_size,
        audiences.blocked_reason,
        audiences.blocked_detail,
        audiences.empty_reason,
        outcomes.action_id as measured_action_id,
        lift_posteriors.treated_alpha as posterior_treated_alpha,
        lift_posteriors.treated_beta as posterior_treated_beta,
        lift_posteriors.treated_prior_source as posterior_treated_prior_source,
        lift_posteriors.holdout_alpha as posterior_holdout_alpha,
        lift_posteriors.holdout_beta as posterior_holdout_beta,
        lift_posteriors.pooled_outcomes as posterior_outcomes,
        lift_posteriors.range_source as posterior_range_source,
        case
            when outcomes.play_id is not null then 'measured'
            when directional.p_value is not null then 'directional'
            else 'targeting'
        end as evidence_class,
        case
            when outcomes.play_id is not null then 'holdout_conversion_lift'
            else plays.metric
        end as tested_metric,
        case when outcomes.play_id is not null then 'two_proportion' else plays.test end as test_kind,
        case when outcomes.play_id is not null then 1 else plays.desired_direction end as direction,
        case when outcomes.play_id is not null then outcomes.treated_n else directional.a_n end as a_n,
        case when outcomes.play_id is not null then outcomes.treated_conversions else directional.a_x end as a_x,
        case when outcomes.play_id is not null then outcomes.holdout_n else directional.b_n end as b_n,
        case when outcomes.play_id is not null then outcomes.holdout_conversions else directional.b_x end as b_x,
        directional.a_mean,
        directional.b_mean,
        directional.a_var,
        directional.b_var,
        case when outcomes.play_id is not null then outcomes.p_value else directional.p_value end as p_value,
        case when outcomes.play_id is not null then outcomes.test_method else directional.test_method end as test_method,
        case when outcomes.play_id is not null then outcomes.lift_ci_lower else directional.diff_lower end as diff_lower,
        case when outcomes.play_id is not null then outcomes.lift_ci_upper else directional.diff_upper end as diff_upper,
        case
            when outcomes.play_id is not null then outcomes.measurement_days
            else baselines.primary_window_days
        end as evidence_window_days,
        case
            when outcomes.play_id is not null or directional.p_value is not null then cast(null as {{ dbt.type_string() }})
            else coalesce(directional.cohort_null_reason, 'no_test_possible')
        end as stats_null_reason,
        directional.recent_customers,
        recent.orders as recent_orders,
        recent.ordering_customers as recent_ordering_customers,
        recent.net_sales as recent_net_sales,
        recent.discounted_orders as recent_discounted_orders,
        recent.discounts_on_discounted_orders as recent_discounts,
        prior.ordering_customers as prior_ordering_customers,
        prior.net_sales as prior_net_sales,
        prior.orders as prior_orders,
        recent.cohort_date as recent_cohort_date,
        prior.cohort_date as prior_cohort_date
    from plays
    inner join audiences on plays.play_id = audiences.play_id
    inner join directional on plays.play_id = directional.play_id
    inner join recent on plays.play_id = recent.play_id
    inner join prior on plays.play_id = prior.play_id
    cross join baselines
    left join outcomes on plays.play_id = outcomes.play_id
    left join lift_posteriors on plays.play_id = lift_posteriors.play_id
),

-- effect signed so that positive is good; a relative change of the mean for welch
effects as (
    select
        tested.*,
        case when test_kind = 'two_proportion' and a_n > 0 then cast(a_x as double) / a_n
            when test_kind = 'welch' then a_mean end as a_value,
        case when test_kind = 'two_proportion' and b_n > 0 then cast(b_x as double) / b_n
            when test_kind = 'welch' then b_mean end as b_value,
        case
            when evidence_class = 'targeting' then cast(null as double)
            when test_kind = 'welch' then case when b_mean > 0 then (a_mean - b_mean) / b_mean end
            else direction * (cast(a_x as double) / a_n - cast(b_x as double) / b_n)
        end as effect,
        case
            when evidence_class = 'targeting' then cast(null as double)
            when test_kind = 'welch' then case when b_mean > 0 then diff_lower / b_mean end
            when direction = 1 then diff_lower
            else -diff_upper
        end as ci_lower,
        case
            when evidence_class = 'targeting' then cast(null as double)
            when test_kind = 'welch' then case when b_mean > 0 then diff_upper / b_mean end
            when direction = 1 then diff_upper
            else -diff_lower
        end as ci_upper,
        case when evidence_class = 'targeting' then cast(null as double) else p_value end as tested_p_value
    from tested
),

-- Benjamini-Hochberg across this month's tests (one per play; targeting rows have none)
family as (
    select play_id, tested_p_value from effects where tested_p_value is not null
),

adjusted as (
    {{ aura_bh_qvalues('family', 'tested_p_value', columns=['play_id']) }}
),

-- power for proportion tests: the n per group needed to detect aura_power_min_effect
-- points from the baseline (the comparison group's rate; the planning default when there
-- is none), and the power this test had for it
powered as (
    select
        effects.*,
        adjusted.q_value,
        case when effects.test_kind = 'two_proportion'
            then coalesce(effects.b_value, {{ g.power_default_baseline }}) end as power_baseline_rate,
        case
            when effects.test_kind <> 'two_proportion' then cast(null as {{ dbt.type_string() }})
            when effects.b_value is not null and effects.evidence_class = 'measured' then 'holdout group'
            when effects.b_value is not null then 'prior cohort'
            else 'planning assumption (aura_power_default_baseline)'
        end as power_baseline_source
    from effects
    left join adjusted on effects.play_id = adjusted.play_id
),

powered_n as (
    select
        powered.*,
        required_n_two_prop(power_baseline_rate, direction * {{ g.power_min_effect }},
            {{ g.power_alpha }}, {{ g.power_target }}) as required_n_per_group,
        case when evidence_class <> 'targeting' and a_n > 0 and b_n > 0
            then power_two_prop(power_baseline_rate, direction * {{ g.power_min_effect }}, b_n, a_n,
                {{ g.power_alpha }})
        end as achieved_power
    from powered
),

-- expected value, weekly proxy in net sales: effect x units x value per unit x 7 / window,
-- at the effect's 10th, 50th and 90th percentiles - measured: the quantiles of the posterior
-- of the holdout lift (beta_diff_quantile of treated minus held-out rate); directional: a
-- normal approximation scaled from each side of the 95% interval, around the effect.
-- Negative values count as 0
valued as (
    select
        powered_n.*,
        case
            when test_kind = 'two_proportion' and outcome <> 'discounted_order' or evidence_class = 'measured'
                then 'customers in the audience'
            else 'orders the audience places in a window'
        end as value_units_label,
        case
            when test_kind = 'two_proportion' and outcome <> 'discounted_order' or evidence_class = 'measured'
                then cast(audience_size as double)
            when recent_customers > 0 then audience_size * cast(recent_orders as double) / recent_customers
        end as value_units,
        case
            when test_kind = 'two_proportion' and outcome <> 'discounted_order' or evidence_class = 'measured'
                then coalesce(
                    case when recent_ordering_customers > 0 then recent_net_sales / recent_ordering_customers end,
                    case when prior_ordering_customers > 0 then prior_net_sales / prior_ordering_customers end,
                    baselines.store_aov)
            when test_kind = 'welch' then b_mean
            else case when recent_discounted_orders > 0 then recent_discounts / recent_discounted_orders end
        end as value_per_unit,
        case
            when test_kind = 'two_proportion' and outcome <> 'discounted_order' or evidence_class = 'measured'
                then case
                    when recent_ordering_customers > 0 then 'net sales per ordering customer of the recent cohort'
                    when prior_ordering_customers > 0 then 'net sales per ordering customer of the prior cohort'
                    when baselines.store_aov is not null then 'store average order value (L28)'
                end
            when test_kind = 'welch' then 'average order value of the prior cohort'
            when recent_discounted_orders > 0 then 'average discount per discounted order of the recent cohort'
        end as value_per_unit_source,
        case
            when evidence_class = 'measured' then beta_diff_quantile(posterior_treated_alpha,
                posterior_treated_beta, posterior_holdout_alpha, posterior_holdout_beta, 0.1)
            when effect is not null and ci_lower is not null
                then effect - {{ z80 }} / {{ z95 }} * (effect - ci_lower)
        end as effect_p10,
        case
            when evidence_class = 'measured' then beta_diff_quantile(posterior_treated_alpha,
                posterior_treated_beta, posterior_holdout_alpha, posterior_holdout_beta, 0.5)
            else effect
        end as effect_p50,
        case
            when evidence_class = 'measured' then beta_diff_quantile(posterior_treated_alpha,
                posterior_treated_beta, posterior_holdout_alpha, posterior_holdout_beta, 0.9)
            when effect is not null and ci_upper is not null
                then effect + {{ z80 }} / {{ z95 }} * (ci_upper - effect)
        end as effect_p90,
        case
            when evidence_class = 'measured' then posterior_range_source
            when evidence_class = 'directional'
                then 'normal approximation scaled from each side of the 95% interval'
        end as expected_range_source,
        baselines.monthly_baseline_net_sales
    from powered_n
    cross join baselines
),

money as (
    select
        valued.*,
        greatest(0, effect_p10) * value_units * value_per_unit * 7.0 / evidence_window_days as weekly_p10,
        greatest(0, effect_p50) * value_units * value_per_unit * 7.0 / evidence_window_days as weekly_p50,
        greatest(0, effect_p90) * value_units * value_per_unit * 7.0 / evidence_window_days as weekly_p90,
        case
            when evidence_class = 'targeting' then 'targeting_no_lift_evidence'
            when effect is null or ci_lower is null or ci_upper is null or effect_p10 is null
                or effect_p50 is null or effect_p90 is null then 'effect_not_computed'
            when value_units is null then 'audience_orders_unknown'
            when value_per_unit is null then 'value_per_unit_unknown'
        end as expected_value_null_reason
    from valued
),

gated as (
    select
        money.*,
        case when expected_value_null_reason is null then weekly_p10 end as expected_weekly_net_sales_p10,
        case when expected_value_null_reason is null then weekly_p50 end as expected_weekly_net_sales_p50,
        case when expected_value_null_reason is null then weekly_p90 end as expected_weekly_net_sales_p90,
        case when expected_value_null_reason is null then weekly_p50 * {{ g.gross_margin }} end
            as expected_weekly_gross_profit_p50,
        case
            when min_n_basis = 'audience' then {{ g.min_n_audience }}
            when min_n_basis = 'sku' then {{ g.min_n_sku }}
            else greatest({{ g.min_n_sku }}, coalesce(required_n_per_group, {{ g.min_n_sku }}))
        end as min_n_required,
        case
            when effect_floor_kind = 'rate' or evidence_class = 'measured' then {{ g.rate_floor }}
            when effect_floor_kind = 'aov' then {{ g.aov_floor }}
            else {{ g.discount_floor }}
        end as effect_floor,
        {%- if g.floor_mode == 'fixed' %}
        cast({{ g.floor_fixed }} as double) as financial_floor,
        'fixed (aura_financial_floor_fixed)' as financial_floor_source
        {%- else %}
        greatest({{ g.floor_min }},
            coalesce({{ g.floor_share }} * monthly_baseline_net_sales / 4.0 * {{ g.gross_margin }}, 0))
            as financial_floor,
        'auto: {{ (g.floor_share * 100) | round(2) }}% of the weekly baseline gross profit, at least {{ g.floor_min }}'
            as financial_floor_source
        {%- endif %}
    from money
),

gates as (
    select
        gated.*,
        audience_size >= min_n_required as passes_min_n,
        case when evidence_class = 'targeting' then cast(null as boolean) else
            coalesce(q_value < {{ g.fdr_alpha }}, false)
        end as passes_significance,
        case when evidence_class = 'targeting' then cast(null as boolean)
            else coalesce(effect >= effect_floor, false) end as passes_effect_floor,
        case when expected_value_null_reason is not null then cast(null as boolean)
            else expected_weekly_gross_profit_p50 >= financial_floor end as passes_financial_floor
    from gated
),

tiered as (
    select
        gates.*,
        decision.decision_state,
        decision.decision_reason,
        case
            when blocked_reason is not null then 'blocked_' || blocked_reason
            when audience_size = 0 then 'empty_audience'
            when decision.decision_state = 'abstain_hard' then 'month_abstains'
            when evidence_class = 'targeting' then 'no_evidence'
            when not passes_min_n then 'below_min_n'
            when effect is null then 'effect_not_computed'
            when effect <= 0 then 'effect_wrong_direction'
            when not passes_significance then 'not_significant'
            when not passes_effect_floor then 'below_effect_floor'
            when not coalesce(passes_financial_floor, false) then 'below_financial_floor'
            else 'all_gates_passed'
        end as reason_code,
        -- the seed's soft criteria: any one of them at half strength
        (
            audience_size >= {{ g.soft_ratio }} * min_n_required
            or coalesce(p_value < {{ g.watchlist_p }}, false)
            or coalesce(effect >= {{ g.soft_ratio }} * effect_floor, false)
            or coalesce(expected_weekly_gross_profit_p50 >= {{ g.soft_ratio }} * financial_floor, false)
        ) as passes_soft_criterion
    from gates
    cross join decision
),

scored as (
    select
        tiered.*,
        case
            when reason_code = 'all_gates_passed' then 'action'
            when reason_code in ('below_min_n', 'not_significant', 'below_effect_floor', 'below_financial_floor')
                and coalesce(effect > 0, false) and passes_soft_criterion then 'watchlist'
            else 'considered'
        end as tier,
        -- each component in [0, 1): 0.5 at its gate's threshold
        case when expected_weekly_gross_profit_p50 > 0
            then expected_weekly_gross_profit_p50 / (expected_weekly_gross_profit_p50 + financial_floor)
            else 0 end as score_financial,
        coalesce(1 - coalesce(q_value, p_value), 0) as score_significance,
        case when effect > 0 then effect / (effect + effect_floor) else 0 end as score_effect,
        case when ci_upper is not null and ci_lower is not null
            then effect_floor / (effect_floor + (ci_upper - ci_lower)) else 0 end as score_ci_tightness,
        cast(audience_size as double) / (audience_size + min_n_required) as score_audience
    from tiered
)

select
    as_of.as_of_date,
    scored.play_id,
    scored.category,
    scored.tier,
    scored.reason_code,
    scored.evidence_class,
    scored.measured_action_id,
    scored.tested_metric as metric,
    scored.metric_label,
    scored.stats_null_reason,
    scored.audience_size,
    scored.test_kind,
    scored.test_method,
    scored.evidence_window_days,
    case when scored.evidence_class = 'measured' then 'treated customers'
        when scored.evidence_class = 'directional' then 'recent cohort (' || cast(scored.recent_cohort_date as {{ dbt.type_string() }}) || ')'
    end as group_a_label,
    case when scored.evidence_class = 'measured' then 'held-out customers'
        when scored.evidence_class = 'directional' then 'prior cohort (' || cast(scored.prior_cohort_date as {{ dbt.type_string() }}) || ')'
    end as group_b_label,
    case when scored.evidence_class <> 'targeting' then scored.a_n end as group_a_n,
    case when scored.evidence_class <> 'targeting' then scored.a_x end as group_a_successes,
    case when scored.evidence_class <> 'targeting' then scored.a_value end as group_a_value,
    case when scored.evidence_class <> 'targeting' and scored.test_kind = 'welch' then sqrt(scored.a_var) end
        as group_a_sd,
    case when scored.evidence_class <> 'targeting' then scored.b_n end as group_b_n,
    case when scored.evidence_class <> 'targeting' then scored.b_x end as group_b_successes,
    case when scored.evidence_class <> 'targeting' then scored.b_value end as group_b_value,
    case when scored.evidence_class <> 'targeting' and scored.test_kind = 'welch' then sqrt(scored.b_var) end
        as group_b_sd,
    case when scored.evidence_class <> 'targeting' then scored.a_n + scored.b_n end as n,
    scored.effect,
    case when scored.test_kind = 'welch' then 'relative change' else 'points' end as effect_unit,
    scored.ci_lower,
    scored.ci_upper,
    scored.tested_p_value as p_value,
    scored.q_value,
    scored.power_baseline_rate,
    scored.power_baseline_source,
    scored.required_n_per_group,
    scored.achieved_power,
    round(scored.expected_weekly_net_sales_p10, 2) as expected_weekly_net_sales_p10,
    round(scored.expected_weekly_net_sales_p50, 2) as expected_weekly_net_sales_p50,
    round(scored.expected_weekly_net_sales_p90, 2) as expected_weekly_net_sales_p90,
    round(scored.expected_weekly_gross_profit_p50, 2) as expected_weekly_gross_profit_p50,
    scored.expected_value_null_reason,
    scored.effect_p10,
    scored.effect_p50,
    scored.effect_p90,
    case when scored.effect_p50 is not null then scored.expected_range_source end as expected_range_source,
    scored.posterior_treated_alpha,
    scored.posterior_treated_beta,
    scored.posterior_treated_prior_source,
    scored.posterior_holdout_alpha,
    scored.posterior_holdout_beta,
    scored.posterior_outcomes,
    case when scored.expected_value_null_reason is null then scored.value_units end as value_units,
    case when scored.expected_value_null_reason is null then scored.value_units_label end as value_units_label,
    case when scored.expected_value_null_reason is null then scored.value_per_unit end as value_per_unit,
    case when scored.expected_value_null_reason is null then scored.value_per_unit_source end as value_per_unit_source,
    {{ g.gross_margin }} as gross_margin,
    case when scored.expected_value_null_reason is null then
        'effect ' || {{ actions_effect_text('scored.effect_p50') }} || ' (p10 '
        || {{ actions_effect_text('scored.effect_p10') }} || ', p90 '
        || {{ actions_effect_text('scored.effect_p90') }} || '; ' || scored.expected_range_source || ') x '
        || {{ metrics_dec_text('scored.value_units', 1) }} || ' ' || scored.value_units_label || ' x '
        || {{ metrics_dec_text('scored.value_per_unit', 2) }} || ' (' || scored.value_per_unit_source
        || ') x 7 / ' || {{ metrics_int_text('scored.evidence_window_days') }} || ' days'
    end as expected_value_inputs,
    scored.min_n_required,
    scored.effect_floor,
    round(scored.financial_floor, 2) as financial_floor,
    scored.financial_floor_source,
    '{{ g.mode }}' as confidence_mode,
    {{ g.fdr_alpha }} as fdr_alpha,
    scored.passes_min_n,
    scored.passes_significance,
    scored.passes_effect_floor,
    scored.passes_financial_floor,
    scored.score_financial,
    scored.score_significance,
    scored.score_effect,
    scored.score_ci_tightness,
    scored.score_audience,
    {{ g.w_financial }} * scored.score_financial
        + {{ g.w_significance }} * scored.score_significance
        + {{ g.w_effect }} * scored.score_effect
        + {{ g.w_ci }} * scored.score_ci_tightness
        + {{ g.w_audience }} * scored.score_audience as score,
    {{ actions_candidate_reason_text() }} as reason,
    {{ actions_candidate_would_fire_if() }} as would_fire_if,
    scored.decision_state
from scored
cross join as_of
