//! `bronze/calendar_changes` → `bronze/calendar_events` with Delta `MERGE`: the calendar as it
//! is now, one row per occurrence.
//!
//! A round reads the changes appended since the last merged version of the changes table (its
//! change data feed from that version; the whole table the first time), keeps the latest
//! version of each id (by `ingested_at`, then Kafka position), and
//! 1. upserts instances: a newer version replaces the row (only when its content differs, so an
//!    unchanged re-import writes nothing), a cancelled one deletes it, an older one is ignored;
//! 2. applies deletions that name no single row: a snapshot deletes the rows of its calendar
//!    starting in its window that were ingested before its read started and that its read did
//!    not deliver again (an unchanged re-import keeps its row), and a cancelled
//!    series (a cancellation without `recurrence_id`) deletes every occurrence of its event
//!    ingested before the cancellation.
//!
//! Both statements are idempotent (versions are compared, deletions only take what is older than
//! the deleter), so the merged version is recorded after them as a table property without a
//! transaction: a crash in between repeats a round harmlessly.
//!
//! Derived columns are computed here, in the user's zone: `starts_at`/`ends_at` (instants; an
//! all-day event spans the user's local midnights, a floating one is read in the user's zone),
//! `local_date`, `local_start`/`local_end` (wall-clock), the participants, whether the event
//! blocks time (`busy`), is a meeting, a 1-on-1, and whether its location is physical. A
//! participant who has not replied (no `PARTSTAT`: RFC 5545's default, `NEEDS-ACTION`) is
//! attending, and an event without an end (or ending where it starts) blocks no time; neither
//! leaves `busy` or `is_meeting` empty.

use spark_client::dataframe::SaveMode;
use spark_client::{DataFrame, SparkSession};

use crate::{Error, Result};
use spark_client::rows::Rows;

/// The table property holding the last changes version merged.
pub const MERGED_VERSION: &str = "mindy.calendar.changes_version";

/// Video-call and phone locations: a meeting there needs no travel.
pub const VIRTUAL_LOCATION: &str =
    r"(?i)(zoom|teams|meet\.google|google meet|webex|skype|hangout|https?://|dial-in|phone|call)";

/// The source rows of the upsert, over the temp view `calendar_batch` (changes not yet
/// merged), in bronze's column layout. `:tz` is the user's zone.
const UPSERT_SOURCE: &str = r"
WITH latest AS (
  SELECT * FROM (
    SELECT *, row_number() OVER (PARTITION BY id ORDER BY ingested_at DESC, kafka_partition DESC, kafka_offset DESC) AS version_rank
    FROM calendar_batch WHERE kind = 'instance'
  ) WHERE version_rank = 1
),
timed AS (
  SELECT *,
    CASE WHEN all_day THEN to_utc_timestamp(CAST(start_date AS TIMESTAMP), :tz)
         WHEN floating_start IS NOT NULL THEN to_utc_timestamp(CAST(floating_start AS TIMESTAMP), :tz)
         ELSE `start` END AS starts_at,
    CASE WHEN all_day THEN to_utc_timestamp(CAST(end_date AS TIMESTAMP), :tz)
         WHEN floating_end IS NOT NULL THEN to_utc_timestamp(CAST(floating_end AS TIMESTAMP), :tz)
         ELSE `end` END AS ends_at,
    filter(attendees, a -> a.is_self) AS self_rows
  FROM latest
),
people AS (
  SELECT *,
    array_distinct(filter(
      concat(array(organizer.address), transform(filter(attendees, a -> a.response IS NULL OR a.response <> 'declined'), a -> a.address)),
      x -> x IS NOT NULL)) AS participants,
    coalesce(self_rows[0].address, CASE WHEN organizer.is_self THEN organizer.address END) AS self_address,
    exists(self_rows, a -> a.response <=> 'declined') AS self_declined
  FROM timed
),
derived AS (
  SELECT *,
    NOT all_day AND NOT transparent AND status <> 'cancelled' AND NOT self_declined
      AND coalesce(ends_at > starts_at, false) AS busy
  FROM people
)
SELECT
  id, calendar_id, event_id, recurrence_id, source, status, summary, location, all_day,
  `start`, `end`, start_date, end_date, floating_start, floating_end, timezone, organizer, attendees,
  transparent, sequence, updated, ingested_at,
  starts_at, ends_at,
  CASE WHEN all_day THEN start_date ELSE to_date(from_utc_timestamp(starts_at, :tz)) END AS local_date,
  CAST(from_utc_timestamp(starts_at, :tz) AS TIMESTAMP_NTZ) AS local_start,
  CAST(from_utc_timestamp(ends_at, :tz) AS TIMESTAMP_NTZ) AS local_end,
  CAST((unix_timestamp(ends_at) - unix_timestamp(starts_at)) / 60 AS INT) AS duration_minutes,
  organizer.address AS organizer_address,
  organizer.name AS organizer_name,
  participants,
  size(participants) AS participant_count,
  self_address,
  recurrence_id IS NOT NULL AS recurring,
  busy,
  busy AND size(participants) >= 2 AS is_meeting,
  busy AND size(participants) = 2 AS is_one_on_one,
  CASE WHEN busy AND size(participants) = 2 AND self_address IS NOT NULL
       THEN filter(participants, p -> p <> self_address)[0] END AS counterpart_address,
  CASE WHEN location IS NULL THEN NULL
       WHEN location RLIKE :virtual THEN 'virtual' ELSE 'physical' END AS location_kind,
  sha2(to_json(struct(status, summary, location, all_day, `start`, `end`, start_date, end_date,
       floating_start, floating_end, timezone, organizer, attendees, transparent, sequence, updated,
       starts_at, ends_at)), 256) AS fingerprint,
  kafka_partition, kafka_offset,
  current_timestamp() AS merged_at
