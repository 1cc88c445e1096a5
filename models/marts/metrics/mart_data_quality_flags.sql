-- One row per (as-of date, check): every data-quality check of the metrics layer, fired
-- or not, with the numbers behind it, so the app can show what was checked. A check that
-- cannot be computed has fired = NULL and a typed not_evaluated_reason. Hard checks hold
-- the plan back, soft ones hold it back as a precaution (mart_decision_state); advisory,
-- consistency and info checks are shown, never decisive.
-- Windows: recent = the 28 shop-local days ending at the as-of date inclusive; prior =
-- the 365 days right before it. Definitions: DECISIONLOG "Data-quality flags".
{%- set catalog = metrics_flag_catalog() %}
{%- set min_history_days = var('aura_min_history_days') %}
{%- set min_history_orders = var('aura_min_history_orders') %}
{%- set zero_share_max = var('aura_zero_value_order_share_max') %}
{%- set customer_share_max = var('aura_single_customer_order_share_max') %}
{%- set storm_ratio = var('aura_refund_storm_ratio') %}
{%- set storm_min_refunded = var('aura_refund_storm_min_refunded_orders') %}
{%- set post_promo_days = var('aura_post_promo_days') %}
{%- set spike_multiplier = var('aura_promo_spike_multiplier') %}
{%- set spike_min_median = var('aura_promo_spike_min_median_orders') %}
{%- set gap_ratio = var('aura_reorder_gap_window_ratio') %}
{%- set aov_tolerance = var('aura_consistency_aov_tolerance') %}
{%- set share_tolerance = var('aura_consistency_share_tolerance_pts') %}
{%- set max_age = var('aura_inventory_max_age_days') %}
{%- set min_cover = var('aura_inventory_min_cover_days') %}
{%- set velocity_days = var('aura_inventory_velocity_days') %}
{%- set string = dbt.type_string() %}

with as_of as (
    select
        as_of_date,
        {{ metrics_add_days('as_of_date', -27) }} as recent_start,
        {{ metrics_add_days('as_of_date', -392) }} as prior_start,
        {{ metrics_add_days('as_of_date', -28) }} as prior_end
    from (select {{ aura_as_of_date() }} as as_of_date) as dated
),

profile as (
    select * from {{ ref('mart_store_profile') }}
),

counted as (
    select orders.*
    from {{ ref('fct_orders') }} as orders
    cross join as_of
    where orders.is_counted_order and orders.order_date <= as_of.as_of_date
),

-- the recent 28 days and the 365 days before them -----------------------------------
recent_totals as (
    select
        count(*) as orders,
        sum(case when counted.is_zero_value then 1 else 0 end) as zero_value_orders,
        sum(counted.returns) as returns,
        sum(counted.net_sales_before_returns) as net_sales_before_returns,
        sum(case when counted.returns > 0 then 1 else 0 end) as refunded_orders
    from counted
    cross join as_of
    where counted.order_date >= as_of.recent_start
),

recent_top_customer as (
    select coalesce(max(customer_orders), 0) as top_customer_orders
    from (
        select counted.customer_key, count(*) as customer_orders
        from counted
        cross join as_of
        where counted.order_date >= as_of.recent_start and counted.customer_key is not null
        group by counted.customer_key
    ) as per_customer
),

prior_totals as (
    select
        count(*) as orders,
        sum(counted.returns) as returns,
        sum(counted.net_sales_before_returns) as net_sales_before_returns
    from counted
    cross join as_of
    where counted.order_date >= as_of.prior_start and counted.order_date <= as_of.prior_end
),

-- Black Friday - Cyber Monday: Thanksgiving (the fourth Thursday of November) through
-- Cyber Monday, of the as-of date's year and the year before ---------------------------
bfcm_years as (
    select cast({{ dbt.dateadd('month', 10, dbt.date_trunc('year', 'as_of_date')) }} as date) as nov1
    from as_of
    union all
    select cast({{ dbt.dateadd('month', -2, dbt.date_trunc('year', 'as_of_date')) }} as date) as nov1
    from as_of
),

bfcm as (
    select
        thanksgiving as bfcm_start,
        {{ metrics_add_days('thanksgiving', 1) }} as black_friday,
        {{ metrics_add_days('thanksgiving', 4) }} as bfcm_end
    from (select {{ metrics_thanksgiving('nov1') }} as thanksgiving from bfcm_years) as days
),

