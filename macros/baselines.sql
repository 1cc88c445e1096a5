{#- The engine's monthly baselines and window policy, in one place: mart_kpi_baselines
    applies them at the as-of date and the backtest (int_backtest_anchors_listed,
    mart_backtest_predictions) at every past month-end, so a replayed month uses exactly
    the rules of a live one. Definitions: DECISIONLOG "Backtests", README "Variables"
    (aura_window_policy). -#}

{#- The monthly baseline sources, in order: (label, window days, the expression that turns
    the window's total into a monthly figure, with {x} standing for the total). A month is
    28 days: 4 x L7, L28, L56 / 2. -#}
{% macro metrics_baseline_sources() -%}
    {{ return([
        ('4 x L7', 7, '4 * ({x})'),
        ('L28', 28, '({x})'),
        ('L56 / 2', 56, '({x}) / 2'),
    ]) }}
{%- endmacro %}

{#- The window policy (aura_window_policy): the primary window in days, from the counted
    orders of the last 7 and 28 days. auto: 7 when L7 has at least aura_l7_min_orders,
    else 28 when L28 has at least aura_l28_min_orders, else 56; l7 / l28 / l56 fix it. -#}
{% macro metrics_primary_window_days(l7_orders, l28_orders) -%}
    {%- set policy = var('aura_window_policy') -%}
    {%- if policy not in ['auto', 'l7', 'l28', 'l56'] -%}
        {{ exceptions.raise_compiler_error("aura_window_policy is '" ~ policy ~ "'; use auto, l7, l28 or l56.") }}
    {%- endif -%}
    {%- if policy == 'auto' -%}
    case
        when {{ l7_orders }} >= {{ var('aura_l7_min_orders') }} then 7
        when {{ l28_orders }} >= {{ var('aura_l28_min_orders') }} then 28
        else 56
    end
    {%- else -%}
    {{ policy[1:] }}
    {%- endif -%}
{%- endmacro %}

{#- The label of the baseline source a primary window uses: '4 x L7', 'L28' or 'L56 / 2'. -#}
{% macro metrics_baseline_source(window_days) -%}
    case {{ window_days }}
        {%- for label, days, _ in metrics_baseline_sources() %}
        when {{ days }} then '{{ label }}'
        {%- endfor %}
    end
{%- endmacro %}

{#- The monthly baseline of one source: `days` is 7, 28 or 56 and `total` the window's
    total (net sales or orders). -#}
{% macro metrics_monthly_baseline(days, total) -%}
    {%- for label, window, scale in metrics_baseline_sources() if window == days -%}
        {{ scale | replace('{x}', total) }}
    {%- else -%}
        {{ exceptions.raise_compiler_error("metrics_monthly_baseline: no baseline source for " ~ days ~ " days") }}
    {%- endfor -%}
{%- endmacro %}

{#- The monthly baseline the primary window picks: `window_days` is an expression (7, 28
    or 56), `totals` maps 7 / 28 / 56 to the windows' total expressions. -#}
{% macro metrics_chosen_baseline(window_days, totals) -%}
    case {{ window_days }}
        {%- for label, days, _ in metrics_baseline_sources() %}
        when {{ days }} then {{ metrics_monthly_baseline(days, totals[days]) }}
        {%- endfor %}
    end
{%- endmacro %}