FROM derived
";

/// Upserts `calendar_upsert` (the view of [`UPSERT_SOURCE`]) into the events table.
const UPSERT: &str = "
MERGE INTO delta.`{events}` t
USING calendar_upsert s
ON t.id = s.id
WHEN MATCHED AND s.ingested_at >= t.ingested_at AND s.status = 'cancelled' THEN DELETE
WHEN MATCHED AND s.ingested_at >= t.ingested_at AND s.fingerprint <> t.fingerprint THEN UPDATE SET *
WHEN NOT MATCHED AND s.status <> 'cancelled' THEN INSERT *
";

/// Deletions that name no single row (module docs), over the view `calendar_batch`. A snapshot
/// keeps the ids its own read delivered (`kept`): an occurrence re-imported unchanged keeps its
/// older `ingested_at` (the upsert writes nothing for it) and must not count as stale.
const DELETE_STALE: &str = "
MERGE INTO delta.`{events}` t
USING (
  SELECT s.calendar_id, CAST(NULL AS STRING) AS event_id, s.window_start, s.window_end, s.before,
         collect_set(b.id) AS kept
  FROM (
    SELECT calendar_id, snapshot.window_start AS window_start, snapshot.window_end AS window_end,
           snapshot.started_at AS before
    FROM calendar_batch WHERE kind = 'snapshot'
  ) s
  LEFT JOIN calendar_batch b
    ON b.kind = 'instance' AND b.calendar_id = s.calendar_id AND b.ingested_at >= s.before
  GROUP BY s.calendar_id, s.window_start, s.window_end, s.before
  UNION ALL
  SELECT calendar_id, event_id, CAST(NULL AS TIMESTAMP), CAST(NULL AS TIMESTAMP), ingested_at,
         CAST(array() AS ARRAY<STRING>)
  FROM calendar_batch
  WHERE kind = 'instance' AND status = 'cancelled' AND recurrence_id IS NULL
) s
ON t.calendar_id = s.calendar_id
  AND (s.event_id IS NULL OR t.event_id = s.event_id)
  AND (s.window_start IS NULL OR t.starts_at >= s.window_start)
  AND (s.window_end IS NULL OR t.starts_at < s.window_end)
  AND t.ingested_at < s.before
  AND NOT array_contains(s.kept, t.id)