bfcm_overlap as (
    select
        coalesce(sum(case
            when bfcm.bfcm_start <= as_of.as_of_date and bfcm.bfcm_end >= as_of.recent_start
                then {{ metrics_days_between(
                    'case when bfcm.bfcm_start > as_of.recent_start then bfcm.bfcm_start else as_of.recent_start end',
                    'case when bfcm.bfcm_end < as_of.as_of_date then bfcm.bfcm_end else as_of.as_of_date end') }} + 1
            else 0
        end), 0) as bfcm_days_in_recent,
        -- the latest BFCM that started on or before the as-of date (for the evidence)
        max(case when bfcm.bfcm_start <= as_of.as_of_date then bfcm.bfcm_start end) as latest_bfcm_start
    from bfcm
    cross join as_of
),

latest_bfcm as (
    select bfcm.*
    from bfcm
    inner join bfcm_overlap on bfcm.bfcm_start = bfcm_overlap.latest_bfcm_start
),

-- promo days in the aura_post_promo_days days before the as-of date (and on it) -------
lookback_days as (
    select {{ metrics_add_days('as_of.as_of_date', '-numbers.n') }} as promo_day
    from ({{ aura_numbers(3) }}) as numbers
    cross join as_of
    where numbers.n <= {{ post_promo_days }}
),

daily_orders as (
    select order_date, count(*) as orders
    from counted
    group by order_date
),

trailing_orders as (
    select
        lookback_days.promo_day,
        coalesce(daily_orders.orders, 0) as orders,
        row_number() over (
            partition by lookback_days.promo_day
            order by coalesce(daily_orders.orders, 0) asc nulls last
        ) as orders_rank
    from lookback_days
    cross join ({{ aura_numbers(2) }}) as offsets
    left join daily_orders
        on daily_orders.order_date = {{ metrics_add_days('lookback_days.promo_day', '-offsets.n') }}
    where offsets.n between 1 and 28
),

trailing_median as (
    -- exact median of 28 values: the mean of the 14th and 15th
    select promo_day, avg(cast(orders as double)) as median_orders
    from trailing_orders
    where orders_rank in (14, 15)
    group by promo_day
),

lookback_bfcm as (
    select
        lookback_days.promo_day,
        sum(case
            when lookback_days.promo_day >= bfcm.bfcm_start and lookback_days.promo_day <= bfcm.bfcm_end
                then 1 else 0
        end) as bfcm_matches
    from lookback_days
    cross join bfcm
    group by lookback_days.promo_day
),

promo_days as (
    select
        lookback_days.promo_day,
        coalesce(daily_orders.orders, 0) as orders,
        trailing_median.median_orders,
        coalesce(
            {{ metrics_add_days('lookback_days.promo_day', -28) }} >= profile.first_order_date
            and trailing_median.median_orders >= {{ spike_min_median }}
            and coalesce(daily_orders.orders, 0) > {{ spike_multiplier }} * trailing_median.median_orders,
            false
        ) as is_spike_day,
        lookback_bfcm.bfcm_matches > 0 as is_bfcm_day
    from lookback_days
    cross join profile
    inner join lookback_bfcm on lookback_days.promo_day = lookback_bfcm.promo_day
    left join daily_orders on lookback_days.promo_day = daily_orders.order_date
    left join trailing_median on lookback_days.promo_day = trailing_median.promo_day
),

promo_summary as (
    select
        sum(case when is_spike_day or is_bfcm_day then 1 else 0 end) as promo_days,
        sum(case when is_spike_day then 1 else 0 end) as spike_days,
        sum(case when is_bfcm_day then 1 else 0 end) as bfcm_days,
        max(case when is_spike_day or is_bfcm_day then promo_day end) as last_promo_day
    from promo_days
),

last_promo as (
    select promo_days.*
    from promo_days
    inner join promo_summary on promo_days.promo_day = promo_summary.last_promo_day
),

-- the primary window's recent period (mart_kpi_baselines, mart_kpi_snapshot) ----------
primary_window as (
    select baselines.primary_window_days, snapshot.*
    from {{ ref('mart_kpi_baselines') }} as baselines
    inner join {{ ref('mart_kpi_snapshot') }} as snapshot
        on snapshot.window_days = baselines.primary_window_days
        and snapshot.as_of_date = baselines.as_of_date
    where snapshot.period = 'recent'
),

-- one row whatever the snapshot holds, so every check is present
primary_recent as (
    select
        max(primary_window.primary_window_days) as primary_window_days,
        max(primary_window.window_start) as window_start,
        max(primary_window.window_end) as window_end,
        max(primary_window.orders) as orders,
        max(primary_window.aov) as aov,
        max(primary_window.net_sales) as net_sales,
        max(primary_window.identified_customers) as identified_customers,
        max(primary_window.new_customer_rate) as new_customer_rate,
        max(primary_window.returning_customer_share) as returning_customer_share,
        max(primary_window.net_sales_alt_diff_total_method) as alt_diff_total,
        max(primary_window.net_sales_alt_diff_line_items_method) as alt_diff_line_items,
        max(case when primary_window.net_sales_consistency_flag then 1 else 0 end) as consistency_flag,
        count(*) as snapshot_rows
    from (select 1 as one) as anchor
    left join primary_window on 1 = 1
),

