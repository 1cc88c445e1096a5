-- One row per as-of date: what kind of store this is and how much history it has.
-- The vertical (beauty | supplements | mixed) comes from aura_vertical, or when that is
-- 'auto' from the product keywords weighted by units sold in the 365 days up to the
-- as-of date; it sets the audience windows the engine uses. Also the store's median
-- reorder gap (exact median, window functions only) and its order history.
-- Definitions: DECISIONLOG "Store profile".
{%- set vertical_var = var('aura_vertical') %}
{%- if vertical_var not in ['beauty', 'supplements', 'mixed', 'auto'] %}
    {{ exceptions.raise_compiler_error(
        "aura_vertical is '" ~ vertical_var ~ "'; use beauty, supplements, mixed or auto.") }}
{%- endif %}
{%- set keywords = metrics_vertical_keywords() %}
{%- set windows = metrics_audience_windows() %}
{%- set share_min = var('aura_vertical_share_min') %}

with as_of as (
    select {{ aura_as_of_date() }} as as_of_date
),

counted as (
    select orders.*
    from {{ ref('fct_orders') }} as orders
    cross join as_of
    where orders.is_counted_order and orders.order_date <= as_of.as_of_date
),

history as (
    select
        min(order_date) as first_order_date,
        max(order_date) as last_order_date,
        count(*) as counted_orders
    from counted
),

-- median days between a customer's orders, over repeat orders in the last 365 days
gaps as (
    select counted.days_since_previous_order as gap_days
    from counted
    cross join as_of
    where counted.is_repeat_order
        and counted.days_since_previous_order is not null
        and counted.order_date >= {{ metrics_add_days('as_of.as_of_date', -364) }}
),

gaps_ranked as (
    select
        gap_days,
        row_number() over (order by gap_days asc nulls last) as gap_rank,
        count(*) over () as gap_count
    from gaps
),

median_gap as (
    select
        count(*) as rows_in_middle,
        avg(cast(gap_days as double)) as median_reorder_gap_days
    from gaps_ranked
    where gap_rank = floor((gap_count + 1) / 2.0) or gap_rank = floor((gap_count + 2) / 2.0)
),

repeat_orders as (
    select count(*) as repeat_orders_last_365_days from gaps
),

-- product vertical from keywords, weighted by units sold in the last 365 days
units_sold as (
    select lines.product_key, sum(lines.quantity) as units
    from {{ ref('fct_order_lines') }} as lines
    cross join as_of
    where lines.is_sold_line
        and lines.is_counted_order
        and lines.order_date <= as_of.as_of_date
        and lines.order_date >= {{ metrics_add_days('as_of.as_of_date', -364) }}
    group by lines.product_key
),

product_text as (
    select
        product_key,
        lower(
            coalesce(product_title, '') || ' ' || coalesce(variant_title, '') || ' '
            || coalesce(category, '') || ' ' || coalesce(tags, '')
        ) as product_text
    from {{ ref('dim_products') }}
),

scored as (
    select
        units_sold.product_key,
        units_sold.units,
        {% for pattern in keywords['supplements'] -%}
        case when {{ aura_regexp_matches('product_text.product_text', pattern) }} then 1 else 0 end
        {%- if not loop.last %} + {% endif %}
        {% endfor %} as supplement_keywords,
        {% for pattern in keywords['beauty'] -%}
        case when {{ aura_regexp_matches('product_text.product_text', pattern) }} then 1 else 0 end
        {%- if not loop.last %} + {% endif %}
        {% endfor %} as beauty_keywords
    from units_sold
    left join product_text on units_sold.product_key = product_text.product_key
),

shares as (
    select
        sum(units) as units_sold,
        sum(case when supplement_keywords > beauty_keywords then units else 0 end) as supplement_units,
        sum(case when beauty_keywords > supplement_keywords then units else 0 end) as beauty_units
    from scored
),

