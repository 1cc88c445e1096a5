-- One row per (as-of date, variant): every way of running every play (seeds/play_variants)
-- with its play's candidate, its audience, its expected monthly value and whether it can be
-- used this month.
--   monthly base   the candidate's weekly proxy x fatigue (sum of aura_fatigue_schedule)
--                  x seasonality (L7 vs L28 / 4, clamped), each of p10/p50/p90 capped at
--                  aura_action_cap_share x L28 net sales (seed "Monthly Cadence & Scaling");
--   variant value  base x lift_multiplier (a planning assumption) x the share of the
--                  audience the variant may reach, capped again, minus the incentive's cost
--                  on the orders expected to use it (seed "Variants, Policy & LTV");
--   usability      family cooldown, policy (discount cap, disabled channels), empty audience;
--                  ranking = p50 x LTV nudge x novelty penalty; one best usable variant per play.
-- Money is NULL with a typed reason where the candidate has none (targeting). Settings:
-- macros/variant_settings.sql. Definitions: DECISIONLOG "Monthly plan: variants, scaling,
-- cooldowns".
{%- set s = actions_variant_settings() %}
{%- set string = dbt.type_string() %}

with as_of as (
    select {{ aura_as_of_date() }} as as_of_date
),

-- seasonality: L7 net sales against the L28 weekly average, neutral (1.0) with a reason
-- when it cannot be computed or the L28 window is not fully inside the order history
l28_window as (
    select coalesce(max(case when is_complete_window then 1 else 0 end), 0) = 1 as is_l28_complete
    from {{ ref('mart_kpi_snapshot') }}
    where period = 'recent' and window_days = 28
),

store as (
    select
        baselines.l7_net_sales,
        baselines.l28_net_sales,
        case when baselines.l28_orders > 0 then baselines.l28_net_sales / baselines.l28_orders end as store_aov,
        case
            when baselines.l7_net_sales is null or baselines.l28_net_sales is null then 'neutral_sales_missing'
            when not l28_window.is_l28_complete then 'neutral_l28_incomplete'
            when baselines.l28_net_sales <= 0 then 'neutral_l28_not_positive'
            else 'l7_vs_l28_weekly'
        end as seasonality_source,
        cast(round({{ s.cap_share }} * baselines.l28_net_sales, 2) as double) as monthly_cap
    from {{ ref('mart_kpi_baselines') }} as baselines
    cross join l28_window
),

seasonal as (
    select
        store.*,
        case when seasonality_source = 'l7_vs_l28_weekly'
            then l7_net_sales / (l28_net_sales / 4.0) end as seasonality_ratio
    from store
),

settings as (
    select
        seasonal.*,
        cast({{ s.fatigue_factor }} as double) as fatigue_factor,
        cast(case
            when seasonality_ratio is null then 1
            when seasonality_ratio < {{ s.seasonality_min }} then {{ s.seasonality_min }}
            when seasonality_ratio > {{ s.seasonality_max }} then {{ s.seasonality_max }}
            else seasonality_ratio
        end as double) as seasonality_factor
    from seasonal
),

variants as (
    select
        variants.variant_id,
        variants.play_id,
        playbooks.family,
        playbooks.category,
        playbooks.channels,
        playbooks.effort,
        playbooks.cooldown_weeks,
        variants.offer_type,
        variants.lift_multiplier,
        variants.incentive_cost_type,
        variants.incentive_cost_value,
        variants.is_no_discount,
        variants.eligibility_rule,
        variants.excluded_audience_play_id,
        tests.outcome
    from {{ ref('play_variants') }} as variants
    inner join {{ ref('playbooks') }} as playbooks on variants.play_id = playbooks.play_id
    left join {{ ref('play_tests') }} as tests on variants.play_id = tests.play_id
),

members as (
    select play_id, customer_key from {{ ref('mart_audience_members') }}
),

-- customers the variant may be sent to: the play's audience less the excluded audience
eligible as (
    select
        variants.variant_id,
        count(members.customer_key) as eligible_audience_size
    from variants
    left join members on variants.play_id = members.play_id
    left join members as excluded
        on variants.excluded_audience_play_id = excluded.play_id
        and members.customer_key = excluded.customer_key
    where excluded.customer_key is null
    group by variants.variant_id
),

