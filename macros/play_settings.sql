{#- Shared definitions of the audience marts (models/marts/actions: mart_audience_members,
    mart_audiences). Their thresholds are aura_ vars in dbt_project.yml; the windows that
    depend on the store's vertical (winback, dormant, subscription threshold) come from
    mart_store_profile. Definitions: DECISIONLOG "Audiences". -#}



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
    trim({{ aura_regexp_replace_all(
        aura_regexp_replace_all(
            aura_regexp_replace_all(
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
    anchor date inclusive), ties by product key. `anchors` names a relation of
    (anchor_id, as_of_date) rows (see actions_audience_members); without it the one anchor
    is the as-of date, with anchor_id 'as_of'. exclude_anchor_day=true ends the window the
    day before the anchor date (see actions_audience_members). anchor_window=true reads the
    primary window from the anchors' own primary_window_days column instead (the window the
    policy picks at each anchor date, as the backtest needs). Columns: anchor_id,
    product_key, units, top_rank. -#}
{% macro actions_bestseller_top_products(anchors=none, exclude_anchor_day=false, anchor_window=false) -%}
    {%- set window_days = 'anchors.primary_window_days' if anchor_window else 'baselines.primary_window_days' -%}
    {%- set anchor_relation = anchors if anchors else
        "(select 'as_of' as anchor_id, " ~ aura_as_of_date() ~ " as as_of_date)" -%}
    select anchor_id, product_key, units, top_rank
    from (
        select
            anchors.anchor_id,
            lines.product_key,
            sum(lines.quantity) as units,
            row_number() over (
                partition by anchors.anchor_id
                order by sum(lines.quantity) desc nulls last, lines.product_key asc nulls last
            ) as top_rank
        from {{ ref('fct_order_lines') }} as lines
        {%- if not anchor_window %}
        cross join {{ ref('mart_kpi_baselines') }} as baselines
        {%- endif %}
        inner join {{ anchor_relation }} as anchors
            on lines.order_date {{ '<' if exclude_anchor_day else '<=' }} anchors.as_of_date
            and lines.order_date > {{ metrics_add_days('anchors.as_of_date',
                '-' ~ window_days ~ (' - 1' if exclude_anchor_day else '')) }}
        where lines.is_sold_line
            and lines.is_counted_order
        group by anchors.anchor_id, lines.product_key
    ) as ranked
    where top_rank <= {{ var('aura_bestseller_amplify_top_n') }}
{%- endmacro %}
