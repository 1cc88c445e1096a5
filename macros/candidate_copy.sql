{#- The plain-English sentences of mart_action_candidates: why a candidate is where it is
    (reason) and what would make it fire (would_fire_if). Copy for brand teams: customers,
    points, percentages and money, never p-values, q-values, intervals or reason codes.
    Both read the columns of the mart's `scored` CTE. -#}

{#- A metric value as text: money with 2 decimals for means, a percentage for rates. -#}
{% macro actions_metric_value_text(expr) -%}
    case when scored.test_kind = 'welch' then {{ metrics_dec_text(expr, 2) }}
        else {{ metrics_pct_text(expr) }} end
{%- endmacro %}

{#- An effect as text: '+2.5 points' for rates and shares, '+3.1%' for relative changes. -#}
{% macro actions_effect_text(expr) -%}
    case
        when scored.test_kind = 'welch' then
            case when {{ expr }} >= 0 then '+' else '' end || {{ metrics_pct_text(expr) }}
        else case when {{ expr }} >= 0 then '+' else '' end
            || {{ metrics_dec_text(expr ~ ' * 100', 1) }} || ' points'
    end
{%- endmacro %}

{#- Text with its first letter upper-cased. -#}
{% macro actions_capitalized(expr) -%}
    upper(substr({{ expr }}, 1, 1)) || substr({{ expr }}, 2)
{%- endmacro %}

{#- The verb for a move of the metric: 'rose' when scored.direction * sign > 0, else
    'fell' (sign 1 = the way the play wants it to move, -1 = the other way). -#}
{% macro actions_move_verb(sign) -%}
    case when scored.direction * {{ sign }} > 0 then 'rose' else 'fell' end
{%- endmacro %}

{#- The size of an effect without its sign: '2.5 points' or '3.1%'. -#}
{% macro actions_effect_size_text(expr) -%}
    case when scored.test_kind = 'welch' then {{ metrics_pct_text('abs(' ~ expr ~ ')') }}
        else {{ metrics_dec_text('abs(' ~ expr ~ ') * 100', 1) }} || ' points' end
{%- endmacro %}

{% macro actions_candidate_reason_text() -%}
    {%- set moved -%}
        {{ actions_capitalized('scored.metric_label') }} || ' went from ' || {{ actions_metric_value_text('scored.b_value') }}
            || ' to ' || {{ actions_metric_value_text('scored.a_value') }}
    {%- endset -%}
    case scored.reason_code
        when 'all_gates_passed' then
            case when scored.evidence_class = 'measured'
                then 'When this play was last launched, ' || {{ metrics_pct_text('scored.a_value') }}
                    || ' of the customers who got it ordered within '
                    || {{ metrics_int_text('scored.evidence_window_days') }} || ' days, against '
                    || {{ metrics_pct_text('scored.b_value') }} || ' of those held out.'
                else {{ moved }} || ' between the two most recent groups of '
                    || {{ metrics_count_text('scored.recent_customers') }}
                    || ' and more customers: a clear change, large enough to act on.'
            end
            || ' Expected to add about ' || {{ metrics_dec_text('scored.expected_weekly_net_sales_p50', 0) }}
            || ' in sales a week (range ' || {{ metrics_dec_text('scored.expected_weekly_net_sales_p10', 0) }}
            || ' to ' || {{ metrics_dec_text('scored.expected_weekly_net_sales_p90', 0) }} || ').'
        when 'blocked_inventory_short' then
            'Held back: a featured bestseller is low on stock ('
            || coalesce(scored.blocked_detail, 'see inventory health') || ').'
        when 'empty_audience' then
            'Nobody is in this audience this month'
            || coalesce(': ' || scored.empty_reason, '.')
        when 'month_abstains' then
            'This month''s data cannot be trusted enough to act on: '
            || coalesce(scored.decision_reason, 'see the data-quality flags.')
        when 'no_evidence' then
            'An audience of ' || {{ metrics_count_text('scored.audience_size') }}
            || ' customers, but no earlier group of these customers and no launched test to judge the play by yet.'
        when 'effect_not_computed' then
            'The change in ' || scored.metric_label || ' could not be worked out from the data.'
        when 'effect_wrong_direction' then
            {{ moved }} || ': the wrong way for this play.'
        when 'below_min_n' then
            'The audience has ' || {{ metrics_count_text('scored.audience_size') }}
            || ' customers, fewer than the ' || {{ metrics_count_text('scored.min_n_required') }}
            || ' needed to judge the result.'
        when 'not_significant' then
            {{ moved }} || ', but a change this size could still be chance.'
        when 'below_effect_floor' then
            {{ moved }} || ', a change too small to act on.'
        when 'below_financial_floor' then
            'Expected to add about ' || {{ metrics_dec_text('scored.expected_weekly_gross_profit_p50', 0) }}
            || ' a week in gross profit, less than the ' || {{ metrics_dec_text('scored.financial_floor', 0) }}
            || ' that makes a campaign worth the effort.'
    end
{%- endmacro %}

{% macro actions_candidate_would_fire_if() -%}
    {%- set g = actions_gate_settings() -%}
    case scored.reason_code
        when 'all_gates_passed' then cast(null as {{ dbt.type_string() }})
        when 'blocked_inventory_short' then
            'Would fire once every featured bestseller has at least '
            || '{{ var("aura_inventory_min_cover_days") }} days of stock.'
        when 'empty_audience' then
            'Would fire once customers match the audience.'
        when 'month_abstains' then
            'Would fire once the data problems holding this month back are fixed.'
        when 'no_evidence' then
            'Would fire once there is evidence for it: launch it as a pilot that holds back a random '
            || 'part of the audience, and next month the result is measured'
            || case when scored.required_n_per_group is not null
                then ' (about ' || {{ metrics_count_text('scored.required_n_per_group') }}
                    || ' customers in each group show a {{ (g.power_min_effect * 100) | round(1) }}-point lift)'
                else '' end
            || '.'
        when 'effect_not_computed' then
            'Would fire once both groups of customers have orders to compare.'
        when 'effect_wrong_direction' then
            'Would fire if the ' || scored.metric_label || ' ' || {{ actions_move_verb(1) }}
            || ' by at least ' || {{ actions_effect_size_text('scored.effect_floor') }} || ' (it '
            || {{ actions_move_verb(-1) }} || ' by ' || {{ actions_effect_size_text('scored.effect') }} || ').'
        when 'below_min_n' then
            'Would fire if the audience reached ' || {{ metrics_count_text('scored.min_n_required') }}
            || ' customers (now ' || {{ metrics_count_text('scored.audience_size') }} || ')'
            || case when scored.min_n_basis = 'power' and scored.required_n_per_group is not null
                then ', the number in each group needed to detect a {{ (g.power_min_effect * 100) | round(1) }}-point lift from '
                    || {{ metrics_pct_text('scored.power_baseline_rate') }}
                else '' end
            || '.'
        when 'not_significant' then
            'Would fire if the change held up with more customers'
            || case when scored.test_kind = 'two_proportion'
                    and required_n_two_prop(scored.b_value, scored.direction * scored.effect,
                        {{ g.power_alpha }}, {{ g.power_target }}) is not null
                then ': about ' || {{ metrics_count_text(
                    'required_n_two_prop(scored.b_value, scored.direction * scored.effect, '
                    ~ g.power_alpha ~ ', ' ~ g.power_target ~ ')') }}
                    || ' in each group would show whether a change of '
                    || {{ actions_effect_text('scored.effect') }} || ' is real'
                else '' end
            || '.'
        when 'below_effect_floor' then
            'Would fire if the ' || scored.metric_label || ' ' || {{ actions_move_verb(1) }}
            || ' by at least ' || {{ actions_effect_size_text('scored.effect_floor') }} || ' (it '
            || {{ actions_move_verb(1) }} || ' by ' || {{ actions_effect_size_text('scored.effect') }} || ').'
        when 'below_financial_floor' then
            'Would fire if the expected gain reached ' || {{ metrics_dec_text('scored.financial_floor', 0) }}
            || ' a week in gross profit (now ' || {{ metrics_dec_text('scored.expected_weekly_gross_profit_p50', 0) }} || ').'
    end
{%- endmacro %}
