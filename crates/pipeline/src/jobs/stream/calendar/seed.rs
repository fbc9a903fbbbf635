//! The calendar's tables from an iCalendar document without Kafka, for tests that need them but
//! not the streaming path (which `tests/calendar.rs` covers end to end): the records
//! `mindy ingest ics` would send, through the validator's rules (as `mindy validate` forwards
//! them), then through the stream's own plans ([`super::plan`]) on a batch of Kafka-shaped rows
//! into `bronze/calendar_changes`, and one round ([`round`]) as `mindy stream --available-now`
//! ends it: merged into `bronze/calendar_events`, silver and gold recomputed as of a pinned day.
//!
//! The mail's counterpart is [`crate::jobs::enrich::seed`].

use chrono::{DateTime, Duration, NaiveDate, Utc};
use mindy_core::calendar::{rules, CalendarRecord, CalendarSource};
use mindy_core::config::LakeArgs;
use mindy_core::lake;
use spark_client::dataframe::SaveMode;
use spark_client::SparkSession;

use super::silver::WorkingHours;
use super::{merge, plan, recompute, CalendarPaths};
use crate::ical::{self, IcsOptions};
use crate::jobs::enrich::seed::kafka_batch;
use crate::{Error, Result};

/// Days before and after `now` whose occurrences are read (`mindy ingest ics`'s defaults).
const WINDOW_DAYS: i64 = 365;

/// The records `mindy ingest ics` sends for the document `text`, read as calendar
/// `calendar_id` at `now` (the owner inferred), as `mindy validate` forwards them: every
/// occurrence, then the read's snapshot. An event that cannot be read is an error here, not a
/// dead letter.
pub fn ics_records(
    text: &str,
    calendar_id: &str,
    now: DateTime<Utc>,
) -> Result<Vec<CalendarRecord>> {
    let options = IcsOptions {
        source: CalendarSource::Ics,
        calendar_id: calendar_id.to_string(),
        window: (
            now - Duration::days(WINDOW_DAYS),
            now + Duration::days(WINDOW_DAYS),
        ),
        owner: None,
        now,
    };
    let parsed = ical::parse(text, &options)
        .map_err(|e| Error::invalid(format!("calendar {calendar_id}: {e}")))?;
    if let Some(rejected) = parsed.rejected.first() {
        return Err(Error::invalid(format!(
            "calendar {calendar_id}: {} events could not be read, the first {}: {}",
            parsed.rejected.len(),
            rejected.source_ref,
            rejected.reason
        )));
    }
    parsed
        .records
        .iter()
        .chain(&parsed.snapshot)
        .map(|record| {
            rules::validate_at(&record.to_json(), now)
                .map_err(|r| Error::invalid(format!("calendar record {:?}: {r:?}", r.id)))
        })
        .collect()
}

/// Appends `records` to the changes table at `path` as the stream's calendar query writes them
/// (Kafka times are `kafka_time`). `session` is a calendar session ([`super::session`]), so a
/// table it creates has its change data feed on.
pub async fn write_changes(
    session: &SparkSession,
    records: &[CalendarRecord],
    path: &str,
    kafka_time: DateTime<Utc>,
) -> Result<()> {
    let values: Vec<Vec<u8>> = records.iter().map(CalendarRecord::to_json).collect();
    let batch = kafka_batch(&values, 0, kafka_time)?;
    let kafka = session.create_dataframe(&[batch])?;
    plan::changes(&plan::parse(&kafka))
        .write()
        .format("delta")
        .mode(SaveMode::Append)
        .save(path.to_string())
        .await?;
    Ok(())
}

/// One round over the changes table under `lake`: merged into the events table, then every
/// silver and gold table recomputed as of `as_of` and synced; returns the rows written per
/// table. `session` is a calendar session ([`super::session`]).
pub async fn round(
    session: &SparkSession,
    lake: &LakeArgs,
    timezone: &str,
    hours: WorkingHours,
    as_of: NaiveDate,
    direct_reports: &[String],
) -> Result<Vec<(&'static str, i64)>> {
    let paths = CalendarPaths {
        lake: lake.clone(),
        checkpoints: String::new(),
    };
    merge::round(
        session,
        &paths.of(&lake::BRONZE_CALENDAR_CHANGES),
        &paths.of(&lake::BRONZE_CALENDAR_EVENTS),
        timezone,
    )
    .await?;
    recompute(session, &paths, hours, as_of, direct_reports).await
}
