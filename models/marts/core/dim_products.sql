-- One row per product (SKU, else title for lines without one): the catalogue where
-- given, plus everything ever sold. Size, sample and subscription attributes are parsed
-- from titles and variants (DECISIONLOG "Product attributes"). The patterns only
-- capture digits, so the casts cannot fail.
with sold as (
    select
        product_key,
        max(sku) as sku,
        max(product_title) as sold_title,
        max(variant_title) as sold_variant,
        max(vendor) as sold_vendor,
        min(order_date) as first_sold_date,
        max(order_date) as last_sold_date,
        sum(quantity) as units_sold,
        sum(line_amount) as gross_sales,
        count(distinct order_id) as orders
    from {{ ref('fct_order_lines') }}
    where is_sold_line and is_counted_order
    group by product_key
),

latest_price as (
    select product_key, unit_price as last_sold_price
    from (
        select
            product_key,
            unit_price,
            row_number() over (
                partition by product_key
                order by order_date desc nulls last, order_id desc nulls last,
                    line_number desc nulls last
            ) as recency
        from {{ ref('fct_order_lines') }}
        where is_sold_line and is_counted_order
    ) as ranked
    where recency = 1
),

catalogue as (
    select {{ aura_product_key('sku', 'product_title') }} as product_key, *
    from {{ ref('int_products_unified') }}
),

combined as (
    select
        coalesce(catalogue.product_key, sold.product_key) as product_key,
        coalesce(catalogue.sku, sold.sku) as sku,
        coalesce(catalogue.product_title, sold.sold_title) as product_title,
        coalesce(catalogue.variant_title, sold.sold_variant) as variant_title,
        catalogue.category,
        coalesce(catalogue.vendor, sold.sold_vendor) as vendor,
        catalogue.tags,
        catalogue.status,
        coalesce(catalogue.price, latest_price.last_sold_price) as price,
        catalogue.product_key is not null as is_in_catalogue,
        sold.first_sold_date,
        sold.last_sold_date,
        coalesce(sold.units_sold, 0) as units_sold,
        coalesce(sold.orders, 0) as orders,
        coalesce(sold.gross_sales, 0) as gross_sales
    from catalogue
    full outer join sold on catalogue.product_key = sold.product_key
    left join latest_price on coalesce(catalogue.product_key, sold.product_key) = latest_price.product_key
),

described as (
    select
        *,
        -- Title and variant only: Shopify tags belong to the whole product, so a tag
        -- such as 'subscription' or 'mini' would mark every variant of it.
        lower(coalesce(product_title, '') || ' ' || coalesce(variant_title, ''))
            as description_text
    from combined
),

parsed as (
    select
        *,
        cast(nullif(regexp_extract(description_text, '(\d+(?:\.\d+)?)\s*ml\b', 1), '') as double)
            as size_ml_stated,
        cast(nullif(regexp_extract(description_text, '(\d+(?:\.\d+)?)\s*fl\.?\s*oz\b', 1), '') as double)
            as size_fl_oz,
        cast(nullif(regexp_extract(description_text, '(\d+(?:\.\d+)?)\s*(?:g|grams?)\b', 1), '') as double)
            as size_g,
        cast(nullif(regexp_extract(
            description_text,
            '(\d+)\s*(?:capsules|caps|softgels|gummies|tablets|tabs|servings|count|ct|sachets|sticks)\b',
            1
        ), '') as integer) as unit_count
    from described
)

select
    product_key,
    sku,
    product_title,
    variant_title,
    category,
    vendor,
    tags,
    status,
    price,
    coalesce(size_ml_stated, round(size_fl_oz * 29.5735, 1)) as size_ml,
    size_g,
    unit_count,
    coalesce(
        {{ aura_regexp_matches('description_text', '\\b(sample|travel|mini|deluxe|trial|tester)\\b') }}
        or coalesce(size_ml_stated, size_fl_oz * 29.5735) <= 10
        or size_g <= 10,
        false
    ) as is_sample_size,
    -- every size of one product shares it (a sample is matched to its full size by it)
    coalesce(
        nullif({{ actions_product_family('product_title', 'variant_title') }}, ''),
        product_key
    ) as product_family,
    coalesce(
        {{ aura_regexp_matches('description_text', aura_subscription_pattern()) }},
        false
    ) as is_subscription,
    is_in_catalogue,
    first_sold_date,
    last_sold_date,
    units_sold,
    orders,
    gross_sales
from parsed
