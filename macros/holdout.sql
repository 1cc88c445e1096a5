{#- Tracking of launched actions: which actions count, and who is held out of each.
    DECISIONLOG "Measured outcomes". -#}

{#- The key a customer is hashed by for holdout assignment: the email for email customers
    (customer_key 'email:<lower(trim(email))>', the key the app and aura/tracking/holdout.py
    use), else the customer_key itself ('phone:<digits>'). -#}
{% macro aura_holdout_key(customer_key_expr) -%}
    case
        when {{ customer_key_expr }} like 'email:%' then substr({{ customer_key_expr }}, 7)
        else {{ customer_key_expr }}
    end
{%- endmacro %}

{#- The uniform [0, 1) number a customer's holdout assignment compares with the action's
    holdout fraction (held out iff it is below the fraction): the first 8 hex digits of
    md5(action_id || '|' || key) as an integer, divided by 16^8. The same rule as
    aura.tracking.holdout.holdout_hash; tests/test_action_outcomes.py checks both bodies
    against it. NULL when either input is NULL. -#}
{% macro aura_holdout_hash(action_id_expr, key_expr) -%}
    {{ return(adapter.dispatch('aura_holdout_hash', 'aura')(action_id_expr, key_expr)) }}
{%- endmacro %}

{#- Portable body: the eight hex digits converted one at a time (md5, substr, position and
    bigint arithmetic exist on every engine; the digits are lower-cased first). -#}
{% macro default__aura_holdout_hash(action_id_expr, key_expr) -%}
    {%- set hex = "lower(substr(md5(" ~ action_id_expr ~ " || '|' || " ~ key_expr ~ "), 1, 8))" -%}
    (cast(
    {%- for i in range(8) %}
        {% if not loop.first %}+ {% endif -%}
        cast({{ dbt.position("substr(" ~ hex ~ ", " ~ (i + 1) ~ ", 1)", "'0123456789abcdef'") }} - 1
            as {{ dbt.type_bigint() }}) * {{ 16 ** (7 - i) }}
    {%- endfor %}
    as double) / 4294967296.0)
{%- endmacro %}

{% macro duckdb__aura_holdout_hash(action_id_expr, key_expr) -%}
    (cast(('0x' || substr(md5({{ action_id_expr }} || '|' || {{ key_expr }}), 1, 8)) as ubigint)
        / 4294967296.0)
{%- endmacro %}

{#- The launched actions that count at the as-of date, one row per action_id: the action
    log (stg_inputs__action_log) with repeated rows of one action_id reduced to its first
    launch (earliest launched_at, then file and row), and actions launched after the as-of
    date left out (a replayed month does not know them yet). Adds the shop-local launch
    date, the holdout fraction in force (the logged one, else aura_holdout_fraction), the
    measurement window (aura_measurement_days x 24 hours after launched_at) and how many log
    rows the action had; with_predictions=true also the launch row's frozen prediction
    (predicted_net_sales_p10/p50/p90) and the audience size it was for
    (launch_audience_size). Returns a SELECT. -#}
{% macro tracking_launched_actions(with_predictions=false) -%}
{%- set measurement_days = var('aura_measurement_days') | int %}
select
    action_id,
    play_id,
    variant_id,
    channel,
    launched_at,
    launch_date,
    coalesce(cast(holdout_fraction as double),
        cast({{ var('aura_holdout_fraction') }} as double)) as holdout_fraction,
    holdout_fraction is null as is_default_holdout_fraction,
    cast({{ measurement_days }} as integer) as measurement_days,
    {{ dbt.dateadd('hour', measurement_days * 24, 'launched_at') }} as measurement_end_at,
    {%- if with_predictions %}
    cast(predicted_net_sales_p10 as double) as predicted_net_sales_p10,
    cast(predicted_net_sales_p50 as double) as predicted_net_sales_p50,
    cast(predicted_net_sales_p90 as double) as predicted_net_sales_p90,
    cast(audience_size as {{ dbt.type_bigint() }}) as launch_audience_size,
    {%- endif %}
    action_log_rows
from (
    select
        action_id,
        play_id,
        variant_id,
        channel,
        launched_at,
        cast({{ aura_local_timestamp('launched_at') }} as date) as launch_date,
        holdout_fraction,
        {%- if with_predictions %}
        predicted_net_sales_p10,
        predicted_net_sales_p50,
        predicted_net_sales_p90,
        audience_size,
        {%- endif %}
        row_number() over (
            partition by action_id
            order by launched_at asc nulls last, source_file asc nulls last, source_row asc nulls last
        ) as log_rank,
        count(*) over (partition by action_id) as action_log_rows
    from {{ ref('stg_inputs__action_log') }}
    where action_id is not null
) as ranked
where log_rank = 1
    and launch_date <= {{ aura_as_of_date() }}
{%- endmacro %}

{#- The share of the plan's monthly value that falls in the measurement window. The plan's
    month is the weeks of aura_fatigue_schedule (four: 1.00 + 0.85 + 0.70 + 0.60 = 3.15
    weeks of response, mart_action_variants); a window of D days covers the fatigue-weighted
    weeks F(D) = sum over weeks w of factor_w x the share of week w inside the window (weeks
    after the schedule at its last factor), and the factor is F(D) / F(month). 1 exactly when
    aura_measurement_days is 7 x the schedule's length (28 by default). A number rendered at
    compile time; `days` and `schedule` default to the vars (tests pass others).
    DECISIONLOG "Outcomes and accuracy". -#}
{% macro tracking_prediction_window_factor(days=none, schedule=none) -%}
    {%- if schedule is none -%}
        {%- set checked = actions_variant_settings() -%}
        {%- set schedule = var('aura_fatigue_schedule') -%}
    {%- endif -%}
    {%- if (schedule | sum) <= 0 -%}
        {{ exceptions.raise_compiler_error(
            "aura_fatigue_schedule sums to 0; at least one weekly factor must be above 0.") }}
    {%- endif -%}
    {%- set raw_days = var('aura_measurement_days') if days is none else days -%}
    {%- set days = raw_days | int -%}
    {%- if days < 1 -%}
        {{ exceptions.raise_compiler_error(
            "aura_measurement_days is '" ~ raw_days ~ "'; it must be a whole number of days, at least 1.") }}
    {%- endif -%}
    {%- set ns = namespace(covered=0.0) -%}
    {%- for w in range(((days + 6) // 7) | int) -%}
        {%- set factor = schedule[w] if w < schedule | length else schedule[-1] -%}
        {%- set share = [1.0, (days - 7 * w) / 7.0] | min -%}
        {%- set ns.covered = ns.covered + factor * share -%}
    {%- endfor -%}
    {{- (ns.covered / (schedule | sum)) | round(12) -}}
{%- endmacro %}
