//! `mindy lake retain`: the raw data the lake keeps, and for how long.
//!
//! Bronze holds every email as it arrived, body included; the quarantine tables hold the raw
//! values that were refused. Rows older than the retention (default 365 days, so a year-on-year
//! comparison still has its data) are deleted from these tables. The derived tables (silver
//! facts and insights, gold) keep what was computed from them; an enricher pass does not restage
//! a deleted email, because it stages bronze rows that are not yet in `silver/email_facts`.
//!
//! Deleting from bronze is a change the silver stream must not choke on: its Delta source skips
//! commits that only remove rows (`skipChangeCommits`, see `jobs::stream`).

use chrono::{DateTime, Days, NaiveDate, Utc};
use chrono_tz::Tz;
use clap::Args;
use spark_client::rows::Rows;
use spark_client::SparkSession;

use super::LakeTargets;
use crate::jobs::batch::delta::{quoted_path, retry_conflicts};
use crate::jobs::delta_log;
use crate::{Error, Result};
use mindy_core::lake::{self, LakeTable};

/// What makes a row of a table old.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Age {
    /// A `DATE` column holding the row's day in the user's zone (a partition column).
    Day(&'static str),
    /// A `TIMESTAMP` column.
    Instant(&'static str),
}

/// The tables retention applies to, and the column that dates their rows.
pub const RETAINED: &[(LakeTable, Age)] = &[
    (lake::BRONZE_EMAILS, Age::Day("event_date")),
    (lake::EMAILS_QUARANTINE, Age::Instant("quarantined_at")),
    (lake::CALENDAR_QUARANTINE, Age::Instant("quarantined_at")),
];

/// Settings of `mindy lake retain`.
#[derive(Debug, Clone, Args)]
pub struct RetainConfig {
    /// Days of raw data kept: rows dated before the day that many days before today (in
    /// `USER_TIMEZONE`) are deleted.
    #[arg(long, env = "MINDY_LAKE_RETENTION_DAYS", default_value_t = 365)]
    pub days: u32,
    /// Count what would be deleted without deleting it.
    #[arg(long)]
    pub dry_run: bool,
    /// The user's IANA timezone (where a day starts).
    #[arg(long, env = "USER_TIMEZONE", default_value = "UTC")]
    pub timezone: Tz,
    /// The tables (every retained table when none), Spark and the lake.
    #[command(flatten)]
    pub targets: LakeTargets,
}

/// The first day kept, and the instant it starts, for `days` of retention on `today`.
///
/// # Errors
/// [`Error::invalid`] for a retention of 0 days (it would delete today's mail as it arrives).
pub fn cutoff(today: NaiveDate, days: u32, zone: Tz) -> Result<(NaiveDate, DateTime<Utc>)> {
    if days == 0 {
        return Err(Error::invalid(
            "a retention of 0 days would delete mail as it arrives; use at least 1",
        ));
    }
    let first_kept = today
        .checked_sub_days(Days::new(u64::from(days)))
        .ok_or_else(|| Error::invalid(format!("a retention of {days} days is out of range")))?;
    let start = first_kept
        .and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_local_timezone(zone)
        .earliest()
        // A zone that skips midnight on that day (a DST change at 00:00) starts it at 01:00.
        .or_else(|| {
            first_kept
                .and_hms_opt(1, 0, 0)
                .and_then(|t| t.and_local_timezone(zone).earliest())
        })
        .ok_or_else(|| Error::invalid(format!("{first_kept} has no midnight in {zone}")))?;
    Ok((first_kept, start.with_timezone(&Utc)))
}

/// The SQL condition that selects a table's rows older than the cutoff.
fn older_than(age: Age, first_kept: NaiveDate, start: DateTime<Utc>) -> String {
    match age {
        Age::Day(column) => format!("`{column}` < DATE '{first_kept}'"),
        Age::Instant(column) => {
            format!("`{column}` < timestamp_seconds({})", start.timestamp())
        }
    }
}

/// Runs `mindy lake retain`.
pub async fn run(config: &RetainConfig) -> Result<String> {
    let today = Utc::now().with_timezone(&config.timezone).date_naive();
    let (first_kept, start) = cutoff(today, config.days, config.timezone)?;
    let selected = config.targets.selected()?;
    let session = config.targets.session().await?;
    let mut lines = vec![format!(
        "keeping raw data from {first_kept} ({} days)",
        config.days
    )];
    for (table, age) in RETAINED.iter().filter(|(t, _)| selected.contains(t)) {
        let name = table.relative_path();
        let path = config.targets.lake.location(table);
        let condition = older_than(*age, first_kept, start);
        let line = match delete_older(&session, &path, &condition, config.dry_run).await? {
            None => format!("{name}: not created yet"),
            Some(n) if config.dry_run => format!("{name}: {n} rows would be deleted"),
            Some(n) => format!("{name}: {n} rows deleted"),
        };
        tracing::info!("{line}");
        lines.push(line);
    }
    Ok(lines.join("\n"))
}

/// Deletes the rows of the table at `path` matching `condition` (unless `dry_run`); returns how
/// many matched, `None` when there is no table yet.
async fn delete_older(
    session: &SparkSession,
    path: &str,
    condition: &str,
    dry_run: bool,
) -> Result<Option<i64>> {
    if delta_log::latest_version(session, path).await?.is_none() {
        return Ok(None);
    }
    let table = quoted_path(path);
    let count = Rows::new(
        session
            .sql(format!(
                "SELECT count(*) AS n FROM {table} WHERE {condition}"
            ))
            .await?
            .collect()
            .await?,
    );
    let n = match count.iter().next() {
        Some(row) => row.get::<i64>("n")?,
        None => 0,
    };
    if n > 0 && !dry_run {
        retry_conflicts("deleting old rows", || async {
            session
                .sql(format!("DELETE FROM {table} WHERE {condition}"))
                .await?
                .collect()
                .await?;
            Ok(())
        })
        .await?;
    }
    Ok(Some(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_cutoff_is_the_start_of_the_first_kept_day_in_the_users_zone() {
        let zone: Tz = "America/New_York".parse().unwrap();
        let (first, start) = cutoff(day("2026-11-30"), 365, zone).unwrap();
        assert_eq!(first, day("2025-11-30"));
        // Midnight in New York on 30 Nov 2025 (EST, UTC-5) is 05:00 UTC.
        assert_eq!(start.to_rfc3339(), "2025-11-30T05:00:00+00:00");
        assert!(cutoff(day("2026-11-30"), 0, zone).is_err());
    }

    #[test]
    fn a_day_that_skips_midnight_starts_at_one() {
        // Santiago's clocks go from 00:00 to 01:00 on 7 Sep 2025.
        let zone: Tz = "America/Santiago".parse().unwrap();
        let (first, start) = cutoff(day("2025-09-08"), 1, zone).unwrap();
        assert_eq!(first, day("2025-09-07"));
        assert_eq!(start.to_rfc3339(), "2025-09-07T04:00:00+00:00");
    }

    #[test]
    fn old_rows_are_selected_by_day_or_by_instant() {
        let start = "2025-11-30T05:00:00Z".parse().unwrap();
        assert_eq!(
            older_than(Age::Day("event_date"), day("2025-11-30"), start),
            "`event_date` < DATE '2025-11-30'"
        );
        assert_eq!(
            older_than(Age::Instant("quarantined_at"), day("2025-11-30"), start),
            "`quarantined_at` < timestamp_seconds(1764478800)"
        );
    }
}
