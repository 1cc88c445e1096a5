-- One row per order: the customer it belongs to. The order's own identity is its
-- strongest identifier (customer_id, else normalized email, else normalized phone);
-- merged identities resolve to their survivor. Orders with none are unidentified.
with own_identity as (
    select
        order_id,
        coalesce(
            case when customer_id is not null then 'customer_id:' || trim(customer_id) end,
            'email:' || {{ aura_normalize_email('email') }},
            'phone:' || {{ aura_normalize_phone('phone') }}
        ) as identity_key
    from {{ ref('int_orders_unified') }}
)

select
    own_identity.order_id,
    own_identity.identity_key,
    coalesce(merges.survivor_key, own_identity.identity_key) as customer_key,
    merges.survivor_key is not null as is_merged_identity
from own_identity
left join {{ ref('int_customer_merges_resolved') }} as merges
    on own_identity.identity_key = merges.merged_key