-- inventory (mart_inventory_health) ---------------------------------------------------
inventory as (
    select
        count(*) as skus,
        max(snapshot_date) as snapshot_date,
        max(snapshot_age_days) as snapshot_age_days,
        sum(case when is_low_cover then 1 else 0 end) as low_cover_skus,
        sum(case when cover_null_reason is not null then 1 else 0 end) as skus_without_cover,
        count(reorder_point) as skus_with_reorder_point,
        sum(case when reorder_alert then 1 else 0 end) as reorder_alerts,
        sum(case when peak_season_stockout_risk then 1 else 0 end) as peak_risk_skus
    from {{ ref('mart_inventory_health') }}
),

lowest_cover as (
    select sku, days_of_cover
    from (
        select
            sku,
            days_of_cover,
            row_number() over (order by days_of_cover asc nulls last, sku asc nulls last) as cover_rank
        from {{ ref('mart_inventory_health') }}
        where is_low_cover
    ) as ranked
    where cover_rank = 1
),

-- the checks ----------------------------------------------------------------------------
insufficient_history as (
    select
        'insufficient_history' as flag_code,
        'At least {{ min_history_days }} days and {{ min_history_orders }} counted orders of history up to the as-of date.'
            as check_description,
        coalesce(profile.history_days, 0) < {{ min_history_days }}
            or profile.counted_orders < {{ min_history_orders }} as fired,
        cast(null as {{ string }}) as not_evaluated_reason,
        case
            when coalesce(profile.history_days, 0) >= {{ min_history_days }}
                and profile.counted_orders < {{ min_history_orders }} then 'counted_orders'
            else 'history_days'
        end as metric_name,
        cast(case
            when coalesce(profile.history_days, 0) >= {{ min_history_days }}
                and profile.counted_orders < {{ min_history_orders }} then profile.counted_orders
            else coalesce(profile.history_days, 0)
        end as double) as metric_value,
        cast(case
            when coalesce(profile.history_days, 0) >= {{ min_history_days }}
                and profile.counted_orders < {{ min_history_orders }} then {{ min_history_orders }}
            else {{ min_history_days }}
        end as double) as threshold,
        case
            when profile.first_order_date is null
                then 'No counted orders on or before ' || {{ metrics_text('profile.as_of_date') }} || '.'
            else {{ metrics_int_text('profile.history_days') }} || ' days of order history (first counted order '
                || {{ metrics_text('profile.first_order_date') }} || ') and '
                || {{ metrics_int_text('profile.counted_orders') }} || ' counted orders up to '
                || {{ metrics_text('profile.as_of_date') }} || '.'
        end || ' At least {{ min_history_days }} days and {{ min_history_orders }} orders are needed.' as evidence,
        case when coalesce(profile.history_days, 0) < {{ min_history_days }}
                or profile.counted_orders < {{ min_history_orders }}
            then 'The store has ' || {{ metrics_int_text('coalesce(profile.history_days, 0)') }}
                || ' days and ' || {{ metrics_int_text('profile.counted_orders') }}
                || ' orders of history; at least {{ min_history_days }} days and {{ min_history_orders }} orders are needed before one period can be compared with another.'
        end as brand_message
    from profile
),

