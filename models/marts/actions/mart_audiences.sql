-- One row per (as-of date, play): every play of the playbooks seed, with its audience size
-- (0 when nobody qualifies, with the reason when one can be named), how many members can
-- be reached by email, the definition with the windows actually used, and whether the
-- play is blocked. Only bestseller_amplify can be blocked today: 'inventory_short' when a
-- top product is low on stock (mart_inventory_health.is_low_cover); without an inventory
-- snapshot stock cannot be checked and the note says so. Definitions: DECISIONLOG
-- "Audiences".
{%- set top_n = var('aura_bestseller_amplify_top_n') %}
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

with as_of as (
    select {{ aura_as_of_date() }} as as_of_date
),

profile as (
    select
        vertical,
        winback_min_days,
        winback_max_days,
        dormant_min_days,
        dormant_max_days,
        subscription_min_orders
    from {{ ref('mart_store_profile') }}
),

baselines as (
    select primary_window_days from {{ ref('mart_kpi_baselines') }}
),

plays as (
    select play_id from {{ ref('playbooks') }}
),

members as (
    select
        play_id,
        count(*) as audience_size,
        sum(case when email is not null then 1 else 0 end) as members_with_email,
        sum(case when accepts_marketing then 1 else 0 end) as members_with_marketing_consent,
        sum(case when email is not null and coalesce(accepts_marketing, true) then 1 else 0 end)
            as members_reachable_by_email
    from {{ ref('mart_audience_members') }}
    group by play_id
),

-- what an empty audience can be traced to ----------------------------------------------
counted as (
    select orders.customer_key, orders.order_date
    from {{ ref('fct_orders') }} as orders
    cross join as_of
    where orders.is_counted_order
        and orders.customer_key is not null
        and orders.order_date <= as_of.as_of_date
),

customer_orders as (
    select customer_key, count(*) as orders
    from counted
    group by customer_key
),

customer_counts as (
    select
        count(*) as customers,
        sum(case when orders >= 2 then 1 else 0 end) as repeat_customers,
        sum(case when orders >= {{ dh_min_orders }} then 1 else 0 end) as customers_with_min_orders
    from customer_orders
),

products as (
    select
        product_key,
        size_ml,
        coalesce(is_sample_size, false) as is_sample_size,
        product_family
    from {{ ref('dim_products') }}
),

full_size_families as (
    select distinct product_family from products where not is_sample_size
),

samples_with_full_size as (
    select count(*) as samples_with_full_size
    from products
    inner join full_size_families on products.product_family = full_size_families.product_family
    where products.is_sample_size
),

full_sizes_with_depletion as (
    select count(distinct products.product_key) as full_sizes_with_depletion
    from products
    inner join {{ ref('size_depletion_days') }} as bands
        on products.size_ml >= bands.min_size_ml
        and products.size_ml < bands.max_size_ml
    where not products.is_sample_size
),

sold_lines as (
    select
        lines.customer_key,
        lines.product_key,
        lines.order_date,
        coalesce(products.is_sample_size, false) as is_sample_size
    from {{ ref('fct_order_lines') }} as lines
    cross join as_of
    left join products on lines.product_key = products.product_key
    where lines.is_sold_line
        and lines.is_counted_order
        and lines.customer_key is not null
        and lines.order_date <= as_of.as_of_date
),

line_counts as (
    select
        sum(case when sold_lines.is_sample_size
            and {{ metrics_days_between('sold_lines.order_date', 'as_of.as_of_date') }} >= {{ stf_min }}
            and {{ metrics_days_between('sold_lines.order_date', 'as_of.as_of_date') }} <= {{ stf_max }}
            then 1 else 0 end) as sample_lines_in_window
    from sold_lines
    cross join as_of
),

repeat_skus as (
    select count(*) as customer_skus_bought_twice
    from (
        select customer_key, product_key
        from sold_lines
        group by customer_key, product_key
        having count(distinct order_date) >= 2
    ) as twice
),

-- bestseller_amplify: the top products and their stock ---------------------------------
top_products as (
    {{ actions_bestseller_top_products() }}
),

inventory as (
    select
        count(*) as inventory_skus,
        max(snapshot_date) as snapshot_date,
        max(snapshot_age_days) as snapshot_age_days,
        max(case when is_stale then 1 else 0 end) as is_stale
    from {{ ref('mart_inventory_health') }}
),

top_stock as (
    select
        top_products.product_key,
        top_products.top_rank,
        health.sku as inventory_sku,
        health.is_low_cover,
        health.days_of_cover
    from top_products
    left join {{ ref('mart_inventory_health') }} as health
        on top_products.product_key = coalesce(health.product_key, health.sku)
),

