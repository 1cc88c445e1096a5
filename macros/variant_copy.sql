{#- The plain-English note of mart_action_variants (variant_note): whether a way of running
    a play can be used this month and why, for a brand team. Customers, weeks, percentages
    and money only: no p-values, intervals or codes. Reads the columns of the mart's
    `ranked` CTE. -#}

{#- 'this week', '1 week ago', '3 weeks ago' for a whole number of weeks. -#}
{% macro actions_weeks_ago_text(weeks_expr) -%}
    case
        when {{ weeks_expr }} = 0 then 'this week'
        when {{ weeks_expr }} = 1 then '1 week ago'
        else {{ metrics_int_text(weeks_expr) }} || ' weeks ago'
    end
{%- endmacro %}

{#- '1 week', '4 weeks'. -#}
{% macro actions_weeks_text(weeks_expr) -%}
    {{ metrics_int_text(weeks_expr) }} || case when {{ weeks_expr }} = 1 then ' week' else ' weeks' end
{%- endmacro %}

{#- A share as a whole percentage, '25%'. -#}
{% macro actions_whole_pct_text(expr) -%}
    {{ metrics_int_text('round(100 * ' ~ expr ~ ')') }} || '%'
{%- endmacro %}

{#- The expected value in words: 'about 693 in sales this month (range 347 to 1040)',
    plus the offer's cost when there is one. -#}
{% macro actions_variant_value_text() -%}
    'about ' || {{ metrics_dec_text('ranked.expected_monthly_net_sales_p50', 0) }}
        || ' in sales this month (range ' || {{ metrics_dec_text('ranked.expected_monthly_net_sales_p10', 0) }}
        || ' to ' || {{ metrics_dec_text('ranked.expected_monthly_net_sales_p90', 0) }} || ')'
        || case when ranked.incentive_cost_monthly > 0
            then ', after about ' || {{ metrics_dec_text('ranked.incentive_cost_monthly', 0) }} || ' for the offer'
            else '' end
{%- endmacro %}

{% macro actions_variant_note() -%}
    {%- set s = actions_variant_settings() -%}
    case
        when ranked.ineligible_reason = 'cooldown' then
            'On hold: '
            || case
                when ranked.family_last_launch_play_id = ranked.play_id then 'this play was'
                when substr(ranked.family, 1, 1) in ('a', 'e', 'i', 'o', 'u') then 'an ' || ranked.family || ' play was'
                else 'a ' || ranked.family || ' play was'
            end
            || ' launched ' || {{ actions_weeks_ago_text('ranked.weeks_since_family_launch') }}
            || '; this family rests ' || {{ actions_weeks_text('ranked.cooldown_weeks') }} || '.'
        when ranked.ineligible_reason = 'discount_above_cap' then
            'Off by policy: this offer costs ' || {{ actions_whole_pct_text('ranked.incentive_cost_value') }}
            || ' of the order value, more than the {{ (s.max_discount * 100) | round | int }}% the store allows.'
        when ranked.ineligible_reason = 'channels_disabled' then
            'Off by policy: this play is sent by ' || replace(ranked.channels, '|', ' and ')
            || ', which the store has switched off.'
        when ranked.ineligible_reason = 'empty_audience' then
            case when ranked.excluded_audience_play_id is not null and ranked.audience_size > 0
                then 'No one to send it to: everyone in this audience mostly buys with a discount, '
                    || 'and those customers are kept out of discount offers.'
                else 'No one to send it to: the audience is empty this month.'
            end
        when ranked.is_best_variant then
            case when ranked.expected_monthly_net_sales_p50 is not null
                then 'Best way to run this play: expected to add ' || {{ actions_variant_value_text() }} || '.'
                    || case when ranked.ltv_nudge_factor > 1
                        then ' ' || {{ actions_whole_pct_text('ranked.ltv_top_decile_share') }}
                            || ' of these customers are among the store''s best tenth by lifetime spend, '
                            || 'so the version without a discount is favoured.'
                        else '' end
                    || case when ranked.value_basis = 'evidence x planning assumption'
                        then ' The extra response to the offer is a planning assumption, not yet measured in this store.'
                        else '' end
                else 'Best way to run this play for now: there is not enough evidence yet to put a number on it'
                    || case when ranked.is_no_discount then ', so the version without a discount goes first.'
                        else '.' end
            end
        else
            case when ranked.expected_monthly_net_sales_p50 is not null
                then 'Usable, but another way of running this play is expected to do better; this one would add '
                    || {{ actions_variant_value_text() }} || '.'
                else 'Usable, but with not enough evidence yet to put a number on this play, '
                    || 'the version without a discount goes first.'
            end
            || case when ranked.novelty_factor < 1
                then ' It was used ' || {{ actions_weeks_ago_text('ranked.weeks_since_variant_launch') }}
                    || ', so it ranks lower until it is fresh again.'
                else '' end
    end
{%- endmacro %}
