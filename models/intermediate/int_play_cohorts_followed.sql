-- One row per (play, cohort): the customers who were in the play's audience at an earlier
-- date, followed for one primary window. recent: the audience at (as-of date - W),
-- followed to the as-of date; prior: the audience at (as-of date - 2W), followed to
-- (as-of date - W); W = mart_kpi_baselines.primary_window_days. The audiences come from the
-- same rules as mart_audience_members (macros/audience_members.sql), evaluated at those
-- dates. This is the directional evidence of mart_action_candidates: the play's own metric
-- on its own audience, now against the comparable earlier cohort. Definitions: DECISIONLOG
-- "Candidate actions".
{%- set min_discount_rate = var('aura_discount_hygiene_min_discount_rate') %}

with windows as (
    select
        as_of_date,
        primary_window_days
    from {{ ref('mart_kpi_baselines') }}
),

members as (
    {{ actions_audience_members(
        "select 'recent' as anchor_id, " ~ metrics_add_days('as_of_date', '-primary_window_days')
        ~ " as as_of_date from " ~ ref('mart_kpi_baselines')
        ~ " union all select 'prior' as anchor_id, "
        ~ metrics_add_days('as_of_date', '-2 * primary_window_days')
        ~ " as as_of_date from " ~ ref('mart_kpi_baselines')) }}
),

cohort_members as (
    select
        members.anchor_id as cohort,
        members.play_id,
        members.customer_key,
        members.product_family,
        members.as_of_date as cohort_date,
        {{ metrics_add_days('members.as_of_date', 'windows.primary_window_days') }} as follow_end_date
    from members
    cross join windows
),

-- counted orders placed in a cohort's follow-up window (cohort date excluded, end included)
window_orders as (
    select
        cohort_members.cohort,
        cohort_members.play_id,
        cohort_members.customer_key,
        orders.order_id,
        orders.net_sales,
        orders.discounts,
        case when orders.discount_rate >= {{ min_discount_rate }} then 1 else 0 end as is_discounted
    from cohort_members
    inner join {{ ref('fct_orders') }} as orders
        on orders.customer_key = cohort_members.customer_key
        and orders.order_date > cohort_members.cohort_date
        and orders.order_date <= cohort_members.follow_end_date
    where orders.is_counted_order
),

products as (
    select
        product_key,
        coalesce(is_sample_size, false) as is_sample_size,
        product_family
    from {{ ref('dim_products') }}
),

-- per member: did a window order hold the product family they qualified through (any size,
-- and a full size)
family_purchases as (
    select
        window_orders.cohort,
        window_orders.play_id,
        window_orders.customer_key,
        max(1) as bought_family,
        max(case when not coalesce(products.is_sample_size, false) then 1 else 0 end) as bought_full_size
    from window_orders
    inner join cohort_members
        on window_orders.cohort = cohort_members.cohort
        and window_orders.play_id = cohort_members.play_id
        and window_orders.customer_key = cohort_members.customer_key
    inner join {{ ref('fct_order_lines') }} as lines
        on window_orders.order_id = lines.order_id
    left join products on lines.product_key = products.product_key
    where lines.is_sold_line
        and coalesce(products.product_family, lines.product_key) = cohort_members.product_family
    group by window_orders.cohort, window_orders.play_id, window_orders.customer_key
),

member_outcomes as (
    select
        cohort_members.cohort,
        cohort_members.play_id,
        cohort_members.customer_key,
        cohort_members.cohort_date,
        cohort_members.follow_end_date,
        count(window_orders.order_id) as orders,
        coalesce(sum(window_orders.net_sales), 0) as net_sales,
        coalesce(sum(window_orders.net_sales * window_orders.net_sales), 0) as net_sales_squared,
        coalesce(sum(window_orders.is_discounted), 0) as discounted_orders,
        coalesce(sum(case when window_orders.is_discounted = 1 then window_orders.discounts else 0 end), 0)
            as discounts_on_discounted_orders
    from cohort_members
    left join window_orders
        on cohort_members.cohort = window_orders.cohort
        and cohort_members.play_id = window_orders.play_id
        and cohort_members.customer_key = window_orders.customer_key
    group by cohort_members.cohort, cohort_members.play_id, cohort_members.customer_key,
        cohort_members.cohort_date, cohort_members.follow_end_date
),

cohort_rows as (
    select
        member_outcomes.*,
        coalesce(family_purchases.bought_family, 0) as bought_family,
        coalesce(family_purchases.bought_full_size, 0) as bought_full_size
    from member_outcomes
    left join family_purchases
        on member_outcomes.cohort = family_purchases.cohort
        and member_outcomes.play_id = family_purchases.play_id
        and member_outcomes.customer_key = family_purchases.customer_key
),

cohorts as (
    select
        cohort_rows.play_id,
        cohort_rows.cohort,
        max(cohort_rows.cohort_date) as cohort_date,
        max(cohort_rows.follow_end_date) as follow_end_date,
        count(*) as customers,
        sum(case when cohort_rows.orders > 0 then 1 else 0 end) as ordering_customers,
        sum(case
            when tests.outcome = 'ordered' then case when cohort_rows.orders > 0 then 1 else 0 end
            when tests.outcome = 'product_reordered' then cohort_rows.bought_family
            when tests.outcome = 'full_size_bought' then cohort_rows.bought_full_size
        end) as converted_customers,
        sum(cohort_rows.orders) as orders,
        sum(cohort_rows.net_sales) as net_sales,
        sum(cohort_rows.net_sales_squared) as net_sales_squared,
        sum(cohort_rows.discounted_orders) as discounted_orders,
        sum(cohort_rows.discounts_on_discounted_orders) as discounts_on_discounted_orders
    from cohort_rows
    inner join {{ ref('play_tests') }} as tests on cohort_rows.play_id = tests.play_id
    group by cohort_rows.play_id, cohort_rows.cohort
),

-- every play has both cohorts, empty ones with zero customers
grid as (
    select
        tests.play_id,
        cohort_dates.cohort,
        cohort_dates.cohort_date,
        {{ metrics_add_days('cohort_dates.cohort_date', 'windows.primary_window_days') }} as follow_end_date
    from {{ ref('play_tests') }} as tests
    cross join windows
    cross join (
        select 'recent' as cohort, {{ metrics_add_days('as_of_date', '-primary_window_days') }} as cohort_date
        from {{ ref('mart_kpi_baselines') }}
        union all
        select 'prior' as cohort, {{ metrics_add_days('as_of_date', '-2 * primary_window_days') }} as cohort_date
        from {{ ref('mart_kpi_baselines') }}
    ) as cohort_dates
)

select
    grid.play_id,
    grid.cohort,
    grid.cohort_date,
    grid.follow_end_date,
    coalesce(cohorts.customers, 0) as customers,
    coalesce(cohorts.ordering_customers, 0) as ordering_customers,
    coalesce(cohorts.converted_customers, 0) as converted_customers,
    coalesce(cohorts.orders, 0) as orders,
    coalesce(cohorts.net_sales, 0) as net_sales,
    coalesce(cohorts.net_sales_squared, 0) as net_sales_squared,
    coalesce(cohorts.discounted_orders, 0) as discounted_orders,
    coalesce(cohorts.discounts_on_discounted_orders, 0) as discounts_on_discounted_orders
from grid
left join cohorts
    on grid.play_id = cohorts.play_id
    and grid.cohort = cohorts.cohort
