{#- Whether the backtest models are built: var aura_backtest (default false in
    dbt_project.yml; the publishing pipeline, aura/pipeline.py, sets it true). Replaying
    the audiences at two dates per month adds 10-25% to a build (DECISIONLOG "Backtests",
    cost), so plain builds and the test fixtures leave it off. -#}
{% macro backtest_enabled() -%}
    {{ return((var('aura_backtest', false) | string | lower) in ['true', '1', 'yes']) }}
{%- endmacro %}

{#- Settings of the backtest (int_backtest_anchors_listed, int_backtest_cohorts_followed,
    mart_backtest_predictions, mart_backtest_calibration). Definitions: DECISIONLOG
    "Backtests". -#}

{#- Days after a month-end that its prediction is compared with: one baseline month (the
    monthly baselines are 28 days: 4 x L7, L28, L56 / 2), and the audience follow-up. -#}
{% macro backtest_horizon_days() -%}
    {{ return(28) }}
{%- endmacro %}

{#- The ranges' level: p10-p90 is the central 80% interval. z = norm.ppf(0.9). -#}
{% macro backtest_interval_level() -%}
    {{ return(0.8) }}
{%- endmacro %}

{% macro backtest_z() -%}
    {{ return(1.2815515655446004) }}
{%- endmacro %}

{#- One bound ('lower' or 'upper') of the one-sample t interval for a mean at `level`:
    mean -/+ t(df = n - 1, (1 + level) / 2) x sqrt(var / n), var the sample variance. It is
    the welch_ci UDF with a second arm of zero variance and mean 0 (the Welch standard
    error is then sqrt(var / n) and the Welch-Satterthwaite degrees of freedom n - 1
    exactly). NULL when n < 2 or var is 0 or NULL. -#}
{% macro backtest_mean_interval(bound, n, mean, variance, level) -%}
    {%- if bound not in ['lower', 'upper'] -%}
        {{ exceptions.raise_compiler_error("backtest_mean_interval: bound is 'lower' or 'upper'") }}
    {%- endif -%}
    welch_ci_{{ bound }}({{ n }}, {{ mean }}, {{ variance }}, 2, 0, 0, {{ level }})
{%- endmacro %}

{#- The standard normal CDF, Phi(x), by the logistic approximation of Bowling et al.
    (2009): 1 / (1 + exp(-(1.5976 x + 0.070566 x^3))), within 0.00015 of the exact value
    everywhere; portable SQL (exp only). Used for a diagnostic, never for a decision. -#}
{% macro backtest_normal_cdf(x) -%}
    (1 / (1 + exp(-(1.5976 * ({{ x }}) + 0.070566 * ({{ x }}) * ({{ x }}) * ({{ x }})))))
{%- endmacro %}

{#- A baseline source in words, for sentences: 'four times the last 7 days', ... -#}
{% macro backtest_source_words(source_expr) -%}
    case {{ source_expr }}
        when '4 x L7' then 'four times the last 7 days'
        when 'L28' then 'the last 28 days'
        when 'L56 / 2' then 'half the last 56 days'
    end
{%- endmacro %}

{#- A count with its noun, singular or plural: '1 month', '12 months'. -#}
{% macro backtest_count(expr, noun, plural=none) -%}
    {{ metrics_count_text(expr) }} || case when {{ expr }} = 1 then ' {{ noun }}' else ' {{ plural or noun ~ "s" }}' end
{%- endmacro %}

{#- A share as a whole percentage: '63%'. -#}
{% macro backtest_pct(expr) -%}
    {{ metrics_int_text('round(100 * ' ~ expr ~ ')') }} || '%'
{%- endmacro %}

{#- The plain-English line of one mart_backtest_calibration row (`r` is the relation
    alias): what was checked, over how many months, how often the actual fell inside the
    expected range and how far off the middle was. No statistics jargon or codes (the
    briefing's copy rules). -#}
{% macro backtest_summary(r, horizon) -%}
    {%- set min_customers = var('aura_backtest_min_customers') %}
    {%- set min_orders = var('aura_backtest_min_orders') %}
    {%- set who = "case when " ~ r ~ ".subject = 'all_plays' then 'All audiences together' else "
        ~ r ~ ".subject_label end" %}
    {%- set units = "case when " ~ r ~ ".subject = 'all_plays' then ' month-and-audience checks' "
        ~ "when " ~ r ~ ".rows_with_range = 1 then ' month' else ' months' end" %}
    {%- set lean -%}
        case
            when {{ r }}.mean_pct_error > 0.0005
                then 'too high by ' || {{ metrics_pct_text(r ~ '.mean_pct_error') }} || ' on balance'
            when {{ r }}.mean_pct_error < -0.0005
                then 'too low by ' || {{ metrics_pct_text('-' ~ r ~ '.mean_pct_error') }} || ' on balance'
            else 'no lean either way'
        end
    {%- endset %}
    {%- set coverage -%}
        ' fell inside the expected range in ' || {{ metrics_count_text(r ~ '.within_range_rows') }} || ' of '
            || {{ metrics_count_text(r ~ '.rows_with_range') }} || {{ units }}
            || ' (' || {{ backtest_pct(r ~ '.coverage_p10_p90') }}
            || '; about ' || {{ backtest_pct(r ~ '.no_change_coverage') }}
            || ' would be expected if the audiences had not changed)'
    {%- endset %}
    case
        when {{ r }}.summary_null_reason = 'no_month_ends'
            then 'Not checked yet: the order history has no month-end with 56 days of orders before it and '
                || '{{ horizon }} days after it.'
        when {{ r }}.check_name = 'baseline_net_sales' and {{ r }}.subject = 'engine choice'
            then 'The engine''s own pick of baseline (' || coalesce({{ r }}.engine_sources_text, 'none')
                || ') missed the next {{ horizon }} days'' net sales by '
                || {{ metrics_pct_text(r ~ '.mean_abs_pct_error') }} || ' on average (' || {{ lean }} || ').'
        when {{ r }}.check_name = 'baseline_net_sales'
            then upper(substr({{ r }}.subject_label, 1, 1)) || substr({{ r }}.subject_label, 2)
                || ', taken at each of ' || {{ backtest_count(r ~ '.evaluated_rows', 'month-end') }}
                || ', missed the next {{ horizon }} days'' net sales by '
                || {{ metrics_pct_text(r ~ '.mean_abs_pct_error') }} || ' on average (' || {{ lean }} || ').'
        when {{ r }}.summary_null_reason is not null and {{ r }}.check_name = 'audience_conversion_rate'
            then {{ who }} || ': not checked - in no month did this audience and the one {{ horizon }} days '
                || 'before it both have at least {{ min_customers }} customers.'
        when {{ r }}.summary_null_reason is not null
            then {{ who }} || ': not checked - in no month did this audience and the one {{ horizon }} days '
                || 'before it both place at least {{ min_orders }} orders.'
        when {{ r }}.rows_with_range = 0
            then {{ who }} || ': no expected range could be computed; the middle of the prediction was off by '
                || {{ metrics_pct_text(r ~ '.mean_abs_pct_error') }} || ' on average.'
        when {{ r }}.check_name = 'audience_conversion_rate'
            then {{ who }} || ': the share who ordered within {{ horizon }} days' || {{ coverage }}
                || ' and was off by ' || {{ metrics_dec_text('100 * ' ~ r ~ '.mean_abs_error', 1) }}
                || ' points on average.'
        else {{ who }} || ': the average order value' || {{ coverage }}
            || ' and was off by ' || {{ metrics_pct_text(r ~ '.mean_abs_pct_error') }} || ' on average.'
    end
{%- endmacro %}
