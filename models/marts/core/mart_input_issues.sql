-- One row per (input, issue type) found in this build's input files: problems where
-- carrying on is right (the build fails on the others, in the loader). Each says how
-- many rows, where the first one is, and what Aura did about it.
{% set fmt = aura_input_format() %}
with findings as (
{% if fmt == 'shopify' %}
    select
        'orders_export' as input_name,
        'duplicate_row' as issue_type,
        'warning' as severity,
        source_file,
        source_row,
        'An exact copy of an earlier row (same order, same line, same values); dropped.'
            as description
    from {{ ref('int_shopify_order_rows_flagged') }}
    where is_duplicate_row
    union all
    select
        'orders_export', 'overlapping_export', 'warning', source_file, source_row,
        'The order also appears in an earlier export file; the earlier file''s copy is kept.'
    from {{ ref('int_shopify_order_rows_flagged') }}
    where is_overlapping_export
{% else %}
    select
        'orders' as input_name,
        'duplicate_row' as issue_type,
        'warning' as severity,
        source_file,
        source_row,
        'An exact copy of an earlier order row; dropped.' as description
    from {{ ref('int_canonical_orders_flagged') }}
    where is_duplicate_row
    union all
    select
        'orders', 'conflicting_duplicate_order', 'warning', source_file, source_row,
        'The order id appears earlier with different values; the first row is kept.'
    from {{ ref('int_canonical_orders_flagged') }}
    where is_conflicting_duplicate
    union all
    select
        'order_lines', 'duplicate_row', 'warning', source_file, source_row,
        'An exact copy of an earlier line with the same line number; dropped.'
    from {{ ref('int_canonical_order_lines_flagged') }}
    where is_duplicate_row
    union all
    select
        'order_lines', 'line_without_order', 'warning', lines.source_file, lines.source_row,
        'The line''s order id is not in the orders file; the line is left out.'
    from {{ ref('int_canonical_order_lines_shaped') }} as lines
    left join {{ ref('int_canonical_orders_shaped') }} as orders
        on lines.order_id = orders.order_id
    where orders.order_id is null
{% endif %}
    union all
    select
        'inventory', 'duplicate_row', 'warning', source_file, source_row,
        'Another row has the same snapshot date, SKU and location; the first one is kept.'
    from {{ ref('int_inventory_unified') }}
    where copy_number > 1
    union all
    select
        'orders', 'net_sales_method_disagreement', 'warning', source_file, source_row,
        'Net sales by another method (total minus shipping and taxes, or line items) differs '
        || 'by more than {{ (var("aura_net_sales_disagreement") * 100) | int }}%; '
        || 'the order is kept with the recorded method.'
    from {{ ref('fct_orders') }}
    where is_net_sales_method_disagreement
    union all
    select
        'orders', 'subtotal_mismatch', 'info', source_file, source_row,
        'Subtotal + Discount Amount differs from the sum of line price x quantity (shipping '
        || 'discounts, custom items); Subtotal is used as net of discounts.'
    from {{ ref('fct_orders') }}
    where subtotal_reading = 'mismatch'
    union all
    select
        'orders', 'no_units_sold', 'info', source_file, source_row,
        'No product line with a positive quantity (only shipping, fees, adjustments or '
        || 'returns); not counted as an order.'
    from {{ ref('fct_orders') }}
    where not is_voided and not is_cancelled and units = 0
    union all
    select
        'orders', 'unidentified_customer', 'info', source_file, source_row,
        'No customer id, email or usable phone; counted in sales, not in customer metrics.'
    from {{ ref('fct_orders') }}
    where is_counted_order and customer_key is null
),

optional_inputs as (
    {% set optional = [
        ('products', 'int_products_unified', 'Product sizes and categories come from order lines only.'),
        ('inventory', 'fct_inventory_snapshots', 'Stock cover checks are off.'),
        ('marketing_spend', 'stg_inputs__marketing_spend', 'Media-mix and spend features are off.'),
        ('weather', 'stg_inputs__weather', 'Weather features are off.'),
        ('action_log', 'stg_inputs__action_log', 'No launched actions to measure yet.'),
    ] %}
    {% for name, model, effect in optional %}
    select
        '{{ name }}' as input_name,
        count(*) as input_rows,
        '{{ effect }}' as effect
    from {{ ref(model) }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

ranked as (
    select
        *,
        row_number() over (
            partition by input_name, issue_type
            order by source_file nulls last, source_row nulls last
        ) as finding_rank,
        count(*) over (partition by input_name, issue_type) as rows_affected
    from findings
)

select
    input_name,
    issue_type,
    severity,
    rows_affected,
    source_file as first_file,
    source_row as first_row,
    description
from ranked
where finding_rank = 1

union all

select
    input_name,
    'optional_input_absent' as issue_type,
    'info' as severity,
    0 as rows_affected,
    cast(null as varchar) as first_file,
    cast(null as bigint) as first_row,
    'No ' || input_name || ' file was given. ' || effect as description
from optional_inputs
where input_rows = 0