-- the store's top decile of lifetime net sales at the as-of date (counted orders of
-- identified customers up to it, as the audiences count them): the ceil(N / 10) customers
-- with the most, and everyone tied with the last of them
lifetime as (
    select orders.customer_key, sum(orders.net_sales) as lifetime_net_sales
    from {{ ref('fct_orders') }} as orders
    cross join as_of
    where orders.is_counted_order
        and orders.customer_key is not null
        and orders.order_date <= as_of.as_of_date
    group by orders.customer_key
),

lifetime_ranked as (
    select
        customer_key,
        rank() over (order by lifetime_net_sales desc nulls last) as ltv_rank,
        count(*) over () as customers
    from lifetime
),

top_decile as (
    select customer_key from lifetime_ranked where ltv_rank * 10 <= customers + 9
),

play_ltv as (
    select
        members.play_id,
        cast(sum(case when top_decile.customer_key is not null then 1 else 0 end) as double)
            / count(*) as ltv_top_decile_share
    from members
    left join top_decile on members.customer_key = top_decile.customer_key
    group by members.play_id
),

-- launched actions up to the as-of date (the action log, first launch per action_id)
launched as (
    {{ tracking_launched_actions() }}
),

family_launches as (
    select family, play_id, launch_date
    from (
        select
            playbooks.family,
            launched.play_id,
            launched.launch_date,
            row_number() over (
                partition by playbooks.family
                order by launched.launch_date desc nulls last, launched.launched_at desc nulls last,
                    launched.action_id desc nulls last
            ) as recency
        from launched
        inner join {{ ref('playbooks') }} as playbooks on launched.play_id = playbooks.play_id
    ) as ranked
    where recency = 1
),

variant_launches as (
    select variant_id, max(launch_date) as launch_date
    from launched
    where variant_id is not null
    group by variant_id
),

candidates as (
    select * from {{ ref('mart_action_candidates') }}
),

joined as (
    select
        as_of.as_of_date,
        variants.*,
        candidates.play_id as candidate_play_id,
        candidates.tier,
        candidates.reason_code,
        candidates.evidence_class,
        candidates.score,
        candidates.audience_size,
        candidates.evidence_window_days,
        candidates.expected_weekly_net_sales_p10,
        candidates.expected_weekly_net_sales_p50,
        candidates.expected_weekly_net_sales_p90,
        candidates.expected_value_null_reason,
        coalesce(eligible.eligible_audience_size, 0) as eligible_audience_size,
        -- how many orders (or converting customers) per audience member the evidence saw in
        -- its window: group a's conversion rate for plays counted in customers, the recent
        -- cohort's orders per customer for plays counted in orders
        case
            when candidates.evidence_class = 'measured'
                or (candidates.test_kind = 'two_proportion' and variants.outcome <> 'discounted_order')
                then case when candidates.group_a_n > 0
                    then cast(candidates.group_a_successes as double) / candidates.group_a_n end
            when candidates.audience_size > 0
                then candidates.value_units / candidates.audience_size
        end as incentive_response_rate,
        -- the value of an order the percent-of-AOV incentive is a share of: the candidate's own
        -- value per customer or order, the store AOV where that value is a discount amount
        case
            when variants.incentive_cost_type <> 'percent_of_aov' then cast(null as double)
            when candidates.evidence_class <> 'measured' and variants.outcome = 'discounted_order'
                then settings.store_aov
            else candidates.value_per_unit
        end as order_value,
        case
            when variants.incentive_cost_type = 'none' then 'no incentive'
            when variants.incentive_cost_type = 'flat_per_order' then 'flat amount per order (play_variants)'
            when candidates.evidence_class <> 'measured' and variants.outcome = 'discounted_order'
                then case when settings.store_aov is not null then 'store average order value (L28)' end
            else candidates.value_per_unit_source
        end as cost_per_order_source,
        settings.fatigue_factor,
        settings.seasonality_ratio,
        settings.seasonality_factor,
        settings.seasonality_source,
        settings.monthly_cap,
        play_ltv.ltv_top_decile_share,
        family_launches.launch_date as family_last_launch_date,
        family_launches.play_id as family_last_launch_play_id,
        variant_launches.launch_date as variant_last_launch_date
    from variants
    cross join as_of
    cross join settings
    left join candidates on variants.play_id = candidates.play_id
    left join eligible on variants.variant_id = eligible.variant_id
    left join play_ltv on variants.play_id = play_ltv.play_id
    left join family_launches on variants.family = family_launches.family
    left join variant_launches on variants.variant_id = variant_launches.variant_id
),

