-- One row per (launched action, customer): who each launched action was for and whether
-- they were held out - the group mart_action_outcomes measures and the send list the app
-- offers (treated members only). An action with a frozen audience (action_audience*
-- input, written by the app when the action was marked as launched) takes exactly those
-- customers and assignments; any other launched action takes its audience rebuilt as of
-- the launch date (int_action_audiences_rebuilt, which skips frozen actions). A frozen
-- audience whose action is not in the action log (or launched after the as-of date) is
-- not used. Definitions: DECISIONLOG "Measured outcomes".

with launches as (
    {{ tracking_launched_actions() }}
),

-- a customer listed twice for one action counts once, as first listed
frozen_rows as (
    select
        action_id,
        customer_key,
        is_holdout,
        email,
        phone,
        row_number() over (
            partition by action_id, customer_key
            order by source_file asc nulls last, source_row asc nulls last
        ) as listing_rank
    from {{ ref('stg_inputs__action_audience') }}
),

frozen as (
    select
        launches.action_id,
        launches.play_id,
        launches.variant_id,
        launches.channel,
        launches.launched_at,
        launches.launch_date,
        launches.measurement_end_at,
        launches.holdout_fraction,
        frozen_rows.customer_key,
        frozen_rows.email,
        frozen_rows.phone,
        frozen_rows.is_holdout,
        'frozen_at_launch' as audience_source
    from frozen_rows
    inner join launches on frozen_rows.action_id = launches.action_id
    where frozen_rows.listing_rank = 1
),

rebuilt as (
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
        is_holdout,
        'rebuilt_at_launch_date' as audience_source
    from {{ ref('int_action_audiences_rebuilt') }}  -- only actions without a frozen audience
)

select * from frozen
union all
select * from rebuilt
