-- One row per as-of date: the month's decision for the briefing. The data decides first
-- (mart_decision_state): abstain_hard holds everything back. Then the plan: publish needs
-- at least one Recommended-now action; a month whose data carries only a warning
-- (abstain_soft), or where nothing passed every check, is abstain_soft - nothing is
-- recommended, a pilot may be offered, and Considered and Watching are still shown.
-- Definitions: DECISIONLOG "Monthly plan: selection and safeguards".
with data_decision as (
    select as_of_date, decision_state, decision_reason, fired_flags
    from {{ ref('mart_decision_state') }}
),

plan as (
    select * from {{ ref('mart_action_plan') }}
),

lanes as (
    select
        sum(case when lane = 'recommended' then 1 else 0 end) as recommended_actions,
        sum(case when lane = 'pilot' then 1 else 0 end) as pilot_actions,
        sum(case when lane = 'backlog' then 1 else 0 end) as backlog_actions,
        sum(case when lane = 'watchlist' then 1 else 0 end) as watchlist_actions,
        sum(case when lane = 'considered' then 1 else 0 end) as considered_actions,
        max(case when lane = 'pilot' then play_id end) as pilot_play_id,
        max(case when lane = 'pilot' then title end) as pilot_title,
        max(case when lane = 'recommended' and lane_rank = 1 then title end) as first_recommended_title
    from plan
),

watching as (
    select count(*) as watching_items from {{ ref('mart_watching') }}
),

decided as (
    select
        data_decision.as_of_date,
        data_decision.decision_state as data_decision_state,
        data_decision.decision_reason as data_decision_reason,
        data_decision.fired_flags,
        lanes.*,
        watching.watching_items,
        case
            when data_decision.decision_state = 'abstain_hard' then 'abstain_hard'
            when data_decision.decision_state = 'abstain_soft' or lanes.recommended_actions = 0
                then 'abstain_soft'
            else 'publish'
        end as decision_state
    from data_decision
    cross join lanes
    cross join watching
)

select
    as_of_date,
    '{{ var("aura_brand") }}' as brand,
    decision_state,
    case
        when decision_state = 'abstain_hard' then 'data_checks_failed'
        when data_decision_state = 'abstain_soft' then 'data_warning'
        when decision_state = 'abstain_soft' then 'nothing_passed'
        else 'actions_recommended'
    end as decision_basis,
    data_decision_state,
    fired_flags,
    case
        when decision_state = 'abstain_hard' then
            data_decision_reason || ' Nothing is recommended this month; below is what was '
            || 'considered and what we are watching.'
        when data_decision_state = 'abstain_soft' then
            data_decision_reason || ' Nothing is recommended now'
            || case when pilot_title is not null
                then '; as a small test you can try "' || pilot_title || '".' else '.' end
        when decision_state = 'abstain_soft' then
            'No action passed every check this month, so nothing is recommended'
            || case when pilot_title is not null
                then '; as a small test you can try "' || pilot_title || '".' else '.' end
            || ' That is a valid answer: below is what was considered, why it did not fire, '
            || 'and what we are watching.'
        when recommended_actions = 1 then
            'One action passed every check and fits this month''s plan: "' || first_recommended_title || '".'
        else
            {{ metrics_count_text('recommended_actions') }}
            || ' actions passed every check and fit this month''s plan, starting with "'
            || first_recommended_title || '".'
    end as decision_reason,
    cast(recommended_actions as integer) as recommended_actions,
    cast(pilot_actions as integer) as pilot_actions,
    cast(backlog_actions as integer) as backlog_actions,
    cast(watchlist_actions as integer) as watchlist_actions,
    cast(considered_actions as integer) as considered_actions,
    cast(watching_items as integer) as watching_items,
    pilot_play_id
from decided
