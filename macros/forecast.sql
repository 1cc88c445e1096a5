{#- Settings and copy of mart_forecast (the seed's "Forecast Chart (Monthly Units)"). Every
    number is an aura_ var of dbt_project.yml's "Monthly plan" block; a setting that cannot
    be meant stops the build with a message naming the var. Definitions: DECISIONLOG
    "Watching and forecast". -#}
{% macro actions_forecast_settings() -%}
    {%- set factors = var('aura_position_factors') -%}
    {%- set overlap = var('aura_channel_overlap_factor') -%}
    {%- set cap_share = var('aura_portfolio_cap_share') -%}
    {%- set max_recommended = var('aura_max_recommended') -%}
    {%- if factors is string or factors is not iterable or factors | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            "aura_position_factors is '" ~ factors ~ "'; it must be a list like [1.0, 0.9, 0.8].") }}
    {%- endif -%}
    {%- for f in factors -%}
        {%- if f is not number or f <= 0 or f > 1 -%}
            {{ exceptions.raise_compiler_error(
                "aura_position_factors holds '" ~ f ~ "'; every factor must be in (0, 1].") }}
        {%- endif -%}
    {%- endfor -%}
    {%- if factors | length < max_recommended -%}
        {{ exceptions.raise_compiler_error(
            "aura_position_factors has " ~ (factors | length) ~ " factors but aura_max_recommended is "
            ~ max_recommended ~ "; give one factor per position.") }}
    {%- endif -%}
    {%- if overlap is not number or overlap <= 0 or overlap > 1 -%}
        {{ exceptions.raise_compiler_error(
            "aura_channel_overlap_factor is '" ~ overlap ~ "'; it must be in (0, 1].") }}
    {%- endif -%}
    {%- if cap_share is not number or cap_share <= 0 -%}
        {{ exceptions.raise_compiler_error(
            "aura_portfolio_cap_share is '" ~ cap_share ~ "'; it must be a positive share of the baseline.") }}
    {%- endif -%}
    {%- set pct = [] -%}
    {%- for f in factors -%}
        {%- do pct.append(((f * 100) | round(1) | string).replace('.0', '') ~ '%') -%}
    {%- endfor -%}
    {%- do return({
        'position_factors': factors,
        'channel_overlap_factor': overlap,
        'cap_share': cap_share,
        'position_text': (pct[:-1] | join(', ')) ~ (' and ' if pct | length > 1 else '') ~ pct[-1],
        'overlap_text': ((overlap * 100) | round(1) | string).replace('.0', '') ~ '%',
        'cap_text': ((cap_share * 100) | round(1) | string).replace('.0', '') ~ '%',
    }) -%}
{%- endmacro %}

{#- The baseline's source in plain English, from mart_kpi_baselines.baseline_source. -#}
{% macro forecast_baseline_label(source_expr) -%}
    case {{ source_expr }}
        when '4 x L7' then 'four times the net sales of the last 7 days'
        when 'L28' then 'the net sales of the last 28 days'
        when 'L56 / 2' then 'half the net sales of the last 56 days'
    end
{%- endmacro %}
