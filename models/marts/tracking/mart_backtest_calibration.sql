-- One row per (check, subject): how the engine's predictions at past month-ends held up
-- over the next 28 days (mart_backtest_predictions, summarised). baseline_net_sales: one
-- row per baseline source (4 x L7, L28, L56 / 2) and the engine's own pick - months, mean
-- absolute percentage error and bias (mean signed percentage error; positive = the
-- baseline was too high); a baseline has no range, so coverage is NULL with a reason.
-- audience_conversion_rate and audience_aov: one row per play and one for all plays
-- together ('all_plays', pooling every evaluated (month, play) row) - coverage of the
-- p10-p90 range (a calibrated 80% range holds about 80% of the actuals), mean absolute
-- error and bias. Every subject has a row, with NULL and a reason where nothing could be
-- evaluated; `summary` says it in one plain-English line for the app.
-- Definitions: DECISIONLOG "Backtests".
{{ config(enabled=backtest_enabled()) }}
{%- set level = backtest_interval_level() %}
{%- set horizon = backtest_horizon_days() %}
{%- set string = dbt.type_string() %}

with predictions as (
    select * from {{ ref('mart_backtest_predictions') }}
),

as_of as (
    select {{ aura_as_of_date() }} as as_of_date
),

history as (
    select
        count(distinct month_end_date) as month_ends,
        min(month_end_date) as first_month_end_date,
        max(month_end_date) as last_month_end_date
    from predictions
),

-- every subject, whether or not it has rows: the baselines, all plays, each play
subjects as (
    {%- for label, days, _ in metrics_baseline_sources() %}
    select 'baseline_net_sales' as check_name, 1 as check_order, '{{ label }}' as subject,
        {{ loop.index + 1 }} as subject_order,
        {{ forecast_baseline_label("'" ~ label ~ "'") }} as subject_label
    union all
    {%- endfor %}
    select 'baseline_net_sales' as check_name, 1 as check_order, 'engine choice' as subject,
        1 as subject_order, 'the engine''s own pick' as subject_label
    {%- for check, order in [('audience_conversion_rate', 2), ('audience_aov', 3)] %}
    union all
    select '{{ check }}' as check_name, {{ order }} as check_order, 'all_plays' as subject,
        1 as subject_order, 'all audiences together' as subject_label
    union all
    select '{{ check }}' as check_name, {{ order }} as check_order, tests.play_id as subject,
        1 + dense_rank() over (order by tests.play_id asc nulls last) as subject_order,
        coalesce(playbooks.title, tests.play_id) as subject_label
    from {{ ref('play_tests') }} as tests
    left join {{ ref('playbooks') }} as playbooks on playbooks.play_id = tests.play_id
    {%- endfor %}
),

-- each prediction under its own subject and, for audiences, under all_plays too
scoped as (
    select check_name, subject, predictions.*
    from predictions
    union all
    select check_name, 'all_plays' as subject, predictions.*
    from predictions
    where check_name in ('audience_conversion_rate', 'audience_aov')
),

summed as (
    select
        scoped.check_name,
        scoped.subject,
        count(*) as backtest_rows,
        cast(sum(case when scoped.null_reason is null then 1 else 0 end) as bigint) as evaluated_rows,
        cast(sum(case when scoped.is_actual_within_p10_p90 is not null then 1 else 0 end) as bigint)
            as rows_with_range,
        cast(sum(case when scoped.is_actual_within_p10_p90 then 1 else 0 end) as bigint) as within_range_rows,
        avg(scoped.no_change_coverage) as no_change_coverage,
        avg(case when scoped.null_reason is null then scoped.abs_error end) as mean_abs_error,
        avg(case when scoped.null_reason is null then scoped.error end) as mean_error,
        cast(sum(case when scoped.pct_error is not null then 1 else 0 end) as bigint) as pct_error_rows,
        avg(abs(scoped.pct_error)) as mean_abs_pct_error,
        avg(scoped.pct_error) as mean_pct_error,
        cast(sum(case when scoped.null_reason is null and scoped.launched_actions > 0 then 1 else 0 end)
            as bigint) as evaluated_rows_with_launches
    from scoped
    group by scoped.check_name, scoped.subject
),

