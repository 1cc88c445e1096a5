-- One row per merged identity: the survivor it finally resolves to, following chains
-- (a -> b -> c resolves a to c). A cycle has no survivor and is flagged; a test on
-- this model fails the build when one exists.
with recursive walk (start_key, current_key, depth) as (
    select merged_key, survivor_key, 1
    from {{ ref('int_customer_identities_linked') }}
    union all
    select walk.start_key, links.survivor_key, walk.depth + 1
    from walk
    inner join {{ ref('int_customer_identities_linked') }} as links
        on walk.current_key = links.merged_key
    where walk.depth < 64 and walk.current_key <> walk.start_key
),

deepest as (
    select
        start_key,
        current_key,
        depth,
        row_number() over (partition by start_key order by depth desc nulls last) as step_rank,
        max(case when current_key = start_key then 1 else 0 end)
            over (partition by start_key) as returns_to_start
    from walk
)

select
    deepest.start_key as merged_key,
    case
        when deepest.returns_to_start = 0 and links.merged_key is null then deepest.current_key
    end as survivor_key,
    deepest.depth as chain_length,
    deepest.returns_to_start = 1 or links.merged_key is not null as is_cycle
from deepest
left join {{ ref('int_customer_identities_linked') }} as links
    on deepest.current_key = links.merged_key
where deepest.step_rank = 1