shares as (
    select
        joined.*,
        cast(case
            when excluded_audience_play_id is null then 1
            when audience_size > 0 then cast(eligible_audience_size as double) / audience_size
            else 0
        end as double) as eligible_audience_share,
        case
            when incentive_cost_type = 'none' then 0.0
            when incentive_cost_type = 'flat_per_order' then incentive_cost_value
            else incentive_cost_value * order_value
        end as cost_per_order_raw,
        case
            when incentive_cost_type = 'none' then 0.0
            else eligible_audience_size * incentive_response_rate * lift_multiplier
                * 7.0 / evidence_window_days * fatigue_factor * seasonality_factor
        end as incentive_orders_raw,
        case
            when candidate_play_id is null then 'no_candidate'
            when expected_value_null_reason is not null then expected_value_null_reason
            when monthly_cap is null then 'monthly_cap_unknown'
            when incentive_cost_type <> 'none' and incentive_response_rate is null then 'incentive_orders_unknown'
            when incentive_cost_type = 'percent_of_aov' and order_value is null then 'cost_per_order_unknown'
        end as value_null_reason,
        {{ dbt.datediff('family_last_launch_date', 'as_of_date', 'day') }} as days_since_family_launch,
        {{ dbt.datediff('variant_last_launch_date', 'as_of_date', 'day') }} as days_since_variant_launch
    from joined
),

-- monthly base (fatigue x seasonality, capped) and the variant's value
monthly as (
    select
        shares.*,
        expected_weekly_net_sales_p10 * fatigue_factor * seasonality_factor as raw_base_p10,
        expected_weekly_net_sales_p50 * fatigue_factor * seasonality_factor as raw_base_p50,
        expected_weekly_net_sales_p90 * fatigue_factor * seasonality_factor as raw_base_p90,
        cast(floor(days_since_family_launch / 7.0) as integer) as weeks_since_family_launch,
        cast(floor(days_since_variant_launch / 7.0) as integer) as weeks_since_variant_launch
    from shares
),

valued as (
    select
        monthly.*,
        least(raw_base_p10, monthly_cap) as base_p10,
        least(raw_base_p50, monthly_cap) as base_p50,
        least(raw_base_p90, monthly_cap) as base_p90,
        least(least(raw_base_p10, monthly_cap) * lift_multiplier * eligible_audience_share, monthly_cap) as sales_p10,
        least(least(raw_base_p50, monthly_cap) * lift_multiplier * eligible_audience_share, monthly_cap) as sales_p50,
        least(least(raw_base_p90, monthly_cap) * lift_multiplier * eligible_audience_share, monthly_cap) as sales_p90,
        (raw_base_p90 > monthly_cap
            or least(raw_base_p90, monthly_cap) * lift_multiplier * eligible_audience_share > monthly_cap)
            as cap_binds,
        incentive_orders_raw * cost_per_order_raw as incentive_cost_raw
    from monthly
),

-- money to the cent, NULL with value_null_reason when it cannot be computed
money as (
    select
        valued.*,
        case when value_null_reason is null then round(base_p10, 2) end as monthly_base_net_sales_p10,
        case when value_null_reason is null then round(base_p50, 2) end as monthly_base_net_sales_p50,
        case when value_null_reason is null then round(base_p90, 2) end as monthly_base_net_sales_p90,
        case when value_null_reason is null then cap_binds end as is_capped,
        case when value_null_reason is null then incentive_orders_raw end as incentive_orders_monthly,
        case when value_null_reason is null then round(cost_per_order_raw, 2) end as cost_per_order,
        case when value_null_reason is null then round(incentive_cost_raw, 2) end as incentive_cost_monthly,
        case when value_null_reason is null
            then round(greatest(0, sales_p10 - incentive_cost_raw), 2) end as expected_monthly_net_sales_p10,
        case when value_null_reason is null
            then round(greatest(0, sales_p50 - incentive_cost_raw), 2) end as expected_monthly_net_sales_p50,
        case when value_null_reason is null
            then round(greatest(0, sales_p90 - incentive_cost_raw), 2) end as expected_monthly_net_sales_p90,
        case when value_null_reason is null
            then round(sales_p50 * {{ s.gross_margin }} - incentive_cost_raw, 2) end
            as expected_monthly_gross_profit_p50,
        case
            when value_null_reason is not null then cast(null as {{ string }})
            when lift_multiplier = 1 and incentive_cost_type = 'none' then 'evidence'
            else 'evidence x planning assumption'
        end as value_basis
    from valued
),

