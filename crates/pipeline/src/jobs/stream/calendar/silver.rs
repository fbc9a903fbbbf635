//! Silver: per day in the user's zone, computed from `bronze/calendar_events` (the temp view
//! `calendar_events`) after every merge that changed it, and synced into each table by key
//! (only rows whose content changed are written; see [`super::sync_table`]).
//!
//! Definitions (all on local wall-clock times; an event is attributed to the day it starts on):
//! - **busy**: a timed event that blocks time (not transparent, not cancelled, not declined by
//!   the user); a **meeting** is a busy event with someone besides the user (at least two
//!   participants, organizer included, decliners excluded); a **1-on-1** has exactly two.
//! - **back-to-back run**: meetings following each other with at most [`BACK_TO_BACK_GAP`]
//!   minutes between one's end and the next one's start; runs of two or more count.
//! - **conflict**: two busy events that overlap, both named (the earlier-starting one first).
//! - **free block**: time within working hours not covered by any busy event; the lunch slot
//!   (12:00–14:00) is free when a free block covers at least [`LUNCH_MINUTES`] of it, or the
//!   user's own lunch block does (a busy event with no one else titled [`LUNCH_BLOCK_TITLE`],
//!   as the optimiser writes it: the user's lunch is held, not gone).
//! - **travel**: two consecutive busy events at different physical locations (not a video or
//!   phone link); it is tight when less than [`TRAVEL_MINUTES`] separate them.
//! - **participants**: everyone in the day's meetings but the user; an organisation is a
//!   participant's e-mail domain, lower case — the same domain the mail pipeline gives a sender
//!   — and external when it is not the user's own.

use spark_client::{DataFrame, SparkSession};

use crate::jobs::enrich::delta::cache_view;
use crate::Result;

pub use mindy_core::calendar::day::{
    parse_working_hours, WorkingHours, BACK_TO_BACK_GAP, LUNCH_BLOCK_TITLE, LUNCH_MINUTES,
    TRAVEL_MINUTES,
};

/// Busy events with their day and wall-clock span (clipped at the day's end).
const BUSY: &str = "
CREATE OR REPLACE TEMP VIEW calendar_busy AS
SELECT id, summary, location, location_kind, local_date AS date, local_start AS s,
       least(local_end, CAST(date_add(local_date, 1) AS TIMESTAMP_NTZ)) AS e,
       is_meeting, is_one_on_one, participants, self_address
FROM calendar_events WHERE busy AND local_date IS NOT NULL
";

/// One row per pair of overlapping busy events.
const CONFLICTS: &str = "
SELECT a.date, a.id AS first_id, a.summary AS first_summary, a.s AS first_start, a.e AS first_end,
       b.id AS second_id, b.summary AS second_summary, b.s AS second_start, b.e AS second_end,
       greatest(a.s, b.s) AS overlap_start, least(a.e, b.e) AS overlap_end,
       CAST(timestampdiff(MINUTE, greatest(a.s, b.s), least(a.e, b.e)) AS INT) AS overlap_minutes
FROM calendar_busy a JOIN calendar_busy b
  ON a.date = b.date AND (a.s < b.s OR (a.s = b.s AND a.id < b.id)) AND b.s < a.e AND a.s < b.e
";