test_order_anomaly as (
    select
        'test_order_anomaly' as flag_code,
        'Zero-value orders at most {{ (zero_share_max * 100) | round(1) }}% and no customer with more than {{ (customer_share_max * 100) | round(1) }}% of the counted orders of the last 28 days.'
            as check_description,
        case when measured.orders > 0 then measured.zero_fired or measured.customer_fired end as fired,
        case when measured.orders = 0 then 'no_orders_in_recent_28_days' end as not_evaluated_reason,
        case when measured.customer_fired and not measured.zero_fired
            then 'top_customer_order_share' else 'zero_value_order_share' end as metric_name,
        case when measured.customer_fired and not measured.zero_fired
            then measured.customer_share else measured.zero_share end as metric_value,
        cast(case when measured.customer_fired and not measured.zero_fired
            then {{ customer_share_max }} else {{ zero_share_max }} end as double) as threshold,
        case
            when measured.orders = 0 then 'No counted orders in the last 28 days ('
                || {{ metrics_text('measured.recent_start') }} || ' to ' || {{ metrics_text('measured.as_of_date') }} || ').'
            else 'In the last 28 days (' || {{ metrics_text('measured.recent_start') }} || ' to '
                || {{ metrics_text('measured.as_of_date') }} || ') ' || {{ metrics_int_text('measured.zero_value_orders') }}
                || ' of ' || {{ metrics_int_text('measured.orders') }} || ' counted orders ('
                || {{ metrics_pct_text('measured.zero_share') }} || ') were zero-value (limit {{ (zero_share_max * 100) | round(1) }}%) and the busiest customer placed '
                || {{ metrics_int_text('measured.top_customer_orders') }} || ' ('
                || {{ metrics_pct_text('measured.customer_share') }} || '; limit {{ (customer_share_max * 100) | round(1) }}%).'
        end as evidence,
        case when measured.zero_fired or measured.customer_fired
            then 'Recent orders look like test or one-off orders: ' || concat_ws(' and ',
                case when measured.zero_fired then {{ metrics_pct_text('measured.zero_share') }}
                    || ' of the orders of the last 28 days were free (at most {{ (zero_share_max * 100) | round(1) }}% is normal)' end,
                case when measured.customer_fired then 'one customer placed '
                    || {{ metrics_pct_text('measured.customer_share') }} || ' of them (at most {{ (customer_share_max * 100) | round(1) }}% is normal)' end
            ) || '.'
        end as brand_message
    from (
        select
            as_of.as_of_date,
            as_of.recent_start,
            recent_totals.orders,
            recent_totals.zero_value_orders,
            recent_top_customer.top_customer_orders,
            case when recent_totals.orders > 0
                then cast(recent_totals.zero_value_orders as double) / recent_totals.orders end as zero_share,
            case when recent_totals.orders > 0
                then cast(recent_top_customer.top_customer_orders as double) / recent_totals.orders end as customer_share,
            coalesce(cast(recent_totals.zero_value_orders as double) / nullif(recent_totals.orders, 0)
                > {{ zero_share_max }}, false) as zero_fired,
            coalesce(cast(recent_top_customer.top_customer_orders as double) / nullif(recent_totals.orders, 0)
                > {{ customer_share_max }}, false) as customer_fired
        from as_of
        cross join recent_totals
        cross join recent_top_customer
    ) as measured
),

refund_storm as (
    select
        'refund_storm' as flag_code,
        'Returns as a share of net sales before returns in the last 28 days at most {{ storm_ratio }} x the share in the 365 days before (checked from {{ storm_min_refunded }} refunded orders).'
            as check_description,
        case when measured.reason is null
            then measured.refunded_orders >= {{ storm_min_refunded }}
                and measured.recent_rate > {{ storm_ratio }} * measured.prior_rate
        end as fired,
        measured.reason as not_evaluated_reason,
        'recent_28_day_return_rate' as metric_name,
        case when measured.reason is null then measured.recent_rate end as metric_value,
        case when measured.reason is null then {{ storm_ratio }} * measured.prior_rate end as threshold,
        case
            when measured.reason = 'no_sales_in_recent_28_days'
                then 'No net sales in the last 28 days, so no return rate.'
            when measured.reason = 'no_sales_in_prior_365_days'
                then 'No net sales in the 365 days before the last 28 days, so nothing to compare the return rate with.'
            else 'Returns were ' || {{ metrics_pct_text('measured.recent_rate') }}
                || ' of net sales before returns in the last 28 days (' || {{ metrics_int_text('measured.refunded_orders') }}
                || ' refunded orders) against ' || {{ metrics_pct_text('measured.prior_rate') }}
                || ' in the 365 days before; the check fires above {{ storm_ratio }} x '
                || {{ metrics_pct_text('measured.prior_rate') }} || ' = '
                || {{ metrics_pct_text(storm_ratio ~ ' * measured.prior_rate') }}
                || ' with at least {{ storm_min_refunded }} refunded orders.'
        end as evidence,
        case when measured.reason is null and measured.refunded_orders >= {{ storm_min_refunded }}
                and measured.recent_rate > {{ storm_ratio }} * measured.prior_rate
            then 'Refunds have surged: ' || {{ metrics_pct_text('measured.recent_rate') }}
                || ' of the sales of the last 28 days were refunded, against '
                || {{ metrics_pct_text('measured.prior_rate') }} || ' in the year before.'
        end as brand_message
    from (
        select
            coalesce(recent_totals.refunded_orders, 0) as refunded_orders,
            cast(recent_totals.returns as double) / nullif(recent_totals.net_sales_before_returns, 0) as recent_rate,
            cast(prior_totals.returns as double) / nullif(prior_totals.net_sales_before_returns, 0) as prior_rate,
            case
                when coalesce(recent_totals.net_sales_before_returns, 0) <= 0 then 'no_sales_in_recent_28_days'
                when coalesce(prior_totals.net_sales_before_returns, 0) <= 0 then 'no_sales_in_prior_365_days'
            end as reason
        from recent_totals
        cross join prior_totals
    ) as measured
),

