-- One row per (launched action, customer): the action's audience rebuilt as it was on the
-- launch date, and whether each member was held out. The audience is the launched play's
-- members at the start of the shop-local launch date (the rules of mart_audience_members,
-- macros/audience_members.sql, evaluated with that date as the as-of date on the orders
-- placed before it, so nothing after the launch leaks into who was targeted) who can be
-- reached by the action's channel: 'email' needs an email, 'sms' a phone, any other (or no)
-- channel takes every member. Held out iff aura_holdout_hash(action_id, holdout key) <
-- holdout_fraction (macros/holdout.sql; the same rule as aura/tracking/holdout.py).
-- Actions whose audience was frozen at launch (stg_inputs__action_audience) are not
-- rebuilt: mart_action_audience_members takes theirs as frozen. Definitions: DECISIONLOG
-- "Measured outcomes".
{%- set launches_sql = "select * from (" ~ tracking_launched_actions() ~ ") as logged"
    ~ " where not exists (select 1 from " ~ ref('stg_inputs__action_audience') ~ " as frozen"
    ~ " where frozen.action_id = logged.action_id)" %}

with launches as (
    {{ launches_sql }}
),

members as (
    {{ actions_audience_members(
        "select action_id as anchor_id, launch_date as as_of_date from ("
        ~ launches_sql ~ ") as launches", exclude_anchor_day=true) }}
),

reachable as (
    select
        launches.action_id,
        launches.play_id,
        launches.variant_id,
        launches.channel,
        launches.launched_at,
        launches.launch_date,
        launches.measurement_end_at,
        launches.holdout_fraction,
        members.customer_key,
        members.email,
        members.phone,
        members.accepts_marketing,
        {{ aura_holdout_key('members.customer_key') }} as holdout_key
    from members
    inner join launches
        on members.anchor_id = launches.action_id
        and members.play_id = launches.play_id
    where (lower(trim(launches.channel)) = 'email' and members.email is not null)
        or (lower(trim(launches.channel)) = 'sms' and members.phone is not null)
        or coalesce(lower(trim(launches.channel)), '') not in ('email', 'sms')
),

hashed as (
    select
        *,
        {{ aura_holdout_hash('action_id', 'holdout_key') }} as holdout_hash
    from reachable
)

select
    action_id,
    play_id,
    variant_id,
    channel,
    launched_at,
    launch_date,
    measurement_end_at,
    holdout_fraction,
    customer_key,
    email,
    phone,
    accepts_marketing,
    holdout_key,
    holdout_hash,
    holdout_hash < holdout_fraction as is_holdout
from hashed
