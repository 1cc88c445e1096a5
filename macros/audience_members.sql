{#- The one definition of every play's audience, evaluated at one or more anchor dates.

    `anchors` is a SELECT returning (anchor_id, as_of_date): each anchor is a date the
    audiences are evaluated at, as if it were the as-of date. mart_audience_members uses one
    anchor (the as-of date); int_play_cohorts_followed evaluates the same rules at earlier
    dates to follow comparable cohorts, and int_action_audiences_rebuilt at launch dates.

    Returns a SELECT with one row per (anchor, play, customer) and the columns of
    mart_audience_members plus anchor_id and product_family. Every window ends at the
    anchor's date and counts shop-local days (days since = anchor date minus the date);
    only counted orders placed on or before the anchor date are read (with
    exclude_anchor_day=true: only those placed before it - the audience at the start of the
    anchor date, as int_action_audiences_rebuilt needs for a launch date, so nothing after
    a launch decides who was in it). With anchor_window=true the anchors also carry
    primary_window_days, the primary window at each anchor date (bestseller_amplify's top
    products are counted over it; otherwise over mart_kpi_baselines' window), as the backtest
    needs to replay each month-end as the engine saw it. Windows that depend on the store's vertical come from
    mart_store_profile, the others from aura_ vars
    (dbt_project.yml). A customer who qualifies through several products appears once per
    play, with the product picked as described per play below (qualifying_products says how
    many). Definitions: DECISIONLOG "Audiences". -#}
{% macro actions_audience_members(anchors, exclude_anchor_day=false, anchor_window=false) -%}
{%- set before = '<' if exclude_anchor_day else '<=' %}
{%- set quiet_days = var('aura_bestseller_amplify_quiet_days') %}
{%- set dh_min_orders = var('aura_discount_hygiene_min_orders') %}
{%- set dh_min_share = var('aura_discount_hygiene_min_discounted_share') %}
{%- set dh_min_rate = var('aura_discount_hygiene_min_discount_rate') %}
{%- set sub_lookback = var('aura_subscription_nudge_lookback_days') %}
{%- set stf_min = var('aura_sample_to_full_min_days') %}
{%- set stf_max = var('aura_sample_to_full_max_days') %}
{%- set eb_tolerance = var('aura_empty_bottle_tolerance_days') %}
{%- set f2s_min = var('aura_first_to_second_min_days') %}
{%- set f2s_max = var('aura_first_to_second_max_days') %}
{%- set rd_min_ratio = var('aura_replenishment_due_min_ratio') %}
{%- set rd_max_ratio = var('aura_replenishment_due_max_ratio') %}
{%- set string = dbt.type_string() %}
{%- set product_label = actions_product_label('products.product_title', 'products.variant_title') %}

with anchors as (
    {{ anchors }}
),

profile as (
    select
        winback_min_days,
        winback_max_days,
        dormant_min_days,
        dormant_max_days,
        subscription_min_orders
    from {{ ref('mart_store_profile') }}
),

-- counted orders of identified customers up to each anchor date
orders as (
    select
        anchors.anchor_id,
        anchors.as_of_date,
        orders.order_id,
        orders.order_date,
        orders.customer_key,
        orders.net_sales,
        orders.discount_rate,
        orders.source_name
    from {{ ref('fct_orders') }} as orders
    inner join anchors on orders.order_date {{ before }} anchors.as_of_date
    where orders.is_counted_order
        and orders.customer_key is not null
),

products as (
    select
        product_key,
        sku,
        product_title,
        variant_title,
        size_ml,
        coalesce(is_sample_size, false) as is_sample_size,
        product_family
    from {{ ref('dim_products') }}
),

-- sold lines of those orders, with the product's attributes; a line is a subscription
-- purchase when its order came from a subscription contract or what was bought says so
lines as (
    select
        orders.anchor_id,
        orders.as_of_date,
        lines.order_id,
        lines.order_date,
        lines.customer_key,
        lines.product_key,
        lines.quantity,
        products.size_ml,
        coalesce(products.is_sample_size, false) as is_sample_size,
        coalesce(products.product_family, lines.product_key) as product_family,
        (
            coalesce(orders.source_name, '') = 'subscription_contract'
            or coalesce({{ aura_regexp_matches(
                "lower(coalesce(lines.product_title, '') || ' ' || coalesce(lines.variant_title, ''))",
                aura_subscription_pattern()) }}, false)
        ) as is_subscription_line
    from {{ ref('fct_order_lines') }} as lines
    inner join orders on lines.order_id = orders.order_id
    left join products on lines.product_key = products.product_key
    where lines.is_sold_line
),

customer_state as (
    select
        anchor_id,
        customer_key,
        max(as_of_date) as as_of_date,
        count(*) as orders,
        min(order_date) as first_order_date,
        max(order_date) as last_order_date,
        {{ metrics_days_between('max(order_date)', 'max(as_of_date)') }} as days_since_last_order,
        sum(net_sales) as net_sales,
        cast(sum(case when discount_rate >= {{ dh_min_rate }} then 1 else 0 end) as bigint) as discounted_orders
    from orders
    group by anchor_id, customer_key
),

subscribers as (
    select distinct anchor_id, customer_key from lines where is_subscription_line
),

-- the latest subscription purchase of each product family per customer (a customer who
-- moved a product onto a subscription needs no reminder to reorder it by hand)
subscription_families as (
    select anchor_id, customer_key, product_family, max(order_date) as last_subscription_date
    from lines
    where is_subscription_line
    group by anchor_id, customer_key, product_family
),

-- winback_21_45 ---------------------------------------------------------------------
winback as (
    select
        customer_state.anchor_id,
        'winback_21_45' as play_id,
        customer_state.customer_key,
        cast(null as {{ string }}) as product_key,
        cast(null as {{ string }}) as product_family,
        cast(null as date) as product_purchase_date,
        cast(null as bigint) as product_orders,
        cast(null as double) as expected_cycle_days,
        cast(null as bigint) as qualifying_products,
        'Last ordered ' || {{ metrics_int_text('customer_state.days_since_last_order') }}
            || ' days ago (window ' || {{ metrics_int_text('profile.winback_min_days') }} || '-'
            || {{ metrics_int_text('profile.winback_max_days') }} || ' days).' as reason
    from customer_state
    cross join profile
    where customer_state.days_since_last_order >= profile.winback_min_days
        and customer_state.days_since_last_order <= profile.winback_max_days
),

-- dormant_multibuyers ---------------------------------------------------------------
dormant as (
    select
        customer_state.anchor_id,
        'dormant_multibuyers' as play_id,
        customer_state.customer_key,
        cast(null as {{ string }}) as product_key,
        cast(null as {{ string }}) as product_family,
        cast(null as date) as product_purchase_date,
        cast(null as bigint) as product_orders,
        cast(null as double) as expected_cycle_days,
        cast(null as bigint) as qualifying_products,
        {{ metrics_int_text('customer_state.orders') }} || ' orders; last ordered '
            || {{ metrics_int_text('customer_state.days_since_last_order') }}
            || ' days ago (window ' || {{ metrics_int_text('profile.dormant_min_days') }} || '-'
            || {{ metrics_int_text('profile.dormant_max_days') }} || ' days).' as reason
    from customer_state
    cross join profile
    where customer_state.orders >= 2
        and customer_state.days_since_last_order >= profile.dormant_min_days
        and customer_state.days_since_last_order <= profile.dormant_max_days
),

-- bestseller_amplify: buyers of a top product (the best-ranked one they bought is shown)
top_products as (
    {{ actions_bestseller_top_products('anchors', exclude_anchor_day, anchor_window) }}
),

bestseller_buys as (
    select
        lines.anchor_id,
        lines.customer_key,
        lines.product_key,
        max(lines.product_family) as product_family,
        top_products.top_rank,
        max(lines.order_date) as last_bought,
        count(distinct lines.order_id) as product_orders
    from lines
    inner join top_products
        on lines.anchor_id = top_products.anchor_id
        and lines.product_key = top_products.product_key
    group by lines.anchor_id, lines.customer_key, lines.product_key, top_products.top_rank
),

bestseller_ranked as (
    select
        *,
        row_number() over (
            partition by anchor_id, customer_key
            order by top_rank asc nulls last, product_key asc nulls last
        ) as pick,
        count(*) over (partition by anchor_id, customer_key) as qualifying_products
    from bestseller_buys
),

bestseller as (
    select
        bestseller_ranked.anchor_id,
        'bestseller_amplify' as play_id,
        customer_state.customer_key,
        bestseller_ranked.product_key,
        bestseller_ranked.product_family,
        bestseller_ranked.last_bought as product_purchase_date,
        bestseller_ranked.product_orders,
        cast(null as double) as expected_cycle_days,
        bestseller_ranked.qualifying_products,
        'Bought ' || coalesce({{ product_label }}, bestseller_ranked.product_key)
            || ' (bestseller #' || {{ metrics_int_text('bestseller_ranked.top_rank') }}
            || '); no order for ' || {{ metrics_int_text('customer_state.days_since_last_order') }}
            || ' days.' as reason
    from bestseller_ranked
    inner join customer_state
        on bestseller_ranked.anchor_id = customer_state.anchor_id
        and bestseller_ranked.customer_key = customer_state.customer_key
    left join products on bestseller_ranked.product_key = products.product_key
    where bestseller_ranked.pick = 1
        and customer_state.days_since_last_order >= {{ quiet_days }}
),

-- discount_hygiene ------------------------------------------------------------------
discount_hygiene as (
    select
        anchor_id,
        'discount_hygiene' as play_id,
        customer_key,
        cast(null as {{ string }}) as product_key,
        cast(null as {{ string }}) as product_family,
        cast(null as date) as product_purchase_date,
        cast(null as bigint) as product_orders,
        cast(null as double) as expected_cycle_days,
        cast(null as bigint) as qualifying_products,
        {{ metrics_int_text('discounted_orders') }} || ' of ' || {{ metrics_int_text('orders') }}
            || ' orders had a discount of {{ (dh_min_rate * 100) | round(1) }}% or more.' as reason
    from customer_state
    where orders >= {{ dh_min_orders }}
        -- the tolerance keeps an exact share (4 of 5 = 0.8) from failing on rounding
        and cast(discounted_orders as double) / orders >= {{ dh_min_share }} - 1e-9
),

-- subscription_nudge: the product family bought most often in the lookback (then the
-- latest), shown with the SKU bought last -------------------------------------------
recent_family_orders as (
    select
        anchor_id,
        customer_key,
        product_family,
        count(distinct order_id) as product_orders,
        max(order_date) as last_bought
    from lines
    where order_date > {{ metrics_add_days('as_of_date', -sub_lookback) }}
    group by anchor_id, customer_key, product_family
),

subscription_candidates as (
    select
        recent_family_orders.*,
        row_number() over (
            partition by recent_family_orders.anchor_id, recent_family_orders.customer_key
            order by recent_family_orders.product_orders desc nulls last,
                recent_family_orders.last_bought desc nulls last,
                recent_family_orders.product_family asc nulls last
        ) as pick,
        count(*) over (
            partition by recent_family_orders.anchor_id, recent_family_orders.customer_key
        ) as qualifying_products
    from recent_family_orders
    cross join profile
    where recent_family_orders.product_orders >= profile.subscription_min_orders
        and not exists (
            select 1
            from subscribers
            where subscribers.anchor_id = recent_family_orders.anchor_id
                and subscribers.customer_key = recent_family_orders.customer_key
        )
),

subscription_last_sku as (
    select anchor_id, customer_key, product_family, product_key
    from (
        select
            lines.anchor_id,
            lines.customer_key,
            lines.product_family,
            lines.product_key,
            row_number() over (
                partition by lines.anchor_id, lines.customer_key, lines.product_family
                order by lines.order_date desc nulls last, lines.order_id desc nulls last,
                    lines.product_key asc nulls last
            ) as recency
        from lines
        inner join subscription_candidates as candidates
            on lines.anchor_id = candidates.anchor_id
            and lines.customer_key = candidates.customer_key
            and lines.product_family = candidates.product_family
            and candidates.pick = 1
    ) as ranked
    where recency = 1
),

subscription_nudge as (
    select
        candidates.anchor_id,
        'subscription_nudge' as play_id,
        candidates.customer_key,
        last_sku.product_key,
        candidates.product_family,
        candidates.last_bought as product_purchase_date,
        candidates.product_orders,
        cast(null as double) as expected_cycle_days,
        candidates.qualifying_products,
        'Bought ' || coalesce({{ product_label }}, last_sku.product_key) || ' in '
            || {{ metrics_int_text('candidates.product_orders') }}
            || ' orders in the last {{ sub_lookback }} days; no subscription.' as reason
    from subscription_candidates as candidates
    inner join subscription_last_sku as last_sku
        on candidates.anchor_id = last_sku.anchor_id
        and candidates.customer_key = last_sku.customer_key
        and candidates.product_family = last_sku.product_family
    left join products on last_sku.product_key = products.product_key
    where candidates.pick = 1
),

-- sample_to_full: the first sample of a family bought in the window, with no full size
-- of that family bought on or after it; only families that have a full size ----------
families_with_full_size as (
    select distinct product_family from products where not is_sample_size
),

sample_buys as (
    select
        anchor_id,
        customer_key,
        product_family,
        max(as_of_date) as as_of_date,
        min(order_date) as first_sample_date
    from lines
    where is_sample_size
        and {{ metrics_days_between('order_date', 'as_of_date') }} >= {{ stf_min }}
        and {{ metrics_days_between('order_date', 'as_of_date') }} <= {{ stf_max }}
        and product_family in (select product_family from families_with_full_size)
    group by anchor_id, customer_key, product_family
),

sample_unconverted as (
    select
        sample_buys.*,
        row_number() over (
            partition by sample_buys.anchor_id, sample_buys.customer_key
            order by sample_buys.first_sample_date desc nulls last,
                sample_buys.product_family asc nulls last
        ) as pick,
        count(*) over (partition by sample_buys.anchor_id, sample_buys.customer_key) as qualifying_products
    from sample_buys
    where not exists (
        select 1
        from lines as full_size
        where full_size.anchor_id = sample_buys.anchor_id
            and full_size.customer_key = sample_buys.customer_key
            and full_size.product_family = sample_buys.product_family
            and not full_size.is_sample_size
            and full_size.order_date >= sample_buys.first_sample_date
    )
),

sample_sku as (
    select anchor_id, customer_key, product_family, product_key
    from (
        select
            lines.anchor_id,
            lines.customer_key,
            lines.product_family,
            lines.product_key,
            row_number() over (
                partition by lines.anchor_id, lines.customer_key, lines.product_family
                order by lines.order_id asc nulls last, lines.product_key asc nulls last
            ) as first_line
        from lines
        inner join sample_unconverted
            on lines.anchor_id = sample_unconverted.anchor_id
            and lines.customer_key = sample_unconverted.customer_key
            and lines.product_family = sample_unconverted.product_family
            and lines.order_date = sample_unconverted.first_sample_date
            and sample_unconverted.pick = 1
        where lines.is_sample_size
    ) as ranked
    where first_line = 1
),

sample_to_full as (
    select
        sample_unconverted.anchor_id,
        'sample_to_full' as play_id,
        sample_unconverted.customer_key,
        sample_sku.product_key,
        sample_unconverted.product_family,
        sample_unconverted.first_sample_date as product_purchase_date,
        cast(null as bigint) as product_orders,
        cast(null as double) as expected_cycle_days,
        sample_unconverted.qualifying_products,
        'Bought ' || coalesce({{ product_label }}, sample_sku.product_key) || ' '
            || {{ metrics_int_text(metrics_days_between('sample_unconverted.first_sample_date', 'sample_unconverted.as_of_date')) }}
            || ' days ago; no full size since.' as reason
    from sample_unconverted
    inner join sample_sku
        on sample_unconverted.anchor_id = sample_sku.anchor_id
        and sample_unconverted.customer_key = sample_sku.customer_key
        and sample_unconverted.product_family = sample_sku.product_family
    left join products on sample_sku.product_key = products.product_key
    where sample_unconverted.pick = 1
),

-- empty_bottle: per customer and product family, the last day a full size sized in ml
-- was bought; what was bought that day lasts quantity x depletion days (summed) -------
full_size_ml_lines as (
    select
        lines.*,
        bands.depletion_days
    from lines
    inner join {{ ref('size_depletion_days') }} as bands
        on lines.size_ml >= bands.min_size_ml
        and lines.size_ml < bands.max_size_ml
    where not lines.is_sample_size
        and not lines.is_subscription_line
),

last_full_size as (
    select anchor_id, customer_key, product_family, max(order_date) as last_bought
    from full_size_ml_lines
    group by anchor_id, customer_key, product_family
),

bottle_supply as (
    select
        full_size_ml_lines.anchor_id,
        full_size_ml_lines.customer_key,
        full_size_ml_lines.product_family,
        max(full_size_ml_lines.as_of_date) as as_of_date,
        last_full_size.last_bought,
        sum(full_size_ml_lines.quantity * full_size_ml_lines.depletion_days) as supply_days,
        max(full_size_ml_lines.size_ml) as largest_size_ml
    from full_size_ml_lines
    inner join last_full_size
        on full_size_ml_lines.anchor_id = last_full_size.anchor_id
        and full_size_ml_lines.customer_key = last_full_size.customer_key
        and full_size_ml_lines.product_family = last_full_size.product_family
        and full_size_ml_lines.order_date = last_full_size.last_bought
    group by full_size_ml_lines.anchor_id, full_size_ml_lines.customer_key,
        full_size_ml_lines.product_family, last_full_size.last_bought
),

bottle_due as (
    select
        bottle_supply.*,
        {{ metrics_days_between('bottle_supply.last_bought', 'bottle_supply.as_of_date') }} as days_since_purchase,
        row_number() over (
            partition by bottle_supply.anchor_id, bottle_supply.customer_key
            order by abs({{ metrics_days_between('bottle_supply.last_bought', 'bottle_supply.as_of_date') }}
                    - bottle_supply.supply_days) asc nulls last,
                bottle_supply.product_family asc nulls last
        ) as pick,
        count(*) over (partition by bottle_supply.anchor_id, bottle_supply.customer_key) as qualifying_products
    from bottle_supply
    left join subscription_families
        on bottle_supply.anchor_id = subscription_families.anchor_id
        and bottle_supply.customer_key = subscription_families.customer_key
        and bottle_supply.product_family = subscription_families.product_family
    where abs({{ metrics_days_between('bottle_supply.last_bought', 'bottle_supply.as_of_date') }}
            - bottle_supply.supply_days) <= {{ eb_tolerance }}
        and (subscription_families.last_subscription_date is null
            or subscription_families.last_subscription_date < bottle_supply.last_bought)
),

bottle_sku as (
    select anchor_id, customer_key, product_family, product_key
    from (
        select
            full_size_ml_lines.anchor_id,
            full_size_ml_lines.customer_key,
            full_size_ml_lines.product_family,
            full_size_ml_lines.product_key,
            row_number() over (
                partition by full_size_ml_lines.anchor_id, full_size_ml_lines.customer_key,
                    full_size_ml_lines.product_family
                order by full_size_ml_lines.size_ml desc nulls last,
                    full_size_ml_lines.product_key asc nulls last
            ) as largest
        from full_size_ml_lines
        inner join bottle_due
            on full_size_ml_lines.anchor_id = bottle_due.anchor_id
            and full_size_ml_lines.customer_key = bottle_due.customer_key
            and full_size_ml_lines.product_family = bottle_due.product_family
            and full_size_ml_lines.order_date = bottle_due.last_bought
            and bottle_due.pick = 1
    ) as ranked
    where largest = 1
),

empty_bottle as (
    select
        bottle_due.anchor_id,
        'empty_bottle' as play_id,
        bottle_due.customer_key,
        bottle_sku.product_key,
        bottle_due.product_family,
        bottle_due.last_bought as product_purchase_date,
        cast(null as bigint) as product_orders,
        cast(bottle_due.supply_days as double) as expected_cycle_days,
        bottle_due.qualifying_products,
        'Bought ' || coalesce({{ product_label }}, bottle_sku.product_key) || ' '
            || {{ metrics_int_text('bottle_due.days_since_purchase') }}
            || ' days ago; it should run out after about '
            || {{ metrics_int_text('bottle_due.supply_days') }} || ' days.' as reason
    from bottle_due
    inner join bottle_sku
        on bottle_due.anchor_id = bottle_sku.anchor_id
        and bottle_due.customer_key = bottle_sku.customer_key
        and bottle_due.product_family = bottle_sku.product_family
    left join products on bottle_sku.product_key = products.product_key
    where bottle_due.pick = 1
),

-- first_to_second_purchase ----------------------------------------------------------
first_to_second as (
    select
        anchor_id,
        'first_to_second_purchase' as play_id,
        customer_key,
        cast(null as {{ string }}) as product_key,
        cast(null as {{ string }}) as product_family,
        cast(null as date) as product_purchase_date,
        cast(null as bigint) as product_orders,
        cast(null as double) as expected_cycle_days,
        cast(null as bigint) as qualifying_products,
        'One order, ' || {{ metrics_int_text('days_since_last_order') }} || ' days ago.' as reason
    from customer_state
    where orders = 1
        and days_since_last_order >= {{ f2s_min }}
        and days_since_last_order <= {{ f2s_max }}
),

-- replenishment_due: per customer and SKU, the days bought by hand (not on subscription)
sku_purchase_days as (
    select distinct anchor_id, as_of_date, customer_key, product_key, product_family, order_date
    from lines
    where not is_subscription_line
),

sku_gaps as (
    select
        anchor_id,
        customer_key,
        product_key,
        {{ metrics_days_between(
            'lag(order_date) over (partition by anchor_id, customer_key, product_key order by order_date asc nulls last)',
            'order_date') }} as gap_days
    from sku_purchase_days
),

sku_gaps_ranked as (
    select
        anchor_id,
        customer_key,
        product_key,
        gap_days,
        row_number() over (
            partition by anchor_id, customer_key, product_key order by gap_days asc nulls last
        ) as gap_rank,
        count(*) over (partition by anchor_id, customer_key, product_key) as gap_count
    from sku_gaps
    where gap_days is not null
),

sku_median_gaps as (
    select
        anchor_id,
        customer_key,
        product_key,
        avg(cast(gap_days as double)) as median_gap_days
    from sku_gaps_ranked
    where gap_rank = floor((gap_count + 1) / 2.0) or gap_rank = floor((gap_count + 2) / 2.0)
    group by anchor_id, customer_key, product_key
),

sku_last_purchase as (
    select
        anchor_id,
        customer_key,
        product_key,
        max(as_of_date) as as_of_date,
        max(product_family) as product_family,
        max(order_date) as last_bought,
        count(*) as purchase_days
    from sku_purchase_days
    group by anchor_id, customer_key, product_key
),

replenishment_candidates as (
    select
        last_purchase.anchor_id,
        last_purchase.customer_key,
        last_purchase.product_key,
        last_purchase.product_family,
        last_purchase.last_bought,
        last_purchase.purchase_days,
        gaps.median_gap_days,
        {{ metrics_days_between('last_purchase.last_bought', 'last_purchase.as_of_date') }} as days_since_purchase
    from sku_last_purchase as last_purchase
    inner join sku_median_gaps as gaps
        on last_purchase.anchor_id = gaps.anchor_id
        and last_purchase.customer_key = gaps.customer_key
        and last_purchase.product_key = gaps.product_key
    left join subscription_families
        on last_purchase.anchor_id = subscription_families.anchor_id
        and last_purchase.customer_key = subscription_families.customer_key
        and last_purchase.product_family = subscription_families.product_family
    where last_purchase.purchase_days >= 2
        and (subscription_families.last_subscription_date is null
            or subscription_families.last_subscription_date < last_purchase.last_bought)
),

replenishment_ranked as (
    select
        *,
        row_number() over (
            partition by anchor_id, customer_key
            order by days_since_purchase / median_gap_days desc nulls last,
                product_key asc nulls last
        ) as pick,
        count(*) over (partition by anchor_id, customer_key) as qualifying_products
    from replenishment_candidates
    where days_since_purchase >= {{ rd_min_ratio }} * median_gap_days
        and days_since_purchase <= {{ rd_max_ratio }} * median_gap_days
),

replenishment_due as (
    select
        replenishment_ranked.anchor_id,
        'replenishment_due' as play_id,
        replenishment_ranked.customer_key,
        replenishment_ranked.product_key,
        replenishment_ranked.product_family,
        replenishment_ranked.last_bought as product_purchase_date,
        replenishment_ranked.purchase_days as product_orders,
        replenishment_ranked.median_gap_days as expected_cycle_days,
        replenishment_ranked.qualifying_products,
        'Last bought ' || coalesce({{ product_label }}, replenishment_ranked.product_key) || ' '
            || {{ metrics_int_text('replenishment_ranked.days_since_purchase') }}
            || ' days ago; usually reorders it every '
            || {{ metrics_dec_text('replenishment_ranked.median_gap_days', 1) }} || ' days.' as reason
    from replenishment_ranked
    left join products on replenishment_ranked.product_key = products.product_key
    where replenishment_ranked.pick = 1
),

members as (
    select * from winback
    union all
    select * from dormant
    union all
    select * from bestseller
    union all
    select * from discount_hygiene
    union all
    select * from subscription_nudge
    union all
    select * from sample_to_full
    union all
    select * from empty_bottle
    union all
    select * from first_to_second
    union all
    select * from replenishment_due
),

-- contact details: the customer's own email (dim_customers), else the latest email (then
-- phone) identity merged into the customer (dim_customer_identities)
identities as (
    select
        customer_key,
        identity_type,
        -- 'email:' and 'phone:' are both 6 characters long
        substr(identity_key, 7) as identity_value,
        row_number() over (
            partition by customer_key, identity_type
            order by coalesce(first_seen_at, linked_at) desc nulls last, identity_key asc nulls last
        ) as recency
    from {{ ref('dim_customer_identities') }}
    where customer_key is not null and identity_type in ('email', 'phone')
),

contacts as (
    select
        customers.customer_key,
        coalesce(customers.email, emails.identity_value) as email,
        phones.identity_value as phone
    from {{ ref('dim_customers') }} as customers
    left join identities as emails
        on customers.customer_key = emails.customer_key
        and emails.identity_type = 'email'
        and emails.recency = 1
    left join identities as phones
        on customers.customer_key = phones.customer_key
        and phones.identity_type = 'phone'
        and phones.recency = 1
),

-- marketing consent from the customer's latest order up to the anchor date that states it
consent as (
    select anchor_id, customer_key, accepts_marketing
    from (
        select
            anchors.anchor_id,
            orders.customer_key,
            orders.accepts_marketing,
            row_number() over (
                partition by anchors.anchor_id, orders.customer_key
                order by orders.ordered_at_utc desc nulls last, orders.order_id desc nulls last
            ) as recency
        from {{ ref('fct_orders') }} as orders
        inner join anchors on orders.order_date {{ before }} anchors.as_of_date
        where orders.customer_key is not null
            and orders.accepts_marketing is not null
    ) as ranked
    where recency = 1
)

select
    members.anchor_id,
    customer_state.as_of_date,
    members.play_id,
    members.customer_key,
    contacts.email,
    contacts.phone,
    consent.accepts_marketing,
    customer_state.first_order_date,
    customer_state.last_order_date,
    customer_state.days_since_last_order,
    customer_state.orders,
    customer_state.net_sales,
    customer_state.discounted_orders,
    cast(customer_state.discounted_orders as double) / customer_state.orders as discounted_order_share,
    members.product_key,
    members.product_family,
    products.sku,
    products.product_title,
    products.variant_title,
    members.product_purchase_date,
    case when members.product_purchase_date is not null
        then {{ metrics_days_between('members.product_purchase_date', 'customer_state.as_of_date') }}
    end as days_since_purchase,
    members.product_orders,
    members.expected_cycle_days,
    case when members.expected_cycle_days is not null
        then {{ metrics_add_days('members.product_purchase_date', 'cast(round(members.expected_cycle_days) as integer)') }}
    end as expected_depletion_date,
    members.qualifying_products,
    members.reason
from members
inner join customer_state
    on members.anchor_id = customer_state.anchor_id
    and members.customer_key = customer_state.customer_key
left join contacts on members.customer_key = contacts.customer_key
left join consent
    on members.anchor_id = consent.anchor_id
    and members.customer_key = consent.customer_key
left join products on members.product_key = products.product_key
{%- endmacro %}