bfcm_overlap_check as (
    select
        'bfcm_overlap' as flag_code,
        'The last 28 days do not include the Black Friday - Cyber Monday period (Thanksgiving Thursday through Cyber Monday).'
            as check_description,
        bfcm_overlap.bfcm_days_in_recent > 0 as fired,
        cast(null as {{ string }}) as not_evaluated_reason,
        'bfcm_days_in_recent_28_days' as metric_name,
        cast(bfcm_overlap.bfcm_days_in_recent as double) as metric_value,
        cast(0 as double) as threshold,
        'The last 28 days (' || {{ metrics_text('as_of.recent_start') }} || ' to ' || {{ metrics_text('as_of.as_of_date') }}
            || case when bfcm_overlap.bfcm_days_in_recent > 0
                then ') include ' || {{ metrics_int_text('bfcm_overlap.bfcm_days_in_recent') }} || ' days of'
                else ') do not include' end
            || ' the Black Friday - Cyber Monday period (latest: Thanksgiving '
            || {{ metrics_text('latest_bfcm.bfcm_start') }} || ' to Cyber Monday '
            || {{ metrics_text('latest_bfcm.bfcm_end') }} || ').' as evidence,
        case when bfcm_overlap.bfcm_days_in_recent > 0
            then 'The last 28 days include the Black Friday to Cyber Monday sales ('
                || {{ metrics_text('latest_bfcm.bfcm_start') }} || ' to ' || {{ metrics_text('latest_bfcm.bfcm_end') }}
                || '), so they cannot be compared with an ordinary month.'
        end as brand_message
    from as_of
    cross join bfcm_overlap
    left join latest_bfcm on 1 = 1
),

post_promo_window as (
    select
        'post_promo_window' as flag_code,
        'No promotion day (Black Friday - Cyber Monday, or a day with more than {{ spike_multiplier }} x the median daily orders of the 28 days before it) on the as-of date or in the {{ post_promo_days }} days before it.'
            as check_description,
        promo_summary.promo_days > 0 as fired,
        cast(null as {{ string }}) as not_evaluated_reason,
        'promo_days_in_lookback' as metric_name,
        cast(promo_summary.promo_days as double) as metric_value,
        cast(0 as double) as threshold,
        {{ metrics_int_text('promo_summary.promo_days') }} || ' promotion days from '
            || {{ metrics_text(metrics_add_days('as_of.as_of_date', -post_promo_days)) }} || ' to '
            || {{ metrics_text('as_of.as_of_date') }} || ' (' || {{ metrics_int_text('promo_summary.bfcm_days') }}
            || ' in Black Friday - Cyber Monday, ' || {{ metrics_int_text('promo_summary.spike_days') }}
            || ' order spikes)'
            || case when promo_summary.promo_days > 0
                then '; the last on ' || {{ metrics_text('last_promo.promo_day') }} || ', '
                    || {{ metrics_int_text(metrics_days_between('last_promo.promo_day', 'as_of.as_of_date')) }}
                    || ' days before the as-of date, with ' || {{ metrics_int_text('last_promo.orders') }}
                    || ' orders (median of the 28 days before: ' || {{ metrics_dec_text('last_promo.median_orders') }} || ')'
                else '' end
            || '. A spike day has more than {{ spike_multiplier }} x the median daily orders of the 28 days before it, counted once that median is at least {{ spike_min_median }} orders.'
            as evidence,
        case when promo_summary.promo_days > 0
            then 'A sales peak ended only recently (' || {{ metrics_text('last_promo.promo_day') }}
                || '); the weeks right after a promotion are distorted, so the plan for this month waits as a precaution.'
        end as brand_message
    from as_of
    cross join promo_summary
    left join last_promo on 1 = 1
),

