-- The scalar statistics UDFs, called through SQL inside the dbt build (registered by the
-- python_udfs.dbt_plugin plugin), equal the values statsmodels / scipy computed for
-- seeds/stats_reference_cases.csv within 1e-9 (relative above 1), and are NULL exactly where
-- the reference says the statistic is undefined. Both arities of the functions with optional
-- arguments are exercised (a NULL z / method / alpha / power / level in the seed means
-- "omitted").
-- Returns the cases that disagree, and any seed row whose function has no check here.
with cases as (
    select * from {{ ref('stats_reference_cases') }}
),

results as (
    select
        case_id, function, expected, expected_text,
        case when z is null then wilson_lower(x1, n1) else wilson_lower(x1, n1, z) end as got,
        cast(null as {{ dbt.type_string() }}) as got_text
    from cases where function = 'wilson_lower'
    union all
    select
        case_id, function, expected, expected_text,
        case when z is null then wilson_upper(x1, n1) else wilson_upper(x1, n1, z) end,
        null
    from cases where function = 'wilson_upper'
    union all
    select
        case_id, function, expected, expected_text,
        case
            when method is null then diff_ci_lower(x1, n1, x2, n2)
            else diff_ci_lower(x1, n1, x2, n2, method)
        end,
        null
    from cases where function = 'diff_ci_lower'
    union all
    select
        case_id, function, expected, expected_text,
        case
            when method is null then diff_ci_upper(x1, n1, x2, n2)
            else diff_ci_upper(x1, n1, x2, n2, method)
        end,
        null
    from cases where function = 'diff_ci_upper'
    union all
    select case_id, function, expected, expected_text, two_prop_pvalue(x1, n1, x2, n2), null
    from cases where function = 'two_prop_pvalue'
    union all
    select case_id, function, expected, expected_text, null, two_prop_method(x1, n1, x2, n2)
    from cases where function = 'two_prop_method'
    union all
    select
        case_id, function, expected, expected_text,
        welch_pvalue(n1, mean1, var1, n2, mean2, var2), null
    from cases where function = 'welch_pvalue'
    union all
    select
        case_id, function, expected, expected_text,
        case
            when level is null then welch_ci_lower(n1, mean1, var1, n2, mean2, var2)
            else welch_ci_lower(n1, mean1, var1, n2, mean2, var2, level)
        end,
        null
    from cases where function = 'welch_ci_lower'
    union all
    select
        case_id, function, expected, expected_text,
        case
            when level is null then welch_ci_upper(n1, mean1, var1, n2, mean2, var2)
            else welch_ci_upper(n1, mean1, var1, n2, mean2, var2, level)
        end,
        null
    from cases where function = 'welch_ci_upper'
    union all
    select
        case_id, function, expected, expected_text,
        case
            when alpha is null and power is null then required_n_two_prop(p_base, delta)
            when power is null then required_n_two_prop(p_base, delta, alpha)
            else required_n_two_prop(p_base, delta, alpha, power)
        end,
        null
    from cases where function = 'required_n_two_prop'
    union all
    select
        case_id, function, expected, expected_text,
        case
            when alpha is null then power_two_prop(p_base, delta, n1, n2)
            else power_two_prop(p_base, delta, n1, n2, alpha)
        end,
        null
    from cases where function = 'power_two_prop'
    union all
    select case_id, function, expected, expected_text, beta_quantile(a, b, q), null
    from cases where function = 'beta_quantile'
),

checked as (
    select
        case_id, function, expected, expected_text, got, got_text,
        case
            when expected_text is not null or got_text is not null
                then coalesce(got_text = expected_text, false)
            when expected is null or got is null then expected is null and got is null
            else abs(got - expected) <= 1e-9 * greatest(1.0, abs(expected))
        end as ok
    from results
)

select case_id, function, expected, expected_text, got, got_text, 'mismatch' as problem
from checked
where not ok
union all
select case_id, function, expected, expected_text, null, null, 'no check for this function'
from cases
where function not in (
    'wilson_lower', 'wilson_upper', 'diff_ci_lower', 'diff_ci_upper', 'two_prop_pvalue',
    'two_prop_method', 'welch_pvalue', 'welch_ci_lower', 'welch_ci_upper', 'required_n_two_prop',
    'power_two_prop', 'beta_quantile', 'bh_qvalues', 'thompson_p_best'
)
