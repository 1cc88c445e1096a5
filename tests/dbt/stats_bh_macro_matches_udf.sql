-- The portable BH macro aura_bh_qvalues (macros/stats.sql, window functions) gives the same
-- q-values as the UDF bh_qvalues(list) (identical doubles, NULLs in the same places) and as
-- statsmodels (the seed's expected, within 1e-9). Returns the elements that disagree.
with bh_cases as (
    select case_id, group_id, position, p, expected
    from {{ ref('stats_reference_cases') }}
    where function = 'bh_qvalues'
),

by_macro as (
    {{ aura_bh_qvalues('bh_cases', 'p', partition_by=['group_id'],
                       columns=['case_id', 'group_id', 'position', 'expected']) }}
),

by_udf as (
    select group_id, bh_qvalues(list(p order by position)) as q_list
    from bh_cases
    group by group_id
),

compared as (
    select m.case_id, m.expected, m.q_value as macro_q, u.q_list[m.position] as udf_q
    from by_macro as m inner join by_udf as u on m.group_id = u.group_id
)

select *
from compared
where
    macro_q is distinct from udf_q
    or (expected is null) <> (macro_q is null)
    or abs(macro_q - expected) > 1e-9 * greatest(1.0, abs(expected))