WHEN MATCHED THEN DELETE
";

/// What a round changed in the events table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Merged {
    /// Changes read.
    pub changes: i64,
    /// Rows inserted, updated or deleted.
    pub affected: i64,
}

/// Merges what the changes table holds beyond the last merged version into the events table;
/// `None` when there was nothing new (or no changes table yet).
pub async fn round(
    session: &SparkSession,
    changes_path: &str,
    events_path: &str,
    timezone: &str,
) -> Result<Option<Merged>> {
    let Some(version) = crate::jobs::delta_log::latest_version(session, changes_path).await? else {
        return Ok(None);
    };
    let merged = merged_version(session, events_path).await?;
    if merged.is_some_and(|m| m >= version) {
        return Ok(None);
    }
    let reader = session.read().format("delta");
    let batch = match merged {
        Some(from) => reader
            .option("readChangeFeed", "true")
            .option("startingVersion", from + 1)
            .option("endingVersion", version)
            .load_path(changes_path)
            .filter_expr("_change_type = 'insert'")
            .drop(["_change_type", "_commit_version", "_commit_timestamp"]),
        None => reader
            .option("versionAsOf", version)
            .load_path(changes_path),
    };
    batch.create_or_replace_temp_view("calendar_batch").await?;
    let source = session
        .sql(UPSERT_SOURCE)
        .arg("tz", timezone)
        .arg("virtual", VIRTUAL_LOCATION)
        .await?;
    source
        .create_or_replace_temp_view("calendar_upsert")
        .await?;
    ensure_table(&source, events_path).await?;
    let changes = count(session, "SELECT count(*) AS n FROM calendar_batch").await?;
    let upserted = affected(session, &UPSERT.replace("{events}", events_path)).await?;
    let deleted = affected(session, &DELETE_STALE.replace("{events}", events_path)).await?;
    session
        .sql(format!(
            "ALTER TABLE delta.`{events_path}` SET TBLPROPERTIES ('{MERGED_VERSION}' = '{version}')"
        ))
        .await?
        .collect()
        .await?;
    Ok(Some(Merged {
        changes,
        affected: upserted + deleted,
    }))
}

/// Creates the Delta table at `path` with `df`'s columns if it does not exist (change data feed
/// on, from the session's defaults; see [`super::CDF_DEFAULT`]).
pub async fn ensure_table(df: &DataFrame, path: &str) -> Result<()> {
    df.limit(0)
        .write()
        .format("delta")
        .mode(SaveMode::Ignore)
        .save(path.to_string())
        .await?;
    Ok(())
}

/// The changes version last merged into the events table, `None` before the first merge.
async fn merged_version(session: &SparkSession, events_path: &str) -> Result<Option<i64>> {
    if !super::super::table_exists(session, events_path).await {
        return Ok(None);
    }
    let Some(value) =
        crate::jobs::delta_log::table_property(session, events_path, MERGED_VERSION).await?
    else {
        return Ok(None);
    };
    value.parse().map(Some).map_err(|_| {
        Error::unexpected(
            "spark",
            format!("{MERGED_VERSION} = {value:?} is no version"),
        )
    })
}

/// Runs a DML statement; the rows it inserted, updated or deleted.
pub async fn affected(session: &SparkSession, statement: &str) -> Result<i64> {
    let result = session.sql(statement).await?.collect().await?;
    let rows = Rows::new(result);
    let affected = match rows.iter().next() {
        Some(row) => row.get::<Option<i64>>("num_affected_rows")?.unwrap_or(0),
        None => 0,
    };
    Ok(affected)
}

/// The single number a `SELECT count(*) AS n` returns.
pub async fn count(session: &SparkSession, query: &str) -> Result<i64> {
    let result = session.sql(query).await?.collect().await?;
    let rows = Rows::new(result);
    let n = rows
        .iter()
        .next()
        .map(|r| r.get::<Option<i64>>("n"))
        .transpose()?;
    Ok(n.flatten().unwrap_or(0))
}