repeat_metric_incoherent as (
    select
        'repeat_metric_incoherent' as flag_code,
        'The median reorder gap is at most {{ gap_ratio }} x the primary window, so repeat purchases can happen inside one window.'
            as check_description,
        case when profile.median_reorder_gap_days is not null and primary_recent.primary_window_days is not null
            then profile.median_reorder_gap_days > {{ gap_ratio }} * primary_recent.primary_window_days
        end as fired,
        case
            when primary_recent.primary_window_days is null then 'no_primary_window'
            when profile.median_reorder_gap_days is null then profile.median_reorder_gap_null_reason
        end as not_evaluated_reason,
        'median_reorder_gap_days' as metric_name,
        profile.median_reorder_gap_days as metric_value,
        cast({{ gap_ratio }} * primary_recent.primary_window_days as double) as threshold,
        case
            when primary_recent.primary_window_days is null then 'The KPI snapshot has no primary window.'
            when profile.median_reorder_gap_days is null then 'No repeat orders in the last 365 days, so no reorder gap.'
            else 'The median gap between two orders of a customer is ' || {{ metrics_dec_text('profile.median_reorder_gap_days') }}
                || ' days (' || {{ metrics_int_text('profile.repeat_orders_last_365_days') }}
                || ' repeat orders in the last 365 days) against {{ gap_ratio }} x the '
                || {{ metrics_int_text('primary_recent.primary_window_days') }} || '-day primary window = '
                || {{ metrics_dec_text(gap_ratio ~ ' * primary_recent.primary_window_days') }} || ' days'
                || case when profile.median_reorder_gap_days > {{ gap_ratio }} * primary_recent.primary_window_days
                    then '; most repeat purchases fall outside one window, so the within-window repeat rate cannot see them.'
                    else '.' end
        end as evidence,
        case when profile.median_reorder_gap_days > {{ gap_ratio }} * primary_recent.primary_window_days
            then 'Customers typically reorder every ' || {{ metrics_int_text('round(profile.median_reorder_gap_days, 0)') }}
                || ' days, longer than the ' || {{ metrics_int_text('primary_recent.primary_window_days') }}
                || '-day comparison period, so repeat buying inside one period understates loyalty.'
        end as brand_message
    from profile
    cross join primary_recent
),

aov_consistency as (
    select
        'aov_consistency' as flag_code,
        'orders x AOV matches net sales within {{ (aov_tolerance * 100) | round(1) }}% in the recent period of the primary window.'
            as check_description,
        case when measured.gap is not null then measured.gap > {{ aov_tolerance }} end as fired,
        case
            when primary_recent.snapshot_rows = 0 then 'no_primary_window'
            when measured.gap is null then 'no_net_sales_in_primary_window'
        end as not_evaluated_reason,
        'relative_difference' as metric_name,
        measured.gap as metric_value,
        cast({{ aov_tolerance }} as double) as threshold,
        case when measured.gap is null
            then 'No net sales in the recent period of the primary window, so nothing to compare.'
            else 'Primary window (' || {{ metrics_int_text('primary_recent.primary_window_days') }} || ' days, '
                || {{ metrics_text('primary_recent.window_start') }} || ' to ' || {{ metrics_text('primary_recent.window_end') }}
                || '): ' || {{ metrics_int_text('primary_recent.orders') }} || ' orders x AOV '
                || {{ metrics_dec_text('primary_recent.aov', 2) }} || ' against net sales '
                || {{ metrics_dec_text('primary_recent.net_sales', 2) }} || ': a difference of '
                || {{ metrics_pct_text('measured.gap') }} || ' (tolerance {{ (aov_tolerance * 100) | round(1) }}%).'
        end as evidence,
        case when measured.gap > {{ aov_tolerance }}
            then 'Order counts, average order value and sales do not add up in the latest period; the figures are being reviewed.'
        end as brand_message
    from primary_recent
    cross join (
        select
            case when net_sales is not null and net_sales <> 0 and aov is not null
                then abs(orders * aov - net_sales) / abs(cast(net_sales as double))
            end as gap
        from primary_recent
    ) as measured
),

new_returning_consistency as (
    select
        'new_returning_consistency' as flag_code,
        'new_customer_rate + returning_customer_share is 1 within {{ share_tolerance }} in the recent period of the primary window.'
            as check_description,
        case when measured.gap is not null then measured.gap > {{ share_tolerance }} end as fired,
        case
            when primary_recent.snapshot_rows = 0 then 'no_primary_window'
            when measured.gap is null then 'no_identified_customers_in_primary_window'
        end as not_evaluated_reason,
        'absolute_difference' as metric_name,
        measured.gap as metric_value,
        cast({{ share_tolerance }} as double) as threshold,
        case when measured.gap is null
            then 'No identified customers in the recent period of the primary window, so no shares.'
            else 'Primary window (' || {{ metrics_int_text('primary_recent.primary_window_days') }} || ' days): new customer rate '
                || {{ metrics_pct_text('primary_recent.new_customer_rate') }} || ' + returning customer share '
                || {{ metrics_pct_text('primary_recent.returning_customer_share') }} || ' differs from 100% by '
                || {{ metrics_dec_text('measured.gap', 4) }} || ' (tolerance {{ share_tolerance }}).'
        end as evidence,
        case when measured.gap > {{ share_tolerance }}
            then 'New and returning customer shares do not add up in the latest period; the figures are being reviewed.'
        end as brand_message
    from primary_recent
    cross join (
        select abs(new_customer_rate + returning_customer_share - 1) as gap from primary_recent
    ) as measured
),

