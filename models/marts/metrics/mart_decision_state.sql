-- One row per as-of date: whether this month's plan may be published, from the
-- data-quality checks. abstain_hard when a hard check fired or could not be computed
-- (a plan is published only when every hard check ran and passed), else abstain_soft
-- when a soft check fired, else publish. Advisory, consistency and info checks are
-- shown with the plan, never decisive. The reason is plain English for brand teams.
{%- set catalog = metrics_flag_catalog() %}

with flags as (
    select * from {{ ref('mart_data_quality_flags') }}
),

summary as (
    select
        max(as_of_date) as as_of_date,
        sum(case when severity = 'hard' and fired then 1 else 0 end) as hard_flags_fired,
        sum(case when severity = 'hard' and fired is null then 1 else 0 end) as hard_flags_not_evaluated,
        sum(case when severity = 'soft' and fired then 1 else 0 end) as soft_flags_fired,
        sum(case when fired then 1 else 0 end) as flags_fired,
        {%- for flag in catalog %}
        max(case when flag_code = '{{ flag.code }}' and fired then 1 else 0 end) as fired_{{ flag.code }},
        max(case when flag_code = '{{ flag.code }}' and fired is null then 1 else 0 end) as unknown_{{ flag.code }},
        max(case when flag_code = '{{ flag.code }}' then brand_message end) as message_{{ flag.code }}
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from flags
),

decided as (
    select
        *,
        case
            when hard_flags_fired > 0 or hard_flags_not_evaluated > 0 then 'abstain_hard'
            when soft_flags_fired > 0 then 'abstain_soft'
            else 'publish'
        end as decision_state
    from summary
)

select
    as_of_date,
    decision_state,
    concat_ws(','
        {%- for flag in catalog %},
        case when fired_{{ flag.code }} = 1 then '{{ flag.code }}' end
        {%- endfor %}
    ) as fired_flags,
    concat_ws(','
        {%- for flag in catalog if flag.severity == 'hard' %},
        case when unknown_{{ flag.code }} = 1 then '{{ flag.code }}' end
        {%- endfor %}
    ) as hard_flags_not_evaluated_list,
    flags_fired,
    hard_flags_fired,
    hard_flags_not_evaluated,
    soft_flags_fired,
    case decision_state
        when 'abstain_hard' then concat_ws(' ',
            'The plan for this month is on hold.'
            {%- for flag in catalog if flag.severity == 'hard' %},
            case when fired_{{ flag.code }} = 1 then message_{{ flag.code }} end
            {%- endfor %},
            case when hard_flags_not_evaluated > 0
                then 'Some of the checks that must pass before a plan is published could not be run on this data.'
            end)
        when 'abstain_soft' then concat_ws(' ',
            'The plan for this month is held back as a precaution.'
            {%- for flag in catalog if flag.severity == 'soft' %},
            case when fired_{{ flag.code }} = 1 then message_{{ flag.code }} end
            {%- endfor %})
        else 'The data passed every check that could hold the plan back, so the plan for this month is published.'
    end as decision_reason
from decided
