{#- Benjamini-Hochberg q-values in portable SQL (window functions only), the same numbers as
    the UDF bh_qvalues(list) (python_udfs). Renders a SELECT: use it as a CTE body or a
    subquery. A q-value is a suffix minimum over ranked p-values, a window over a window,
    so it cannot be one column expression; the two window levels are nested selects here.

    with tests as (select candidate_id, window_id, p_value from ...),
    adjusted as (
        {{ aura_bh_qvalues('tests', 'p_value', partition_by=['window_id'],
                           columns=['candidate_id', 'window_id', 'p_value']) }}
    )
    select * from adjusted

    relation      a ref()/source() (its columns are read when `columns` is not given) or the
                  name of a CTE (then `columns` is required)
    p_column      the p-value column
    partition_by  columns; one family of tests per distinct value (default: one family)
    q_column      name of the output column (default q_value)
    columns       columns to carry through (default: all columns of `relation`)

    NULL p-values get a NULL q-value and do not count in m. A family holding a p-value
    outside [0, 1] gets NULL q-values throughout. -#}
{% macro aura_bh_qvalues(relation, p_column, partition_by=[], q_column='q_value', columns=none) -%}
    {%- if columns is none -%}
        {%- if relation is string -%}
            {{ exceptions.raise_compiler_error(
                "aura_bh_qvalues: pass columns=[...] when relation is a CTE name ('" ~ relation ~ "')") }}
        {%- elif execute -%}
            {%- set columns = adapter.get_columns_in_relation(relation) | map(attribute='name') | list -%}
        {%- else -%}
            {%- set columns = [] -%}
        {%- endif -%}
    {%- endif -%}
    {%- set inner_partition -%}
        {%- if partition_by | length > 0 %}partition by {{ partition_by | join(', ') }}{% endif -%}
    {%- endset -%}
    {%- set outer_partition -%}
        {%- if partition_by | length > 0 -%}
            partition by {% for _ in partition_by %}aura_bh.aura_bh_part_{{ loop.index }}{{ ', ' if not loop.last }}{% endfor %}
        {%- endif -%}
    {%- endset -%}
select
    {%- for column in columns %}
    aura_bh.{{ column }},
    {%- endfor %}
    case
        when aura_bh.aura_bh_invalid > 0 or aura_bh.aura_bh_p is null then cast(null as double)
        else least(cast(1 as double), min(aura_bh.aura_bh_raw) over (
            {{ outer_partition }} order by aura_bh.aura_bh_p desc nulls last
            range between unbounded preceding and current row))
    end as {{ q_column }}
from (
    select
        {%- for column in columns %}
        {{ column }},
        {%- endfor %}
        {%- for column in partition_by %}
        {{ column }} as aura_bh_part_{{ loop.index }},
        {%- endfor %}
        cast({{ p_column }} as double) as aura_bh_p,
        {#- p / (r / m), r = number of p-values <= p (the rank of the last of tied p-values);
            the same operations, in the same order, as the UDF, so both give identical doubles. #}
        cast({{ p_column }} as double) / (
            cast(count({{ p_column }}) over (
                {{ inner_partition }} order by {{ p_column }} asc nulls last
                range between unbounded preceding and current row) as double)
            / cast(count({{ p_column }}) over ({{ inner_partition }}) as double)) as aura_bh_raw,
        sum(case when {{ p_column }} < 0 or {{ p_column }} > 1 then 1 else 0 end)
            over ({{ inner_partition }}) as aura_bh_invalid
    from {{ relation }}
) as aura_bh
{%- endmacro %}
