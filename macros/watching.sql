{#- Definitions and copy of mart_watching (the briefing's "Watching" list). Thresholds are
    aura_ vars (dbt_project.yml) or the candidate gates of actions_gate_settings(), so the
    list moves with aura_confidence_mode like the candidates do. Definitions: DECISIONLOG
    "Watching and forecast". -#}

{#- The KPIs of mart_kpi_deltas that can be watch items, with the move that makes them one.
    change: 'relative' (recent / prior - 1) or 'points' (recent - prior, for shares).
    new_customer_rate is left out: it is 1 - returning_customer_share, so it would repeat
    that move mirrored (DESIGN: derived metrics are not independent signals). -#}
{% macro watching_kpi_catalog() -%}
    {%- set g = actions_gate_settings() -%}
    {%- set volume = var('aura_watch_volume_change') -%}
    {%- if volume is not number or volume <= 0 or volume >= 1 -%}
        {{ exceptions.raise_compiler_error(
            "aura_watch_volume_change is '" ~ volume ~ "'; it must be a share between 0 and 1 (e.g. 0.10).") }}
    {%- endif -%}
    {{ return([
        {'metric': 'net_sales', 'label': 'net sales', 'subject': 'Net sales',
         'change': 'relative', 'threshold': volume, 'format': 'money', 'value_unit': 'store currency',
         'threshold_source': 'aura_watch_volume_change'},
        {'metric': 'orders', 'label': 'orders', 'subject': 'Orders',
         'change': 'relative', 'threshold': volume, 'format': 'count', 'value_unit': 'orders',
         'threshold_source': 'aura_watch_volume_change'},
        {'metric': 'identified_customers', 'label': 'customers who ordered',
         'subject': 'The number of customers who ordered',
         'change': 'relative', 'threshold': volume, 'format': 'count', 'value_unit': 'customers',
         'threshold_source': 'aura_watch_volume_change'},
        {'metric': 'aov', 'label': 'average order value', 'subject': 'Average order value',
         'change': 'relative', 'threshold': g.aov_floor, 'format': 'amount', 'value_unit': 'store currency',
         'threshold_source': 'aura_aov_effect_floor'},
        {'metric': 'units_per_order', 'label': 'units per order', 'subject': 'Units per order',
         'change': 'relative', 'threshold': g.aov_floor, 'format': 'amount', 'value_unit': 'units per order',
         'threshold_source': 'aura_aov_effect_floor'},
        {'metric': 'discount_rate', 'label': 'discounts as a share of gross sales',
         'subject': 'Discounts as a share of gross sales',
         'change': 'points', 'threshold': g.discount_floor, 'format': 'pct', 'value_unit': 'share',
         'threshold_source': 'aura_discount_pts_floor'},
        {'metric': 'repeat_rate_within_window', 'label': 'share of customers who ordered twice or more within the period',
         'subject': 'The share of customers who ordered twice or more within the period',
         'change': 'points', 'threshold': g.rate_floor, 'format': 'pct', 'value_unit': 'share',
         'threshold_source': 'aura_rate_effect_floor'},
        {'metric': 'returning_customer_share', 'label': 'share of customers who had ordered before',
         'subject': 'The share of customers who had ordered before',
         'change': 'points', 'threshold': g.rate_floor, 'format': 'pct', 'value_unit': 'share',
         'threshold_source': 'aura_rate_effect_floor'},
    ]) }}
{%- endmacro %}

{#- aura_watch_near_share, checked: a hard or soft check at least this far towards its limit
    is watched before it fires. -#}
{% macro watching_near_share() -%}
    {%- set near = var('aura_watch_near_share') -%}
    {%- if near is not number or near <= 0 or near >= 1 -%}
        {{ exceptions.raise_compiler_error(
            "aura_watch_near_share is '" ~ near ~ "'; it must be a share between 0 and 1 (e.g. 0.8).") }}
    {%- endif -%}
    {{ return(near) }}
{%- endmacro %}

{#- A value as text in one of the catalog's formats. -#}
{% macro watching_value_text(expr, fmt) -%}
    {%- if fmt == 'money' or fmt == 'count' -%}
        {{ metrics_count_text('round(' ~ expr ~ ', 0)') }}
    {%- elif fmt == 'amount' -%}
        {{ metrics_dec_text(expr, 2) }}
    {%- elif fmt == 'pct' -%}
        {{ metrics_pct_text(expr) }}
    {%- else -%}
        {{ exceptions.raise_compiler_error("watching_value_text: unknown format " ~ fmt) }}
    {%- endif -%}
{%- endmacro %}

{#- A change as text without its sign: '16.0%' (relative) or '4.1 points'. -#}
{% macro watching_change_size_text(expr, change) -%}
    {%- if change == 'relative' -%}
        {{ metrics_pct_text('abs(' ~ expr ~ ')') }}
    {%- else -%}
        {{ metrics_dec_text('abs(' ~ expr ~ ') * 100', 1) }} || ' points'
    {%- endif -%}
{%- endmacro %}

{#- The data-quality measures of the hard and soft checks (mart_data_quality_flags.metric_name)
    in plain English. fires: 'above' (the check fires when the value is above the
    threshold) or 'below'; count checks (threshold 0) are watched only once they fire. -#}
{% macro watching_check_measures() -%}
    {{ return([
        {'metric': 'history_days', 'label': 'days of order history', 'fires': 'below',
         'format': 'count', 'value_unit': 'days'},
        {'metric': 'counted_orders', 'label': 'counted orders of history', 'fires': 'below',
         'format': 'count', 'value_unit': 'orders'},
        {'metric': 'zero_value_order_share', 'label': 'share of the last 28 days of orders that were free',
         'fires': 'above', 'format': 'pct', 'value_unit': 'share'},
        {'metric': 'top_customer_order_share', 'label': 'share of the last 28 days of orders placed by one customer',
         'fires': 'above', 'format': 'pct', 'value_unit': 'share'},
        {'metric': 'recent_28_day_return_rate', 'label': 'refunds as a share of the last 28 days of sales',
         'fires': 'above', 'format': 'pct', 'value_unit': 'share'},
        {'metric': 'bfcm_days_in_recent_28_days', 'label': 'Black Friday to Cyber Monday days in the last 28 days',
         'fires': 'above', 'format': 'count', 'value_unit': 'days'},
        {'metric': 'promo_days_in_lookback', 'label': 'promotion days in the last ' ~ var('aura_post_promo_days') ~ ' days',
         'fires': 'above', 'format': 'count', 'value_unit': 'days'},
    ]) }}
{%- endmacro %}

{#- The sentence of a data-check item: the measure, its value and the limit at which the
    check fires (mart_watching adds what that does to the plan). Reads the columns of
    mart_watching's `checks` CTE. -#}
{% macro watching_check_sentence() -%}
    case checks.metric_name
        when 'history_days' then
            'The store has ' || {{ metrics_count_text('checks.metric_value') }}
            || ' days of order history; the plan needs at least ' || {{ metrics_count_text('checks.threshold') }} || '.'
        when 'counted_orders' then
            'The store has ' || {{ metrics_count_text('checks.metric_value') }}
            || ' orders of history; the plan needs at least ' || {{ metrics_count_text('checks.threshold') }} || '.'
        when 'zero_value_order_share' then
            {{ metrics_pct_text('checks.metric_value') }}
            || ' of the orders of the last 28 days were free; above ' || {{ metrics_pct_text('checks.threshold') }}
            || ' they look like test orders.'
        when 'top_customer_order_share' then
            'One customer placed ' || {{ metrics_pct_text('checks.metric_value') }}
            || ' of the orders of the last 28 days; above ' || {{ metrics_pct_text('checks.threshold') }}
            || ' they look like test orders.'
        when 'recent_28_day_return_rate' then
            'Refunds were ' || {{ metrics_pct_text('checks.metric_value') }}
            || ' of the sales of the last 28 days; above ' || {{ metrics_pct_text('checks.threshold') }}
            || ' ({{ var("aura_refund_storm_ratio") }} times the rate of the year before, with at least '
            || '{{ var("aura_refund_storm_min_refunded_orders") }} refunded orders) that is a refund surge.'
        when 'bfcm_days_in_recent_28_days' then
            'The last 28 days include ' || {{ metrics_count_text('checks.metric_value') }}
            || ' days of the Black Friday to Cyber Monday sales, which distort any comparison.'
        when 'promo_days_in_lookback' then
            'There were ' || {{ metrics_count_text('checks.metric_value') }}
            || ' promotion days in the last {{ var("aura_post_promo_days") }} days; the weeks right after a promotion are distorted.'
    end
{%- endmacro %}