net_sales_method_disagreement as (
    select
        'net_sales_method_disagreement' as flag_code,
        'Net sales by the alternative methods (total minus shipping and taxes; line items) agree with the recorded method within {{ (var("aura_net_sales_disagreement") * 100) | round(1) }}% in the recent period of the primary window.'
            as check_description,
        case when primary_recent.snapshot_rows > 0 then primary_recent.consistency_flag = 1 end as fired,
        case when primary_recent.snapshot_rows = 0 then 'no_primary_window' end as not_evaluated_reason,
        'largest_relative_method_difference' as metric_name,
        case
            when primary_recent.alt_diff_total is null then abs(primary_recent.alt_diff_line_items)
            when primary_recent.alt_diff_line_items is null then abs(primary_recent.alt_diff_total)
            when abs(primary_recent.alt_diff_total) > abs(primary_recent.alt_diff_line_items)
                then abs(primary_recent.alt_diff_total)
            else abs(primary_recent.alt_diff_line_items)
        end as metric_value,
        cast({{ var('aura_net_sales_disagreement') }} as double) as threshold,
        'Primary window (' || {{ metrics_int_text('primary_recent.primary_window_days') }}
            || ' days): total minus shipping and taxes differs from the recorded net sales by '
            || {{ metrics_pct_text('primary_recent.alt_diff_total') }} || ', line items by '
            || {{ metrics_pct_text('primary_recent.alt_diff_line_items') }}
            || ' (tolerance {{ (var("aura_net_sales_disagreement") * 100) | round(1) }}%; n/a = not computable).' as evidence,
        case when primary_recent.consistency_flag = 1
            then 'Sales computed in different ways disagree in the latest period; the figures are being reviewed.'
        end as brand_message
    from primary_recent
),

inventory_absent as (
    select
        'inventory_absent' as flag_code,
        'An inventory snapshot was given.' as check_description,
        inventory.skus = 0 as fired,
        cast(null as {{ string }}) as not_evaluated_reason,
        'skus_in_snapshot' as metric_name,
        cast(inventory.skus as double) as metric_value,
        cast(0 as double) as threshold,
        case when inventory.skus = 0
            then 'No inventory file was given: stock cover, reorder and stockout checks are off.'
            else 'Inventory snapshot of ' || {{ metrics_text('inventory.snapshot_date') }} || ' with '
                || {{ metrics_int_text('inventory.skus') }} || ' SKUs.'
        end as evidence,
        case when inventory.skus = 0
            then 'No stock levels were provided, so stock could not be checked.'
        end as brand_message
    from inventory
),

inventory_stale as (
    select
        'inventory_stale' as flag_code,
        'The inventory snapshot is at most {{ max_age }} days from the as-of date.' as check_description,
        case when inventory.skus > 0 then abs(inventory.snapshot_age_days) > {{ max_age }} end as fired,
        case when inventory.skus = 0 then 'no_inventory_snapshot' end as not_evaluated_reason,
        'snapshot_age_days' as metric_name,
        cast(inventory.snapshot_age_days as double) as metric_value,
        cast({{ max_age }} as double) as threshold,
        case when inventory.skus = 0 then 'No inventory snapshot.'
            else 'The snapshot of ' || {{ metrics_text('inventory.snapshot_date') }} || ' is '
                || {{ metrics_int_text('inventory.snapshot_age_days') }}
                || ' days before the as-of date (negative: after it); at most {{ max_age }} days either way is fresh.'
        end as evidence,
        case when inventory.skus > 0 and abs(inventory.snapshot_age_days) > {{ max_age }}
            then 'The stock figures are from ' || {{ metrics_text('inventory.snapshot_date') }}
                || ' and may be out of date.'
        end as brand_message
    from inventory
),