/// One row per free block within working hours (`:work_start`, `:work_end` in minutes after
/// midnight), on every day that has an event.
const FREE_BLOCKS: &str = "
WITH b1 AS (
  SELECT date, s, e, max(e) OVER (PARTITION BY date ORDER BY s, e ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end
  FROM calendar_busy
),
b2 AS (
  SELECT *, sum(CASE WHEN prev_end IS NULL OR s > prev_end THEN 1 ELSE 0 END)
              OVER (PARTITION BY date ORDER BY s, e ROWS UNBOUNDED PRECEDING) AS block
  FROM b1
),
blocks AS (SELECT date, min(s) AS s, max(e) AS e FROM b2 GROUP BY date, block),
bounds AS (
  SELECT DISTINCT local_date AS date,
    CAST(local_date AS TIMESTAMP_NTZ) + make_dt_interval(0, 0, :work_start, 0) AS ws,
    CAST(local_date AS TIMESTAMP_NTZ) + make_dt_interval(0, 0, :work_end, 0) AS we
  FROM calendar_events WHERE local_date IS NOT NULL
),
clipped AS (
  SELECT b.date, greatest(k.s, b.ws) AS s, least(k.e, b.we) AS e, b.ws, b.we
  FROM bounds b JOIN blocks k ON k.date = b.date
  WHERE least(k.e, b.we) > greatest(k.s, b.ws)
),
gaps AS (
  SELECT date, coalesce(lag(e) OVER (PARTITION BY date ORDER BY s), ws) AS gs, s AS ge FROM clipped
  UNION ALL
  SELECT date, max(e), max(we) FROM clipped GROUP BY date
  UNION ALL
  SELECT b.date, b.ws, b.we FROM bounds b LEFT ANTI JOIN clipped c ON c.date = b.date
)
SELECT date, gs AS block_start, ge AS block_end,
       CAST(timestampdiff(MINUTE, gs, ge) AS INT) AS minutes,
       CAST(greatest(0, timestampdiff(MINUTE,
            greatest(gs, CAST(date AS TIMESTAMP_NTZ) + INTERVAL 12 HOURS),
            least(ge, CAST(date AS TIMESTAMP_NTZ) + INTERVAL 14 HOURS))) AS INT) AS lunch_minutes
FROM gaps WHERE ge > gs
";

/// One row per move between two physical locations.
const TRAVEL: &str = "
WITH phys AS (
  SELECT *, lag(id) OVER w AS prev_id, lag(summary) OVER w AS prev_summary,
         lag(location) OVER w AS prev_location, lag(e) OVER w AS prev_end
  FROM calendar_busy WHERE location_kind = 'physical'
  WINDOW w AS (PARTITION BY date ORDER BY s, id)
)
SELECT date, prev_id AS from_id, prev_summary AS from_summary, prev_location AS from_location,
       prev_end AS from_end, id AS to_id, summary AS to_summary, location AS to_location, s AS to_start,
       CAST(timestampdiff(MINUTE, prev_end, s) AS INT) AS gap_minutes,
       timestampdiff(MINUTE, prev_end, s) < :travel AS tight
FROM phys WHERE prev_id IS NOT NULL AND lower(trim(prev_location)) <> lower(trim(location))
";

/// One row per meeting and participant, with the participant's organisation.
const ATTENDEES: &str = "
WITH people AS (
  SELECT id, local_date, starts_at, summary, self_address,
    inline(filter(concat(
      array(named_struct('address', organizer.address, 'name', organizer.name,
            'is_self', organizer.is_self, 'is_organizer', true, 'response', CAST(NULL AS STRING))),
      transform(attendees, a -> named_struct('address', a.address, 'name', a.name,
            'is_self', a.is_self, 'is_organizer', a.address = organizer.address, 'response', a.response))),
      p -> p.address IS NOT NULL))
  FROM calendar_events WHERE is_meeting
)
SELECT id, address, first(local_date) AS date, first(starts_at) AS starts_at, first(summary) AS summary,
       max(name) AS name, max(is_self) AS is_self, max(is_organizer) AS is_organizer,
       max(response) AS response,
       lower(substring_index(address, '@', -1)) AS org_domain,
       first(self_address) IS NOT NULL
         AND lower(substring_index(address, '@', -1)) <> lower(substring_index(first(self_address), '@', -1)) AS is_external
FROM people GROUP BY id, address
";

/// One row per day with an event, over the views `calendar_busy`, `calendar_free_blocks_next`,
/// `calendar_conflicts_next`, `calendar_travel_next` and `calendar_attendees_next`.
const DAYS: &str = "
WITH days AS (
  SELECT local_date AS date, count_if(all_day) AS all_day_events FROM calendar_events
  WHERE local_date IS NOT NULL GROUP BY local_date
),
meetings AS (SELECT * FROM calendar_busy WHERE is_meeting),
m AS (
  SELECT date, count(*) AS meeting_count,
         CAST(sum(timestampdiff(MINUTE, s, e)) AS INT) AS meeting_minutes,
         min(s) AS first_start, max(e) AS last_end, count_if(is_one_on_one) AS one_on_one_count,
         count(DISTINCT CASE WHEN location_kind = 'physical' THEN lower(trim(location)) END) AS location_count,
         concat_ws('; ', array_sort(collect_set(CASE WHEN location_kind = 'physical' THEN location END))) AS locations
  FROM meetings GROUP BY date
),
busy AS (
  SELECT date, CAST(sum(minutes) AS INT) AS busy_minutes FROM (
    SELECT date, timestampdiff(MINUTE, min(s), max(e)) AS minutes FROM (
      SELECT *, sum(CASE WHEN prev_end IS NULL OR s > prev_end THEN 1 ELSE 0 END)
                  OVER (PARTITION BY date ORDER BY s, e ROWS UNBOUNDED PRECEDING) AS block
      FROM (SELECT date, s, e, max(e) OVER (PARTITION BY date ORDER BY s, e
                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end FROM calendar_busy)
    ) GROUP BY date, block
  ) GROUP BY date
),
r1 AS (
  SELECT date, id, s, e, max(e) OVER (PARTITION BY date ORDER BY s, e, id
         ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end
  FROM meetings
),
r2 AS (
  SELECT *, sum(CASE WHEN prev_end IS NULL OR s > prev_end + make_dt_interval(0, 0, :b2b, 0) THEN 1 ELSE 0 END)
              OVER (PARTITION BY date ORDER BY s, e, id ROWS UNBOUNDED PRECEDING) AS run
  FROM r1
),
runs AS (
  SELECT date, count(*) AS meetings, min(s) AS s, max(e) AS e FROM r2 GROUP BY date, run
),
run_stats AS (
  SELECT date, count_if(meetings >= 2) AS back_to_back_runs,
         max_by(named_struct('minutes', CAST(timestampdiff(MINUTE, s, e) AS INT), 's', s, 'e', e, 'meetings', meetings),
                CASE WHEN meetings >= 2 THEN timestampdiff(MINUTE, s, e) END) AS longest
  FROM runs GROUP BY date
),
free AS (
  SELECT date, CAST(sum(minutes) AS INT) AS free_minutes, max(minutes) AS longest_free_minutes,
         max(lunch_minutes) >= :lunch AS lunch_free
  FROM calendar_free_blocks_next GROUP BY date
),
lunch_blocks AS (
  SELECT date, max(timestampdiff(MINUTE,
           greatest(s, CAST(date AS TIMESTAMP_NTZ) + INTERVAL 12 HOURS),
           least(e, CAST(date AS TIMESTAMP_NTZ) + INTERVAL 14 HOURS))) >= :lunch AS lunch_held
  FROM calendar_busy
  WHERE NOT coalesce(is_meeting, false) AND lower(trim(summary)) = lower(:lunch_title)
  GROUP BY date
),
conflicts AS (SELECT date, count(*) AS conflict_count FROM calendar_conflicts_next GROUP BY date),
travel AS (
  SELECT date, count(*) AS travel_count, count_if(tight) AS tight_travel_count
  FROM calendar_travel_next GROUP BY date
),
people AS (
  SELECT date, count(DISTINCT CASE WHEN NOT coalesce(is_self, false) THEN address END) AS participant_count,
         count(DISTINCT CASE WHEN is_external THEN address END) AS external_participant_count,
         count(DISTINCT CASE WHEN is_external THEN org_domain END) AS organisation_count,
         concat_ws('; ', array_sort(collect_set(CASE WHEN is_external THEN org_domain END))) AS organisations
  FROM calendar_attendees_next GROUP BY date
)
SELECT d.date, date_format(d.date, 'EEEE') AS weekday,
  coalesce(m.meeting_count, 0) AS meeting_count,
  coalesce(m.meeting_minutes, 0) AS meeting_minutes,
  CAST(round(coalesce(m.meeting_minutes, 0) / 60.0, 2) AS DOUBLE) AS meeting_hours,
  m.first_start, m.last_end,
  coalesce(b.busy_minutes, 0) AS busy_minutes,
  :work_end - :work_start AS working_minutes,
  coalesce(f.free_minutes, 0) AS free_minutes,
  CAST(round(coalesce(f.free_minutes, 0) / 60.0, 2) AS DOUBLE) AS free_hours,
  coalesce(f.longest_free_minutes, 0) AS longest_free_minutes,
  coalesce(f.lunch_free, false) OR coalesce(l.lunch_held, false) AS lunch_free,
  coalesce(r.back_to_back_runs, 0) AS back_to_back_runs,
  coalesce(r.longest.minutes, 0) AS longest_back_to_back_minutes,
  r.longest.s AS longest_back_to_back_start,
  r.longest.e AS longest_back_to_back_end,
  coalesce(r.longest.meetings, 0) AS longest_back_to_back_meetings,
  coalesce(c.conflict_count, 0) AS conflict_count,
  coalesce(m.location_count, 0) AS location_count,
  nullif(m.locations, '') AS locations,
  coalesce(t.travel_count, 0) AS travel_count,
  coalesce(t.tight_travel_count, 0) AS tight_travel_count,
  coalesce(p.participant_count, 0) AS participant_count,
  coalesce(p.external_participant_count, 0) AS external_participant_count,
  coalesce(p.organisation_count, 0) AS organisation_count,
  nullif(p.organisations, '') AS organisations,
  coalesce(m.one_on_one_count, 0) AS one_on_one_count,
  d.all_day_events
FROM days d
LEFT JOIN m ON m.date = d.date
LEFT JOIN busy b ON b.date = d.date
LEFT JOIN run_stats r ON r.date = d.date
LEFT JOIN free f ON f.date = d.date
LEFT JOIN lunch_blocks l ON l.date = d.date
LEFT JOIN conflicts c ON c.date = d.date
LEFT JOIN travel t ON t.date = d.date
LEFT JOIN people p ON p.date = d.date
";

/// The silver tables' contents, as computed now (each registered as `<table>_next` too).
pub struct Silver {
    /// `calendar_days`.
    pub days: DataFrame,
    /// `calendar_conflicts`.
    pub conflicts: DataFrame,
    /// `calendar_free_blocks`.
    pub free_blocks: DataFrame,
    /// `calendar_travel`.
    pub travel: DataFrame,
    /// `calendar_attendees`.
    pub attendees: DataFrame,
}

/// The views [`compute`] caches: each is computed once per round and read both by its own
/// table's `MERGE` and by `calendar_days` (without the cache, every `MERGE` computed them again).
/// The caller drops them with [`CACHED_VIEWS`] when the round is done.
pub const CACHED_VIEWS: [&str; 4] = [
    "calendar_conflicts_next",
    "calendar_free_blocks_next",
    "calendar_travel_next",
    "calendar_attendees_next",
];

/// Computes the silver tables from the view `calendar_events`.
pub async fn compute(session: &SparkSession, hours: WorkingHours) -> Result<Silver> {
    session.sql(BUSY).await?;
    let [conflicts_view, free_blocks_view, travel_view, attendees_view] = CACHED_VIEWS;
    cache_view(session, session.sql(CONFLICTS).await?, conflicts_view).await?;
    let free_blocks = session
        .sql(FREE_BLOCKS)
        .arg("work_start", hours.start)
        .arg("work_end", hours.end)
        .await?;
    cache_view(session, free_blocks, free_blocks_view).await?;
    let travel = session.sql(TRAVEL).arg("travel", TRAVEL_MINUTES).await?;
    cache_view(session, travel, travel_view).await?;
    cache_view(session, session.sql(ATTENDEES).await?, attendees_view).await?;
    let conflicts = session.table(conflicts_view);
    let free_blocks = session.table(free_blocks_view);
    let travel = session.table(travel_view);
    let attendees = session.table(attendees_view);
    let days = session
        .sql(DAYS)
        .arg("work_start", hours.start)
        .arg("work_end", hours.end)
        .arg("b2b", BACK_TO_BACK_GAP)
        .arg("lunch", LUNCH_MINUTES)
        .arg("lunch_title", LUNCH_BLOCK_TITLE)
        .await?;
    Ok(Silver {
        days,
        conflicts,
        free_blocks,
        travel,
        attendees,
    })
}