-- preferences, cooldowns, policy and usability
usable as (
    select
        money.*,
        coalesce(ltv_top_decile_share >= {{ s.ltv_top_share }}, false) as is_top_ltv_audience,
        cast(case when is_no_discount and coalesce(ltv_top_decile_share >= {{ s.ltv_top_share }}, false)
            then 1 + {{ s.ltv_nudge }} else 1 end as double) as ltv_nudge_factor,
        coalesce(weeks_since_family_launch < cooldown_weeks, false) as is_in_cooldown,
        cast(case when weeks_since_variant_launch <= {{ s.novelty_weeks }}
            then {{ s.novelty_penalty }} else 1 end as double) as novelty_factor,
        case
            when incentive_cost_type = 'percent_of_aov' and incentive_cost_value > {{ s.max_discount }}
                then 'discount_above_cap'
            when {{ actions_all_channels_disabled('channels', s.disabled_channels) }} then 'channels_disabled'
        end as policy_disabled_reason
    from money
),

eligibility as (
    select
        usable.*,
        case
            when is_in_cooldown then 'cooldown'
            when policy_disabled_reason is not null then policy_disabled_reason
            when eligible_audience_size = 0 then 'empty_audience'
        end as ineligible_reason,
        expected_monthly_net_sales_p50 * ltv_nudge_factor * novelty_factor as ranking_value
    from usable
),

ranked as (
    select
        eligibility.*,
        ineligible_reason is null as is_eligible,
        case when ineligible_reason is null then row_number() over (
            partition by play_id, case when ineligible_reason is null then 1 else 0 end
            order by ranking_value desc nulls last,
                case when is_no_discount then 0 else 1 end asc nulls last,
                incentive_cost_monthly asc nulls last,
                variant_id asc nulls last
        ) end as variant_rank
    from eligibility
),

final as (
    select
        ranked.*,
        coalesce(ranked.variant_rank = 1, false) as is_best_variant
    from ranked
)

select
    as_of_date,
    variant_id,
    play_id,
    family,
    category,
    channels,
    effort,
    cooldown_weeks,
    offer_type,
    lift_multiplier,
    incentive_cost_type,
    incentive_cost_value,
    is_no_discount,
    eligibility_rule,
    excluded_audience_play_id,
    tier,
    reason_code,
    evidence_class,
    score,
    audience_size,
    eligible_audience_size,
    eligible_audience_share,
    evidence_window_days,
    expected_weekly_net_sales_p10,
    expected_weekly_net_sales_p50,
    expected_weekly_net_sales_p90,
    fatigue_factor,
    seasonality_ratio,
    seasonality_factor,
    seasonality_source,
    monthly_cap,
    is_capped,
    monthly_base_net_sales_p10,
    monthly_base_net_sales_p50,
    monthly_base_net_sales_p90,
    case when value_null_reason is null then incentive_response_rate end as incentive_response_rate,
    incentive_orders_monthly,
    cost_per_order,
    case when value_null_reason is null then cost_per_order_source end as cost_per_order_source,
    incentive_cost_monthly,
    expected_monthly_net_sales_p10,
    expected_monthly_net_sales_p50,
    expected_monthly_net_sales_p90,
    expected_monthly_gross_profit_p50,
    cast({{ s.gross_margin }} as double) as gross_margin,
    value_basis,
    value_null_reason,
    ltv_top_decile_share,
    is_top_ltv_audience,
    ltv_nudge_factor,
    family_last_launch_date,
    family_last_launch_play_id,
    weeks_since_family_launch,
    is_in_cooldown,
    variant_last_launch_date,
    weeks_since_variant_launch,
    novelty_factor,
    policy_disabled_reason,
    is_eligible,
    ineligible_reason,
    ranking_value,
    variant_rank,
    is_best_variant,
    {{ actions_variant_note() }} as variant_note
from final as ranked