-- how often the window policy picked each source (the engine-choice row)
engine_counts as (
    select
        engine_source,
        count(*) as month_ends,
        row_number() over (order by count(*) desc nulls last, engine_source asc nulls last) as pick_rank,
        count(*) over () as sources,
        sum(count(*)) over () as all_month_ends
    from predictions
    where check_name = 'baseline_net_sales' and subject = 'engine choice'
    group by engine_source
),

engine_sources as (
    select
        {{ dbt.listagg("engine_source || ' at ' || " ~ metrics_int_text('month_ends'),
                       "'; '", "order by month_ends desc, engine_source") }} as engine_sources,
        {{ dbt.listagg(backtest_source_words('engine_source') ~ " || case when sources = 1 "
                       ~ "then ' at every month-end' when pick_rank = 1 then ' at ' || "
                       ~ metrics_int_text('month_ends') ~ " || ' of the ' || "
                       ~ metrics_int_text('all_month_ends') ~ " || ' month-ends' else ' at ' || "
                       ~ metrics_int_text('month_ends') ~ " end",
                       "', '", "order by month_ends desc, engine_source") }} as engine_sources_text
    from engine_counts
),

measured as (
    select
        subjects.check_name,
        subjects.check_order,
        subjects.subject,
        subjects.subject_order,
        subjects.subject_label,
        history.month_ends,
        history.first_month_end_date,
        history.last_month_end_date,
        coalesce(summed.backtest_rows, 0) as backtest_rows,
        coalesce(summed.evaluated_rows, 0) as evaluated_rows,
        coalesce(summed.rows_with_range, 0) as rows_with_range,
        coalesce(summed.within_range_rows, 0) as within_range_rows,
        case when summed.rows_with_range > 0
            then cast(summed.within_range_rows as double) / summed.rows_with_range end as coverage_p10_p90,
        case when subjects.check_name <> 'baseline_net_sales' then {{ level }} end as target_coverage,
        summed.no_change_coverage,
        case
            when subjects.check_name = 'baseline_net_sales' then 'baseline_has_no_range'
            when coalesce(summed.evaluated_rows, 0) = 0 then 'no_rows_evaluated'
            when summed.rows_with_range = 0 then 'no_range_computed'
        end as coverage_null_reason,
        case when subjects.check_name = 'audience_conversion_rate' then 'share' else 'store currency' end
            as error_unit,
        summed.mean_abs_error,
        summed.mean_error,
        coalesce(summed.pct_error_rows, 0) as pct_error_rows,
        summed.mean_abs_pct_error,
        summed.mean_pct_error,
        case when subjects.check_name <> 'baseline_net_sales'
            then coalesce(summed.evaluated_rows_with_launches, 0) end as evaluated_rows_with_launches,
        case when subjects.subject = 'engine choice' then engine_sources.engine_sources end as engine_sources,
        engine_sources.engine_sources_text,
        case
            when coalesce(history.month_ends, 0) = 0 then 'no_month_ends'
            when coalesce(summed.evaluated_rows, 0) = 0 then 'no_rows_evaluated'
        end as summary_null_reason
    from subjects
    cross join history
    cross join engine_sources
    left join summed
        on subjects.check_name = summed.check_name
        and subjects.subject = summed.subject
)

select
    as_of.as_of_date,
    measured.check_name,
    measured.check_order,
    measured.subject,
    measured.subject_order,
    measured.subject_label,
    measured.month_ends,
    measured.first_month_end_date,
    measured.last_month_end_date,
    measured.backtest_rows,
    measured.evaluated_rows,
    measured.rows_with_range,
    measured.within_range_rows,
    measured.coverage_p10_p90,
    measured.target_coverage,
    measured.no_change_coverage,
    measured.coverage_null_reason,
    measured.error_unit,
    measured.mean_abs_error,
    measured.mean_error,
    measured.pct_error_rows,
    measured.mean_abs_pct_error,
    measured.mean_pct_error,
    measured.evaluated_rows_with_launches,
    measured.engine_sources,
    measured.summary_null_reason,
    {{ backtest_summary('measured', horizon) }} as summary
from measured
cross join as_of