stock as (
    select
        count(*) as top_products,
        sum(case when inventory_sku is null then 1 else 0 end) as top_not_in_snapshot,
        sum(case when is_low_cover then 1 else 0 end) as top_low_cover,
        {{ dbt.listagg('product_key', "', '", 'order by top_rank') }} as top_product_list,
        {{ dbt.listagg(
            "case when is_low_cover then product_key || ' (' || "
                ~ metrics_dec_text('days_of_cover', 1) ~ " || ' days of cover)' end",
            "', '", 'order by top_rank') }} as low_cover_list
    from top_stock
),

depletion_bands as (
    select
        {{ dbt.listagg(
            "size_label || ' lasts ' || " ~ metrics_int_text('depletion_days') ~ " || ' days'",
            "', '", 'order by min_size_ml') }} as band_list
    from {{ ref('size_depletion_days') }}
),

facts as (
    select
        as_of.as_of_date,
        profile.*,
        baselines.primary_window_days,
        customer_counts.customers,
        customer_counts.repeat_customers,
        customer_counts.customers_with_min_orders,
        samples_with_full_size.samples_with_full_size,
        full_sizes_with_depletion.full_sizes_with_depletion,
        line_counts.sample_lines_in_window,
        repeat_skus.customer_skus_bought_twice,
        inventory.inventory_skus,
        inventory.snapshot_date,
        inventory.snapshot_age_days,
        inventory.is_stale,
        stock.top_products,
        stock.top_not_in_snapshot,
        stock.top_low_cover,
        stock.top_product_list,
        stock.low_cover_list,
        depletion_bands.band_list
    from as_of
    cross join profile
    cross join baselines
    cross join customer_counts
    cross join samples_with_full_size
    cross join full_sizes_with_depletion
    cross join line_counts
    cross join repeat_skus
    cross join inventory
    cross join stock
    cross join depletion_bands
),

