{#- The monthly-plan settings mart_action_variants uses, read from the "Monthly plan" vars in
    dbt_project.yml (the seed's defaults) and checked, so a mistyped policy stops the build
    with a message instead of producing silent nonsense. Returns a dict; the mart stores the
    values it used on every row. DECISIONLOG "Monthly plan: variants, scaling, cooldowns". -#}
{% macro actions_variant_settings() -%}
    {%- set schedule = var('aura_fatigue_schedule') -%}
    {%- if schedule is string or schedule is not iterable or schedule | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            "aura_fatigue_schedule is '" ~ schedule ~ "'; it must be a list of weekly factors, e.g. [1.00, 0.85, 0.70, 0.60].") }}
    {%- endif -%}
    {%- for f in schedule -%}
        {%- if f is not number or f < 0 or f > 1 -%}
            {{ exceptions.raise_compiler_error(
                "aura_fatigue_schedule holds '" ~ f ~ "'; every weekly factor must be a number between 0 and 1.") }}
        {%- endif -%}
    {%- endfor -%}
    {%- set smin = var('aura_seasonality_min') -%}
    {%- set smax = var('aura_seasonality_max') -%}
    {%- if smin is not number or smax is not number or smin <= 0 or smin > 1 or smax < 1 -%}
        {{ exceptions.raise_compiler_error(
            "aura_seasonality_min / aura_seasonality_max are " ~ smin ~ " / " ~ smax
            ~ "; they must satisfy 0 < min <= 1 <= max.") }}
    {%- endif -%}
    {%- set checks = [
        ('aura_action_cap_share', 0, 1),
        ('aura_ltv_nudge', 0, 1),
        ('aura_ltv_top_decile_share', 0, 1),
        ('aura_novelty_penalty', 0, 1),
        ('aura_novelty_weeks', 0, 52),
        ('aura_policy_max_discount', 0, 1),
        ('aura_gross_margin', 0, 1),
    ] -%}
    {%- for name, low, high in checks -%}
        {%- set value = var(name) -%}
        {%- if value is not number or value < low or value > high -%}
            {{ exceptions.raise_compiler_error(
                name ~ " is '" ~ value ~ "'; it must be a number between " ~ low ~ " and " ~ high ~ ".") }}
        {%- endif -%}
    {%- endfor -%}
    {%- set disabled = var('aura_policy_disabled_channels') -%}
    {%- if disabled is string or disabled is not iterable -%}
        {{ exceptions.raise_compiler_error(
            "aura_policy_disabled_channels is '" ~ disabled ~ "'; it must be a list of channels, e.g. ['sms'] or [].") }}
    {%- endif -%}
    {%- for channel in disabled -%}
        {%- if channel is not string or not modules.re.match('^[a-z_]+$', channel) -%}
            {{ exceptions.raise_compiler_error(
                "aura_policy_disabled_channels holds '" ~ channel ~ "'; channels are lower-case names like email or sms.") }}
        {%- endif -%}
    {%- endfor -%}
    {%- do return({
        'fatigue_factor': (schedule | sum) | round(10),
        'fatigue_weeks': schedule | length,
        'seasonality_min': smin,
        'seasonality_max': smax,
        'cap_share': var('aura_action_cap_share'),
        'ltv_nudge': var('aura_ltv_nudge'),
        'ltv_top_share': var('aura_ltv_top_decile_share'),
        'novelty_penalty': var('aura_novelty_penalty'),
        'novelty_weeks': var('aura_novelty_weeks') | int,
        'max_discount': var('aura_policy_max_discount'),
        'disabled_channels': disabled | list,
        'gross_margin': var('aura_gross_margin'),
    }) -%}
{%- endmacro %}

{#- True (a SQL boolean) when every channel of a '|'-separated channel list is switched
    off by aura_policy_disabled_channels: each disabled channel is removed from
    '|' || channels || '|' and nothing but the separator is left. Portable SQL (replace
    and concatenation only). -#}
{% macro actions_all_channels_disabled(channels_expr, disabled) -%}
    {%- if disabled | length == 0 -%}
        false
    {%- else -%}
        {%- set ns = namespace(expr="'|' || " ~ channels_expr ~ " || '|'") -%}
        {%- for channel in disabled -%}
            {%- set ns.expr = "replace(" ~ ns.expr ~ ", '|" ~ channel ~ "|', '|')" -%}
        {%- endfor -%}
        ({{ ns.expr }} = '|')
    {%- endif -%}
{%- endmacro %}