detected as (
    select
        coalesce(units_sold, 0) as units_sold_last_365_days,
        case when units_sold > 0 then cast(supplement_units as double) / units_sold end
            as supplement_share,
        case when units_sold > 0 then cast(beauty_units as double) / units_sold end
            as beauty_share,
        case when units_sold > 0
            then cast(units_sold - supplement_units - beauty_units as double) / units_sold
        end as unclassified_share
    from shares
),

classified as (
    select
        *,
        case
            when supplement_share >= {{ share_min }} then 'supplements'
            when beauty_share >= {{ share_min }} then 'beauty'
            else 'mixed'
        end as detected_vertical,
        case
            when units_sold_last_365_days = 0
                then 'no units were sold in the 365 days up to the as-of date, so nothing can be detected; the mixed-store windows apply'
            when supplement_share >= {{ share_min }}
                then {{ metrics_pct_text('supplement_share') }} || ' of the '
                    || {{ metrics_int_text('units_sold_last_365_days') }}
                    || ' units sold in the last 365 days are supplements (at least {{ (share_min * 100) | round(1) }}%)'
            when beauty_share >= {{ share_min }}
                then {{ metrics_pct_text('beauty_share') }} || ' of the '
                    || {{ metrics_int_text('units_sold_last_365_days') }}
                    || ' units sold in the last 365 days are beauty products (at least {{ (share_min * 100) | round(1) }}%)'
            else 'neither supplements (' || {{ metrics_pct_text('supplement_share') }}
                || ') nor beauty products (' || {{ metrics_pct_text('beauty_share') }}
                || ') reach {{ (share_min * 100) | round(1) }}% of the '
                || {{ metrics_int_text('units_sold_last_365_days') }}
                || ' units sold in the last 365 days (' || {{ metrics_pct_text('unclassified_share') }}
                || ' are neither)'
        end as detection_text
    from detected
),

profiled as (
    select
        as_of.as_of_date,
        {% if vertical_var == 'auto' -%}
        classified.detected_vertical as vertical,
        'detected' as vertical_source,
        'Detected: ' || classified.detection_text || '.' as vertical_reason,
        {%- else -%}
        '{{ vertical_var }}' as vertical,
        'var' as vertical_source,
        'Set by aura_vertical = {{ vertical_var }} (detection would say '
            || classified.detected_vertical || ': ' || classified.detection_text || ').'
            as vertical_reason,
        {%- endif %}
        classified.detected_vertical,
        classified.supplement_share,
        classified.beauty_share,
        classified.unclassified_share,
        case when classified.units_sold_last_365_days = 0 then 'no_units_sold_in_last_365_days' end
            as share_null_reason,
        classified.units_sold_last_365_days,
        median_gap.median_reorder_gap_days,
        case when repeat_orders.repeat_orders_last_365_days = 0 then 'no_repeat_orders_in_last_365_days' end
            as median_reorder_gap_null_reason,
        repeat_orders.repeat_orders_last_365_days,
        history.first_order_date,
        history.last_order_date,
        case when history.first_order_date is not null
            then {{ metrics_days_between('history.first_order_date', 'as_of.as_of_date') }} + 1
        end as history_days,
        case when history.first_order_date is null then 'no_counted_orders_up_to_as_of' end
            as history_null_reason,
        history.counted_orders
    from as_of
    cross join history
    cross join median_gap
    cross join repeat_orders
    cross join classified
)

select
    as_of_date,
    vertical,
    vertical_source,
    vertical_reason,
    detected_vertical,
    supplement_share,
    beauty_share,
    unclassified_share,
    share_null_reason,
    units_sold_last_365_days,
    {%- for column in ['winback_min_days', 'winback_max_days', 'dormant_min_days',
                       'dormant_max_days', 'subscription_min_orders'] %}
    case vertical
        {%- for name, values in windows.items() %}
        when '{{ name }}' then {{ values[column] }}
        {%- endfor %}
    end as {{ column }},
    {%- endfor %}
    median_reorder_gap_days,
    median_reorder_gap_null_reason,
    repeat_orders_last_365_days,
    first_order_date,
    last_order_date,
    history_days,
    history_null_reason,
    counted_orders
from profiled