described as (
    select
        facts.as_of_date,
        plays.play_id,
        facts.vertical,
        coalesce(members.audience_size, 0) as audience_size,
        coalesce(members.members_with_email, 0) as members_with_email,
        coalesce(members.members_with_marketing_consent, 0) as members_with_marketing_consent,
        coalesce(members.members_reachable_by_email, 0) as members_reachable_by_email,
        case plays.play_id
            when 'winback_21_45' then
                'Customers whose last order was ' || {{ metrics_int_text('facts.winback_min_days') }}
                || '-' || {{ metrics_int_text('facts.winback_max_days') }}
                || ' days before ' || {{ metrics_text('facts.as_of_date') }}
                || ' (the ' || facts.vertical || ' store window).'
            when 'dormant_multibuyers' then
                'Customers with 2 or more orders whose last order was '
                || {{ metrics_int_text('facts.dormant_min_days') }} || '-'
                || {{ metrics_int_text('facts.dormant_max_days') }}
                || ' days before ' || {{ metrics_text('facts.as_of_date') }}
                || ' (the ' || facts.vertical || ' store window).'
            when 'bestseller_amplify' then
                'Customers who have bought one of the {{ top_n }} products with the most units sold in the '
                || {{ metrics_int_text('facts.primary_window_days') }} || ' days up to '
                || {{ metrics_text('facts.as_of_date') }} || ' ('
                || coalesce(facts.top_product_list, 'none sold') || ') and have not ordered in the last {{ quiet_days }} days.'
            when 'discount_hygiene' then
                'Customers with {{ dh_min_orders }} or more orders of which at least '
                || '{{ (dh_min_share * 100) | round(1) }}% had a discount of {{ (dh_min_rate * 100) | round(1) }}% or more of the price of the items.'
            when 'subscription_nudge' then
                'Customers who bought the same product (any size) in at least '
                || {{ metrics_int_text('facts.subscription_min_orders') }}
                || ' orders in the {{ sub_lookback }} days up to ' || {{ metrics_text('facts.as_of_date') }}
                || ' and have never bought on subscription.'
            when 'sample_to_full' then
                'Customers who bought a sample, travel or mini size {{ stf_min }}-{{ stf_max }} days before '
                || {{ metrics_text('facts.as_of_date') }}
                || ' and have not bought a full size of the same product since (only products that come in a full size).'
            when 'empty_bottle' then
                'Customers whose last full-size purchase of a product sized in ml should run out within {{ eb_tolerance }} days of '
                || {{ metrics_text('facts.as_of_date') }} || ' ('
                || coalesce(facts.band_list, 'no sizes') || ', per unit bought), and who have not moved it onto a subscription.'
            when 'first_to_second_purchase' then
                'Customers with exactly one order, placed {{ f2s_min }}-{{ f2s_max }} days before '
                || {{ metrics_text('facts.as_of_date') }} || '.'
            when 'replenishment_due' then
                'Customers who bought the same SKU on at least 2 different days (not on subscription) and whose days since the last purchase are '
                || '{{ rd_min_ratio }}-{{ rd_max_ratio }} times their own median gap between those purchases.'
        end as definition,
        case
            when plays.play_id = 'bestseller_amplify' and facts.inventory_skus > 0 and facts.top_low_cover > 0
                then 'inventory_short'
        end as blocked_reason,
        case
            when plays.play_id = 'bestseller_amplify' and facts.inventory_skus > 0 and facts.top_low_cover > 0
                then 'Low on stock: ' || facts.low_cover_list || '.'
        end as blocked_detail,
        case
            when plays.play_id <> 'bestseller_amplify' then cast(null as {{ string }})
            when facts.top_products = 0 then cast(null as {{ string }})
            when facts.inventory_skus = 0
                then 'Stock could not be checked: no inventory snapshot was given, so a bestseller may be out of stock.'
            else nullif(
                case when facts.is_stale = 1
                    then 'The inventory snapshot of ' || {{ metrics_text('facts.snapshot_date') }} || ' is '
                        || {{ metrics_int_text('abs(facts.snapshot_age_days)') }} || ' days from the as-of date. '
                    else '' end
                || case when facts.top_not_in_snapshot > 0
                    then {{ metrics_int_text('facts.top_not_in_snapshot') }}
                        || ' of the top products are not in the inventory snapshot; their stock could not be checked.'
                    else '' end,
                '')
        end as note,
        case
            when coalesce(members.audience_size, 0) > 0 then cast(null as {{ string }})
            when facts.customers = 0 or facts.customers is null
                then 'No counted orders of identified customers up to the as-of date.'
            when plays.play_id = 'winback_21_45'
                then 'No customer placed their last order ' || {{ metrics_int_text('facts.winback_min_days') }}
                    || '-' || {{ metrics_int_text('facts.winback_max_days') }} || ' days before the as-of date.'
            when plays.play_id = 'dormant_multibuyers' and facts.repeat_customers = 0
                then 'No customer has 2 or more orders.'
            when plays.play_id = 'dormant_multibuyers'
                then 'No repeat customer placed their last order ' || {{ metrics_int_text('facts.dormant_min_days') }}
                    || '-' || {{ metrics_int_text('facts.dormant_max_days') }} || ' days before the as-of date.'
            when plays.play_id = 'bestseller_amplify' and facts.top_products = 0
                then 'Nothing was sold in the ' || {{ metrics_int_text('facts.primary_window_days') }}
                    || ' days up to the as-of date, so there are no bestsellers.'
            when plays.play_id = 'bestseller_amplify'
                then 'Every buyer of the top products has ordered in the last {{ quiet_days }} days.'
            when plays.play_id = 'discount_hygiene' and facts.customers_with_min_orders = 0
                then 'No customer has {{ dh_min_orders }} or more orders.'
            when plays.play_id = 'discount_hygiene'
                then 'No customer with {{ dh_min_orders }} or more orders had at least {{ (dh_min_share * 100) | round(1) }}% of them discounted.'
            when plays.play_id = 'subscription_nudge'
                then 'No customer without a subscription bought the same product in '
                    || {{ metrics_int_text('facts.subscription_min_orders') }} || ' or more orders in the last {{ sub_lookback }} days.'
            when plays.play_id = 'sample_to_full' and coalesce(facts.samples_with_full_size, 0) = 0
                then 'No product comes both in a sample, travel or mini size and in a full size.'
            when plays.play_id = 'sample_to_full' and facts.sample_lines_in_window = 0
                then 'No sample, travel or mini size was bought {{ stf_min }}-{{ stf_max }} days before the as-of date.'
            when plays.play_id = 'sample_to_full'
                then 'Everyone who bought a sample {{ stf_min }}-{{ stf_max }} days ago has bought the full size since, or their sample has no full size.'
            when plays.play_id = 'empty_bottle' and coalesce(facts.full_sizes_with_depletion, 0) = 0
                then 'No full-size product comes in a size in ml with a known time to run out (capsules, powders and sizes in grams do not).'
            when plays.play_id = 'empty_bottle'
                then 'No full-size purchase is within {{ eb_tolerance }} days of when it should run out.'
            when plays.play_id = 'first_to_second_purchase'
                then 'No one-order customer ordered {{ f2s_min }}-{{ f2s_max }} days before the as-of date.'
            when plays.play_id = 'replenishment_due' and facts.customer_skus_bought_twice = 0
                then 'No customer has bought the same SKU on two different days.'
            when plays.play_id = 'replenishment_due'
                then 'No repeat buyer of a SKU is {{ rd_min_ratio }}-{{ rd_max_ratio }} times their usual gap past their last purchase.'
            else 'No customer matches the definition.'
        end as empty_reason
    from plays
    cross join facts
    left join members on plays.play_id = members.play_id
)

select
    as_of_date,
    play_id,
    vertical,
    audience_size,
    members_with_email,
    members_with_marketing_consent,
    members_reachable_by_email,
    definition,
    blocked_reason,
    blocked_detail,
    note,
    empty_reason
from described
