-- One row per identity that resolves into another: the merge graph's edges.
-- Explicit merges (customer_merges input) win; otherwise an order that carries several
-- identifiers links the weaker to the stronger (customer_id > email > phone), unless the
-- weaker one is seen with more than one stronger one (a shared household phone, say).
with order_identities as (
    select
        ordered_at,
        case when customer_id is not null then 'customer_id:' || trim(customer_id) end as id_key,
        'email:' || {{ aura_normalize_email('email') }} as email_key,
        'phone:' || {{ aura_normalize_phone('phone') }} as phone_key
    from {{ ref('int_orders_unified') }}
),

implicit_links as (
    select email_key as merged_key, id_key as survivor_key, ordered_at
    from order_identities
    where email_key is not null and id_key is not null
    union all
    select phone_key as merged_key, coalesce(id_key, email_key) as survivor_key, ordered_at
    from order_identities
    where phone_key is not null and coalesce(id_key, email_key) is not null
),

implicit_unambiguous as (
    select
        merged_key,
        min(survivor_key) as survivor_key,
        min(ordered_at) as linked_at,
        'same_order' as link_source
    from implicit_links
    group by merged_key
    having count(distinct survivor_key) = 1
),

explicit_normalized as (
    select
        case id_type
            when 'email' then 'email:' || {{ aura_normalize_email('merged_id') }}
            when 'phone' then 'phone:' || {{ aura_normalize_phone('merged_id') }}
            else 'customer_id:' || trim(merged_id)
        end as merged_key,
        case id_type
            when 'email' then 'email:' || {{ aura_normalize_email('survivor_id') }}
            when 'phone' then 'phone:' || {{ aura_normalize_phone('survivor_id') }}
            else 'customer_id:' || trim(survivor_id)
        end as survivor_key,
        merged_at,
        source_file,
        source_row
    from {{ ref('stg_inputs__customer_merges') }}
),

explicit_latest as (
    -- A merged identity merged twice: the latest merge (then the last row) counts.
    select merged_key, survivor_key, merged_at as linked_at, 'customer_merges' as link_source
    from (
        select
            *,
            row_number() over (
                partition by merged_key
                order by merged_at desc nulls last, source_file desc nulls last,
                    source_row desc nulls last
            ) as recency
        from explicit_normalized
        where merged_key is not null and survivor_key is not null and merged_key <> survivor_key
    ) as ranked
    where recency = 1
)

select * from explicit_latest
union all
select * from implicit_unambiguous
where merged_key not in (select merged_key from explicit_latest)
