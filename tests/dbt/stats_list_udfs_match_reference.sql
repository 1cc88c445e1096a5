-- The list UDFs through SQL inside the dbt build: bh_qvalues(list) equals statsmodels'
-- multipletests(method='fdr_bh') element by element (NULL p-values stay NULL and do not count
-- in m), and thompson_p_best(alphas, betas, draws, seed) equals MABWiser's Thompson sampling
-- with the same seed exactly. The seed holds one row per list element (group_id, position).
with cases as (
    select * from {{ ref('stats_reference_cases') }}
),

bh_lists as (
    select group_id, bh_qvalues(list(p order by position)) as got_list
    from cases where function = 'bh_qvalues'
    group by group_id
),

thompson_lists as (
    select
        group_id,
        thompson_p_best(list(a order by position), list(b order by position), max(draws), max(seed))
            as got_list
    from cases where function = 'thompson_p_best'
    group by group_id
),

results as (
    select c.case_id, c.function, c.expected, l.got_list[c.position] as got, 1e-9 as tolerance
    from cases as c inner join bh_lists as l on c.group_id = l.group_id
    where c.function = 'bh_qvalues'
    union all
    select c.case_id, c.function, c.expected, l.got_list[c.position], 0.0
    from cases as c inner join thompson_lists as l on c.group_id = l.group_id
    where c.function = 'thompson_p_best'
)

select *
from results
where not coalesce(
    case
        when expected is null or got is null then expected is null and got is null
        else abs(got - expected) <= tolerance * greatest(1.0, abs(expected))
    end,
    false
)