low_cover_skus as (
    select
        'low_cover_skus' as flag_code,
        'No SKU has under {{ min_cover }} days of cover at the pace of the last {{ velocity_days }} days.' as check_description,
        case when inventory.skus > 0 then inventory.low_cover_skus > 0 end as fired,
        case when inventory.skus = 0 then 'no_inventory_snapshot' end as not_evaluated_reason,
        'low_cover_skus' as metric_name,
        cast(case when inventory.skus > 0 then inventory.low_cover_skus end as double) as metric_value,
        cast(0 as double) as threshold,
        case when inventory.skus = 0 then 'No inventory snapshot.'
            else {{ metrics_int_text('inventory.low_cover_skus') }} || ' of ' || {{ metrics_int_text('inventory.skus') }}
                || ' SKUs have under {{ min_cover }} days of cover ('
                || {{ metrics_int_text('inventory.skus_without_cover') }} || ' sold nothing in the velocity window and have no cover figure)'
                || case when lowest_cover.sku is not null
                    then '; the lowest: ' || lowest_cover.sku || ' with '
                        || {{ metrics_dec_text('lowest_cover.days_of_cover') }} || ' days'
                    else '' end || '.'
        end as evidence,
        case when inventory.low_cover_skus > 0
            then {{ metrics_int_text('inventory.low_cover_skus') }}
                || ' products have less than {{ min_cover }} days of stock left at the current pace.'
        end as brand_message
    from inventory
    left join lowest_cover on 1 = 1
),

reorder_alerts as (
    select
        'reorder_alerts' as flag_code,
        'No SKU is at or below its reorder point with nothing incoming.' as check_description,
        case when inventory.skus_with_reorder_point > 0 then inventory.reorder_alerts > 0 end as fired,
        case
            when inventory.skus = 0 then 'no_inventory_snapshot'
            when inventory.skus_with_reorder_point = 0 then 'no_reorder_points'
        end as not_evaluated_reason,
        'reorder_alerts' as metric_name,
        cast(case when inventory.skus_with_reorder_point > 0 then inventory.reorder_alerts end as double)
            as metric_value,
        cast(0 as double) as threshold,
        case
            when inventory.skus = 0 then 'No inventory snapshot.'
            when inventory.skus_with_reorder_point = 0 then 'The inventory snapshot has no reorder points.'
            else {{ metrics_int_text('inventory.reorder_alerts') }} || ' of '
                || {{ metrics_int_text('inventory.skus_with_reorder_point') }}
                || ' SKUs with a reorder point are at or below it with nothing incoming.'
        end as evidence,
        case when inventory.skus_with_reorder_point > 0 and inventory.reorder_alerts > 0
            then {{ metrics_int_text('inventory.reorder_alerts') }}
                || ' products are at or below their reorder point with nothing on order.'
        end as brand_message
    from inventory
),

peak_season_stockout_risk as (
    select
        'peak_season_stockout_risk' as flag_code,
        'In November and December, no SKU selling at least {{ var("aura_peak_season_min_daily_velocity") }} unit a day has under {{ var("aura_peak_season_cover_days") }} days of cover.'
            as check_description,
        case when inventory.skus > 0 then inventory.peak_risk_skus > 0 end as fired,
        case when inventory.skus = 0 then 'no_inventory_snapshot' end as not_evaluated_reason,
        'peak_season_risk_skus' as metric_name,
        cast(case when inventory.skus > 0 then inventory.peak_risk_skus end as double) as metric_value,
        cast(0 as double) as threshold,
        case when inventory.skus = 0 then 'No inventory snapshot.'
            else {{ metrics_int_text('inventory.peak_risk_skus') }}
                || ' SKUs sell at least {{ var("aura_peak_season_min_daily_velocity") }} unit a day with under {{ var("aura_peak_season_cover_days") }} days of cover in peak season'
                || case when as_of.as_of_date >= cast({{ dbt.dateadd('month', 10, dbt.date_trunc('year', 'as_of.as_of_date')) }} as date)
                    then ' (the as-of date is in November or December).'
                    else ' (the as-of date is outside November and December, so none can be).' end
        end as evidence,
        case when inventory.peak_risk_skus > 0
            then {{ metrics_int_text('inventory.peak_risk_skus') }}
                || ' fast-selling products could run out during the holiday peak.'
        end as brand_message
    from inventory
    cross join as_of
),

checks as (
    {% for flag in catalog %}
    select
        flag_code, check_description, fired, not_evaluated_reason, metric_name, metric_value,
        threshold, evidence, brand_message
    from {{ 'bfcm_overlap_check' if flag.code == 'bfcm_overlap' else flag.code }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select
    as_of.as_of_date,
    checks.flag_code,
    case checks.flag_code
        {%- for flag in catalog %}
        when '{{ flag.code }}' then '{{ flag.severity }}'
        {%- endfor %}
    end as severity,
    case checks.flag_code
        {%- for flag in catalog %}
        when '{{ flag.code }}' then {{ loop.index }}
        {%- endfor %}
    end as flag_order,
    checks.fired,
    checks.not_evaluated_reason,
    checks.evidence,
    checks.metric_name,
    checks.metric_value,
    checks.threshold,
    checks.check_description,
    checks.brand_message
from checks
cross join as_of
