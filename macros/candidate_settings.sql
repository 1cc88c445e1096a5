{#- The gates of mart_action_candidates, resolved for aura_confidence_mode. Every number
    starts as an aura_ var in dbt_project.yml (the seed's concierge block); the mode shifts
    them in one documented way (README "Candidate actions", DECISIONLOG):

    learning      the vars as they are (the default for a store Aura is getting to know)
    conservative  min n and every floor x 1.5, FDR alpha x 2/3 (0.15 -> 0.10)
    aggressive    min n x 0.75, effect floors x 0.75, financial floor x 0.5,
                  FDR alpha x 5/3 (0.15 -> 0.25)

    Significance is a BH q-value below alpha in every mode: the seed's extra shortcuts
    (a raw p < 0.05 or a CI excluding 0) would let a null store through more often than
    the FDR allows (DECISIONLOG "Candidate actions").

    Returns a dict; the mart stores the values it used on every row. -#}
{% macro actions_gate_settings() -%}
    {%- set mode = var('aura_confidence_mode') -%}
    {%- set shifts = {
        'learning': {'n': 1.0, 'effect': 1.0, 'money': 1.0, 'alpha': 1.0},
        'conservative': {'n': 1.5, 'effect': 1.5, 'money': 1.5, 'alpha': 2.0 / 3.0},
        'aggressive': {'n': 0.75, 'effect': 0.75, 'money': 0.5, 'alpha': 5.0 / 3.0},
    } -%}
    {%- if mode not in shifts -%}
        {{ exceptions.raise_compiler_error(
            "aura_confidence_mode is '" ~ mode ~ "'; it must be learning, conservative or aggressive.") }}
    {%- endif -%}
    {%- if var('aura_financial_floor_mode') not in ['auto', 'fixed'] -%}
        {{ exceptions.raise_compiler_error(
            "aura_financial_floor_mode is '" ~ var('aura_financial_floor_mode') ~ "'; it must be auto or fixed.") }}
    {%- endif -%}
    {%- set s = shifts[mode] -%}
    {%- do return({
        'mode': mode,
        'min_n_audience': (var('aura_min_n_audience') * s['n']) | round(0, 'ceil') | int,
        'min_n_sku': (var('aura_min_n_sku') * s['n']) | round(0, 'ceil') | int,
        'fdr_alpha': var('aura_fdr_alpha') * s['alpha'],
        'rate_floor': var('aura_rate_effect_floor') * s['effect'],
        'aov_floor': var('aura_aov_effect_floor') * s['effect'],
        'discount_floor': var('aura_discount_pts_floor') * s['effect'],
        'floor_mode': var('aura_financial_floor_mode'),
        'floor_fixed': var('aura_financial_floor_fixed') * s['money'],
        'floor_share': var('aura_financial_floor_share') * s['money'],
        'floor_min': var('aura_financial_floor_min') * s['money'],
        'gross_margin': var('aura_gross_margin'),
        'power_min_effect': var('aura_power_min_effect'),
        'power_alpha': var('aura_power_alpha'),
        'power_target': var('aura_power_target'),
        'power_default_baseline': var('aura_power_default_baseline'),
        'soft_ratio': var('aura_watchlist_soft_ratio'),
        'watchlist_p': var('aura_watchlist_p'),
        'w_financial': var('aura_score_weight_financial'),
        'w_significance': var('aura_score_weight_significance'),
        'w_effect': var('aura_score_weight_effect'),
        'w_ci': var('aura_score_weight_ci_tightness'),
        'w_audience': var('aura_score_weight_audience'),
    }) -%}
{%- endmacro %}
