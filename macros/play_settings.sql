{#- Settings and shared definitions of the audience marts (models/marts/actions:
    mart_audience_members, mart_audiences). Definitions: DECISIONLOG "Audiences".

    Thresholds are vars. They are not (yet) declared in dbt_project.yml: play_setting(name)
    returns the project's value when declared there or passed with --vars, else the default
    below. Every default lives here, in one place, so the block can be moved into
    dbt_project.yml `vars:` unchanged. Audience windows that depend on the store's vertical
    (winback, dormant, subscription threshold) are not here: they come from
    mart_store_profile (metrics_audience_windows). -#}
{#- The settings (var name: default - meaning):
    aura_bestseller_amplify_top_n: 5 - bestseller_amplify takes buyers of the top N products
        by units sold in the primary window (mart_kpi_baselines.primary_window_days) ...
    aura_bestseller_amplify_quiet_days: 14 - ... who have not ordered in the last N days
        (days since their last order >= N).
    aura_discount_hygiene_min_orders: 3 - discount_hygiene: at least this many counted
        orders ...
    aura_discount_hygiene_min_discounted_share: 0.80 - ... of which at least this share is
        discounted ...
    aura_discount_hygiene_min_discount_rate: 0.05 - ... an order being discounted when
        discounts / gross sales >= this rate (the seed's discount-hygiene metric, 5%).
    aura_subscription_nudge_lookback_days: 90 - subscription_nudge counts orders of one
        product over this many days (the threshold is mart_store_profile.
        subscription_min_orders).
    aura_sample_to_full_min_days: 14, aura_sample_to_full_max_days: 21 - sample_to_full:
        the sample was bought this many days ago (inclusive).
    aura_empty_bottle_tolerance_days: 7 - empty_bottle: days since the purchase within this
        many days of its expected depletion (seed size_depletion_days), either side.
    aura_first_to_second_min_days: 14, aura_first_to_second_max_days: 45 -
        first_to_second_purchase: the one order was placed this many days ago (inclusive).
    aura_replenishment_due_min_ratio: 0.9, aura_replenishment_due_max_ratio: 1.2 -
        replenishment_due: days since the last purchase of a SKU within [min, max] x the
        customer's own median gap between purchases of it. -#}
{% macro play_setting(name) -%}
    {%- set defaults = {
        'aura_bestseller_amplify_top_n': 5,
        'aura_bestseller_amplify_quiet_days': 14,
        'aura_discount_hygiene_min_orders': 3,
        'aura_discount_hygiene_min_discounted_share': 0.80,
        'aura_discount_hygiene_min_discount_rate': 0.05,
        'aura_subscription_nudge_lookback_days': 90,
        'aura_sample_to_full_min_days': 14,
        'aura_sample_to_full_max_days': 21,
        'aura_empty_bottle_tolerance_days': 7,
        'aura_first_to_second_min_days': 14,
        'aura_first_to_second_max_days': 45,
        'aura_replenishment_due_min_ratio': 0.9,
        'aura_replenishment_due_max_ratio': 1.2,
    } -%}
    {%- if name not in defaults -%}
        {{ exceptions.raise_compiler_error("play_setting: unknown setting '" ~ name ~ "'") }}
    {%- endif -%}
    {{ return(var(name, defaults[name])) }}
{%- endmacro %}

{#- A sold line is a subscription purchase when the text of what was bought (the line's
    title and variant, as sold) says subscribe/subscription/auto-ship/auto-replenish. The
    product's tags are deliberately not read: Shopify tags belong to the product, so a
    'subscription' tag marks the one-off variants of a subscribable product too. -#}
{% macro actions_subscription_line_pattern() -%}
    {{ return('(subscri|auto-?ship|auto-?replenish)') }}
{%- endmacro %}

{#- Every match of a regular expression replaced (DuckDB replaces only the first match
    without the 'g' option; Spark always replaces all). -#}
{% macro actions_regexp_replace_all(expr, pattern, replacement) -%}
    {{ return(adapter.dispatch('actions_regexp_replace_all', 'aura')(expr, pattern, replacement)) }}
{%- endmacro %}
{% macro default__actions_regexp_replace_all(expr, pattern, replacement) -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}')
{%- endmacro %}
{% macro duckdb__actions_regexp_replace_all(expr, pattern, replacement) -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}

{#- A product's title without its variant part: the title minus a trailing
    ' - <variant>' (Shopify line names are 'Title - Variant'). -#}
{% macro actions_title_without_variant(title, variant) -%}
    case
        when {{ variant }} is not null
            and length({{ title }}) > length({{ variant }}) + 3
            and lower(substr({{ title }}, length({{ title }}) - length({{ variant }}) - 2))
                = lower(' - ' || {{ variant }})
            then substr({{ title }}, 1, length({{ title }}) - length({{ variant }}) - 3)
        else {{ title }}
    end
{%- endmacro %}

{#- A product's title family (to match a sample to its full size): the title without its
    variant part, lower-cased, with sizes ('10 ml', '1.7 fl oz', '50 g') and the words that
    mark a small size (sample, travel, mini, deluxe, trial, tester, size) removed and the
    spaces collapsed. 'Rose Glow Serum - Travel 10 ml' -> 'rose glow serum'. -#}
{% macro actions_product_family(title, variant) -%}
    trim({{ actions_regexp_replace_all(
        actions_regexp_replace_all(
            actions_regexp_replace_all(
                'lower(' ~ actions_title_without_variant(title, variant) ~ ')',
                '[0-9]+([.][0-9]+)? *(ml|fl[.]? *oz|oz|g)\\b', ' '),
            '\\b(sample|travel|mini|deluxe|trial|tester|size)\\b', ' '),
        '[ ]+', ' ') }})
{%- endmacro %}

{#- A product's name for people: its title, plus ' - <variant>' when the title does not
    already end with it. -#}
{% macro actions_product_label(title, variant) -%}
    case
        when {{ variant }} is null or {{ actions_title_without_variant(title, variant) }} <> {{ title }}
            then {{ title }}
        else {{ title }} || ' - ' || {{ variant }}
    end
{%- endmacro %}

{#- The store's top products for bestseller_amplify, as a SELECT (use it as a CTE body):
    the aura_bestseller_amplify_top_n products with the most units sold on counted orders
    in the primary window (mart_kpi_baselines.primary_window_days, the days ending at the
    as-of date inclusive), ties by product key. Columns: product_key, units, top_rank. -#}
{% macro actions_bestseller_top_products() -%}
    select product_key, units, top_rank
    from (
        select
            lines.product_key,
            sum(lines.quantity) as units,
            row_number() over (
                order by sum(lines.quantity) desc nulls last, lines.product_key asc nulls last
            ) as top_rank
        from {{ ref('fct_order_lines') }} as lines
        cross join (select {{ aura_as_of_date() }} as as_of_date) as as_of
        cross join {{ ref('mart_kpi_baselines') }} as baselines
        where lines.is_sold_line
            and lines.is_counted_order
            and lines.order_date <= as_of.as_of_date
            and lines.order_date > {{ metrics_add_days('as_of.as_of_date', '-baselines.primary_window_days') }}
        group by lines.product_key
    ) as ranked
    where top_rank <= {{ play_setting('aura_bestseller_amplify_top_n') }}
{%- endmacro %}
