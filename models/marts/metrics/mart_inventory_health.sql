-- One row per SKU in the inventory snapshot that describes the as-of date: the latest
-- snapshot dated on or before it, else (a stock export taken after the last order) the
-- earliest one after it. Stock is summed over locations. Daily velocity is the units
-- sold in the aura_inventory_velocity_days days up to the snapshot date (the as-of date
-- if the snapshot is later) divided by the days of that window inside the order history;
-- days of cover = available / velocity. Empty when no inventory file was given
-- (mart_data_quality_flags records it). Definitions: DECISIONLOG "Inventory health".
{%- set velocity_days = var('aura_inventory_velocity_days') %}
{%- set max_age = var('aura_inventory_max_age_days') %}
{%- set min_cover = var('aura_inventory_min_cover_days') %}
{%- set peak_cover = var('aura_peak_season_cover_days') %}
{%- set peak_velocity = var('aura_peak_season_min_daily_velocity') %}
{%- set top_n = var('aura_bestseller_top_n') %}

with as_of as (
    select {{ aura_as_of_date() }} as as_of_date
),

snapshot_dates as (
    select
        max(case when snapshots.snapshot_date <= as_of.as_of_date then snapshots.snapshot_date end)
            as latest_on_or_before,
        min(case when snapshots.snapshot_date > as_of.as_of_date then snapshots.snapshot_date end)
            as earliest_after
    from {{ ref('fct_inventory_snapshots') }} as snapshots
    cross join as_of
),

chosen as (
    select
        as_of.as_of_date,
        coalesce(snapshot_dates.latest_on_or_before, snapshot_dates.earliest_after) as snapshot_date
    from snapshot_dates
    cross join as_of
),

first_order as (
    select min(orders.order_date) as first_order_date
    from {{ ref('fct_orders') }} as orders
    cross join as_of
    where orders.is_counted_order and orders.order_date <= as_of.as_of_date
),

-- the velocity window ends at the snapshot date (at the as-of date when the snapshot is
-- later: no order after the as-of date is ever seen)
velocity_end as (
    select
        chosen.as_of_date,
        chosen.snapshot_date,
        case when chosen.snapshot_date > chosen.as_of_date then chosen.as_of_date else chosen.snapshot_date end
            as window_end
    from chosen
),

velocity_window as (
    select
        velocity_end.as_of_date,
        velocity_end.snapshot_date,
        {{ metrics_add_days('velocity_end.window_end', 1 - velocity_days) }} as window_start,
        velocity_end.window_end,
        first_order.first_order_date
    from velocity_end
    cross join first_order
),

stock as (
    select
        snapshots.sku,
        max(snapshots.product_key) as product_key,
        count(*) as locations,
        sum(snapshots.available) as available,
        sum(coalesce(snapshots.incoming, 0)) as incoming,
        sum(snapshots.reorder_point) as reorder_point
    from {{ ref('fct_inventory_snapshots') }} as snapshots
    inner join chosen on snapshots.snapshot_date = chosen.snapshot_date
    group by snapshots.sku
),

sales as (
    select lines.product_key, sum(lines.quantity) as units
    from {{ ref('fct_order_lines') }} as lines
    cross join velocity_window
    where lines.is_sold_line
        and lines.is_counted_order
        and lines.order_date >= velocity_window.window_start
        and lines.order_date <= velocity_window.window_end
    group by lines.product_key
),

bestsellers as (
    select
        product_key,
        row_number() over (order by units desc nulls last, product_key asc nulls last)
            as bestseller_rank
    from sales
    where units > 0
),

measured as (
    select
        velocity_window.as_of_date,
        velocity_window.snapshot_date,
        stock.sku,
        stock.product_key,
        products.product_title,
        products.variant_title,
        stock.locations,
        stock.available,
        stock.incoming,
        stock.reorder_point,
        velocity_window.window_start as velocity_window_start,
        velocity_window.window_end as velocity_window_end,
        -- days of the window inside the order history (the whole window once the store
        -- is older than it; 0 when it has no counted order before the snapshot)
        greatest(0, least(
            {{ velocity_days }},
            coalesce({{ metrics_days_between('velocity_window.first_order_date', 'velocity_window.window_end') }} + 1, 0)
        )) as velocity_days,
        coalesce(sales.units, 0) as units_sold_in_velocity_window,
        bestsellers.bestseller_rank
    from stock
    cross join velocity_window
    left join sales on stock.product_key = sales.product_key
    left join bestsellers on stock.product_key = bestsellers.product_key
    left join {{ ref('dim_products') }} as products on stock.product_key = products.product_key
),

with_velocity as (
    select
        *,
        case when velocity_days > 0
            then cast(units_sold_in_velocity_window as double) / velocity_days
        end as daily_velocity
    from measured
),

with_cover as (
    select
        *,
        case when daily_velocity > 0 then available / daily_velocity end as days_of_cover,
        case
            when velocity_days = 0 then 'no_order_history'
            when daily_velocity = 0 then 'no_recent_sales'
        end as cover_null_reason
    from with_velocity
)

select
    as_of_date,
    snapshot_date,
    {{ metrics_days_between('snapshot_date', 'as_of_date') }} as snapshot_age_days,
    snapshot_date > as_of_date as is_snapshot_after_as_of,
    abs({{ metrics_days_between('snapshot_date', 'as_of_date') }}) > {{ max_age }} as is_stale,
    sku,
    product_key,
    product_title,
    variant_title,
    locations,
    available,
    incoming,
    reorder_point,
    velocity_window_start,
    velocity_window_end,
    velocity_days,
    units_sold_in_velocity_window,
    daily_velocity,
    days_of_cover,
    cover_null_reason,
    case when days_of_cover is not null then days_of_cover < {{ min_cover }} end as is_low_cover,
    case when reorder_point is not null then available <= reorder_point and incoming = 0 end
        as reorder_alert,
    case when reorder_point is null then 'no_reorder_point' end as reorder_alert_null_reason,
    case when daily_velocity is not null then
        as_of_date >= cast({{ dbt.dateadd('month', 10, dbt.date_trunc('year', 'as_of_date')) }} as date)
        and daily_velocity >= {{ peak_velocity }}
        and coalesce(days_of_cover < {{ peak_cover }}, false)
    end as peak_season_stockout_risk,
    bestseller_rank,
    coalesce(bestseller_rank <= {{ top_n }}, false) as is_bestseller
from with_cover
