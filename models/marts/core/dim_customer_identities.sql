-- One row per customer identity (a customer id, a normalized email or phone) seen on an
-- order or in a merge: the customer it resolves to, and how (the merge history). A merge
-- cycle has no customer and fails the build (test on is_cycle).
with on_orders as (
    select
        order_identity_key as identity_key,
        count(*) as orders,
        min(ordered_at_utc) as first_seen_at
    from {{ ref('fct_orders') }}
    where order_identity_key is not null
    group by order_identity_key
),

merged as (
    select
        resolved.merged_key as identity_key,
        resolved.survivor_key,
        resolved.chain_length,
        resolved.is_cycle,
        links.link_source,
        links.survivor_key as merged_into,
        links.linked_at
    from {{ ref('int_customer_merges_resolved') }} as resolved
    inner join {{ ref('int_customer_identities_linked') }} as links
        on resolved.merged_key = links.merged_key
),

all_keys as (
    select identity_key from on_orders
    union
    select identity_key from merged
    union
    select survivor_key from merged where survivor_key is not null
)

select
    all_keys.identity_key,
    {{ dbt.split_part('all_keys.identity_key', "':'", 1) }} as identity_type,
    case
        when merged.identity_key is null then all_keys.identity_key
        else merged.survivor_key
    end as customer_key,
    merged.merged_into,
    merged.link_source,
    merged.linked_at,
    coalesce(merged.chain_length, 0) as chain_length,
    coalesce(merged.is_cycle, false) as is_cycle,
    coalesce(on_orders.orders, 0) as orders,
    on_orders.first_seen_at
from all_keys
left join merged on all_keys.identity_key = merged.identity_key
left join on_orders on all_keys.identity_key = on_orders.identity_key
