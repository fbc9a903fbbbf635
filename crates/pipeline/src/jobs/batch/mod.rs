//! `mindy batch …`: the daily batch jobs, each usable by hand and from Airflow's daily DAG
//! (`airflow/dags/daily_batch_dag.py`). A date D is a calendar day in `USER_TIMEZONE`, the same
//! day boundary as bronze's `event_date`. Every job is idempotent for its date, so Airflow's
//! retries and re-runs are safe.
//!
//! - [`quality`]: the share of day D's bronze records that are complete and valid.
//! - [`aggregate`]: day D's statistics into `<lake>/gold/daily_summary` (one partition per day).
//! - [`export`]: the gold rows of D into PostgreSQL, in one transaction.
//! - [`report`]: a summary email of the day's run over SMTP.
//! - [`backfill`]: quality, aggregate and export for a range of days, a chunk of days per Spark
//!   query.
//!
//! Two runs for the same day never collide, whoever starts them (the scheduler, a manual
//! trigger, a backfill, two people): each job holds the day's [`lock`] while it works, the gold
//! table is created before anything writes to it ([`aggregate::ensure_gold`]), and Delta's
//! concurrent-modification conflicts between days are retried with a short backoff
//! ([`delta::retry_conflicts`]).

pub mod aggregate;
pub mod backfill;
pub mod delta;
pub mod export;
pub mod lock;
pub mod quality;
pub mod report;

use chrono::NaiveDate;
use clap::{Args, Subcommand};
use spark_client::functions::{col, lit};
use spark_client::{DataFrame, SparkSession};

use crate::{Error, Result};
use mindy_core::config::{LakeArgs, SparkArgs};
use mindy_core::lake;

/// The batch subcommands.
#[derive(Debug, Subcommand)]
pub enum BatchCommand {
    /// Score day D's bronze records; exit 1 below the threshold.
    Quality(quality::QualityConfig),
    /// Compute day D's statistics into the gold layer.
    Aggregate(aggregate::AggregateConfig),
    /// Upsert day D's gold rows into PostgreSQL.
    Export(export::ExportConfig),
    /// Email a summary of day D's run.
    Report(report::ReportConfig),
    /// Quality, aggregate and export for every day from --from to --to.
    Backfill(backfill::BackfillConfig),
}

/// How a batch job ended; the binary maps it to the exit code Airflow acts on.
#[derive(Debug, PartialEq)]
pub enum Outcome {
    /// Done (exit 0).
    Done(String),
    /// The job ran but its check failed (exit 1; Airflow marks the task failed).
    Failed(String),
    /// Nothing to do (exit 99; Airflow marks the task skipped).
    Skipped(String),
}

/// An inclusive range of calendar days, in the user's timezone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Days {
    /// The first day.
    pub first: NaiveDate,
    /// The last day (not before `first`).
    pub last: NaiveDate,
}

impl Days {
    /// The range from `first` to `last`, both included; an error when `last` is before `first`.
    pub fn new(first: NaiveDate, last: NaiveDate) -> Result<Days> {
        if last < first {
            return Err(Error::invalid(format!(
                "the range {first}..{last} is empty: --to is before --from"
            )));
        }
        Ok(Days { first, last })
    }

    /// One day.
    pub fn one(date: NaiveDate) -> Days {
        Days {
            first: date,
            last: date,
        }
    }

    /// Number of days in the range.
    pub fn len(&self) -> usize {
        (self.last - self.first).num_days() as usize + 1
    }

    /// Never true: a range holds at least one day.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Every day, in order.
    pub fn iter(&self) -> impl Iterator<Item = NaiveDate> {
        self.first.iter_days().take(self.len())
    }

    /// The range cut into consecutive ranges of at most `size` days.
    pub fn chunks(&self, size: usize) -> Vec<Days> {
        let days: Vec<NaiveDate> = self.iter().collect();
        days.chunks(size.max(1))
            .map(|c| Days {
                first: c[0],
                last: c[c.len() - 1],
            })
            .collect()
    }
}

impl std::fmt::Display for Days {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.first == self.last {
            write!(f, "{}", self.first)
        } else {
            write!(f, "{}..{}", self.first, self.last)
        }
    }
}

/// Where the batch jobs work: Spark, the lake and the user's timezone.
#[derive(Debug, Clone, Args)]
pub struct BatchArgs {
    /// The user's IANA timezone (the day boundary and the hours of the day).
    #[arg(long, env = "USER_TIMEZONE", default_value = "UTC")]
    pub timezone: String,
    /// Spark Connect connection.
    #[command(flatten)]
    pub spark: SparkArgs,
    /// Data lake root.
    #[command(flatten)]
    pub lake: LakeArgs,
    /// The bronze version the jobs read (the newest when `None`). Not a flag here: only the jobs
    /// that read bronze (`quality`, `aggregate`, `backfill`) take `--as-of` ([`BronzeAsOf`]),
    /// and set it with [`BatchArgs::reading_bronze_as_of`]; `export` and `report` read gold.
    #[arg(skip)]
    pub as_of: Option<AsOf>,
}

/// `--as-of`, for the jobs that read bronze.
#[derive(Debug, Clone, Default, Args)]
pub struct BronzeAsOf {
    /// Read bronze as it was at this Delta version (a number) or time (RFC 3339, or
    /// `YYYY-MM-DD[ HH:MM:SS]` in UTC), for a reproducible rerun; the newest by default. No
    /// environment fallback: a pinned version left in the environment would freeze every run.
    #[arg(long, value_name = "VERSION|TIMESTAMP")]
    pub as_of: Option<AsOf>,
}

/// A table version to read: Delta's time travel (`versionAsOf` / `timestampAsOf`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AsOf {
    /// A commit version of the table's log.
    Version(i64),
    /// The version current at this instant (UTC).
    Timestamp(chrono::DateTime<chrono::Utc>),
}

impl std::str::FromStr for AsOf {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<AsOf, String> {
        let s = s.trim();
        if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
            return s
                .parse()
                .map(AsOf::Version)
                .map_err(|e| format!("version {s}: {e}"));
        }
        if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
            return Ok(AsOf::Timestamp(t.to_utc()));
        }
        for format in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"] {
            if let Ok(t) = chrono::NaiveDateTime::parse_from_str(s, format) {
                return Ok(AsOf::Timestamp(t.and_utc()));
            }
        }
        if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            return Ok(AsOf::Timestamp(
                d.and_time(chrono::NaiveTime::MIN).and_utc(),
            ));
        }
        Err(format!(
            "{s:?} is neither a table version (a number) nor a time (RFC 3339, or YYYY-MM-DD[ HH:MM:SS] in UTC)"
        ))
    }
}

impl std::fmt::Display for AsOf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AsOf::Version(v) => write!(f, "version {v}"),
            AsOf::Timestamp(t) => write!(
                f,
                "{}",
                t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ),
        }
    }
}

impl BatchArgs {
    /// Opens a Spark session.
    pub async fn session(&self) -> Result<SparkSession> {
        Ok(SparkSession::builder()
            .remote(&self.spark.remote)
            .build()
            .await?)
    }

    /// `<lake>/bronze/emails`.
    pub fn bronze_path(&self) -> String {
        self.lake.location(&lake::BRONZE_EMAILS)
    }

    /// `<lake>/gold/daily_summary`.
    pub fn gold_path(&self) -> String {
        self.lake.location(&lake::GOLD_DAILY_SUMMARY)
    }

    /// These settings, reading bronze as of `as_of` (the newest when it holds no version).
    pub fn reading_bronze_as_of(&self, as_of: &BronzeAsOf) -> BatchArgs {
        BatchArgs {
            as_of: as_of.as_of.clone(),
            ..self.clone()
        }
    }

    /// What a job's outcome adds when it read an earlier bronze: `" (bronze as of version 12)"`;
    /// empty when it read the newest.
    pub fn as_of_note(&self) -> String {
        self.as_of
            .as_ref()
            .map_or(String::new(), |a| format!(" (bronze as of {a})"))
    }

    /// The bronze rows of `days` (partition-pruned on `event_date`), as of [`BatchArgs::as_of`].
    pub fn bronze_days(&self, session: &SparkSession, days: Days) -> DataFrame {
        days_of(
            session,
            &self.bronze_path(),
            "event_date",
            days,
            self.as_of.as_ref(),
        )
    }

    /// The gold rows of `days` (partition-pruned on `date`), as they are now.
    pub fn gold_days(&self, session: &SparkSession, days: Days) -> DataFrame {
        days_of(session, &self.gold_path(), "date", days, None)
    }
}

fn days_of(
    session: &SparkSession,
    path: &str,
    date_column: &str,
    days: Days,
    as_of: Option<&AsOf>,
) -> DataFrame {
    let reader = session.read().format("delta");
    let reader = match as_of {
        None => reader,
        Some(AsOf::Version(v)) => reader.option("versionAsOf", v.to_string()),
        Some(AsOf::Timestamp(t)) => reader.option(
            "timestampAsOf",
            t.format("%Y-%m-%d %H:%M:%S%.3fZ").to_string(),
        ),
    };
    reader
        .load_path(path)
        .filter(col(date_column).between(lit(days.first), lit(days.last)))
}

/// The day a batch job works on, and where the lake and Spark are.
#[derive(Debug, Clone, Args)]
pub struct DayArgs {
    /// The calendar day (YYYY-MM-DD) in the user's timezone.
    #[arg(long)]
    pub date: NaiveDate,
    /// Spark, the lake and the timezone.
    #[command(flatten)]
    pub batch: BatchArgs,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `mindy batch …` as the binary parses it, every setting given as a flag.
    fn parse(args: &[&str]) -> std::result::Result<BatchCommand, clap::Error> {
        #[derive(clap::Parser)]
        struct Cli {
            #[command(subcommand)]
            command: BatchCommand,
        }
        let common = [
            "--date",
            "2026-11-02",
            "--database-url",
            "postgres://x@127.0.0.1/x",
            "--lake-root",
            "/tmp/lake",
        ];
        let argv = ["batch"].iter().chain(args).chain(&common);
        <Cli as clap::Parser>::try_parse_from(argv).map(|cli| cli.command)
    }

    #[test]
    fn only_the_jobs_that_read_bronze_take_as_of() {
        match parse(&["aggregate", "--as-of", "7"]).unwrap() {
            BatchCommand::Aggregate(c) => {
                assert_eq!(c.as_of.as_of, Some(AsOf::Version(7)));
                // The job reads bronze at that version through its BatchArgs.
                let batch = c.day.batch.reading_bronze_as_of(&c.as_of);
                assert_eq!(batch.as_of_note(), " (bronze as of version 7)");
            }
            other => panic!("{other:?}"),
        }
        match parse(&["quality", "--as-of", "2026-11-01"]).unwrap() {
            BatchCommand::Quality(c) => assert!(c.as_of.as_of.is_some()),
            other => panic!("{other:?}"),
        }
        // export and report read gold: the flag is refused, not silently ignored.
        for job in ["export", "report"] {
            let err = parse(&[job, "--as-of", "7"]).unwrap_err();
            assert_eq!(
                err.kind(),
                clap::error::ErrorKind::UnknownArgument,
                "{job}: {err}"
            );
        }
        match parse(&["export"]).unwrap() {
            BatchCommand::Export(c) => assert_eq!(c.day.batch.as_of, None),
            other => panic!("{other:?}"),
        }
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    #[test]
    fn a_range_holds_both_ends_and_refuses_to_run_backwards() {
        let days = Days::new(day(1), day(3)).unwrap();
        assert_eq!(days.len(), 3);
        assert_eq!(days.iter().collect::<Vec<_>>(), [day(1), day(2), day(3)]);
        assert_eq!(days.to_string(), "2026-11-01..2026-11-03");
        assert_eq!(Days::one(day(5)).to_string(), "2026-11-05");
        assert!(Days::new(day(3), day(1)).is_err());
    }

    #[test]
    fn as_of_is_a_version_or_a_time() {
        assert_eq!("12".parse::<AsOf>(), Ok(AsOf::Version(12)));
        let t = |s: &str| match s.parse::<AsOf>() {
            Ok(AsOf::Timestamp(t)) => t.to_rfc3339(),
            other => panic!("{s}: {other:?}"),
        };
        assert_eq!(t("2026-11-30T08:00:00+01:00"), "2026-11-30T07:00:00+00:00");
        assert_eq!(t("2026-11-30 08:00:00"), "2026-11-30T08:00:00+00:00");
        assert_eq!(t("2026-11-30"), "2026-11-30T00:00:00+00:00");
        for bad in ["", "-1", "v12", "yesterday", "2026-13-01"] {
            assert!(bad.parse::<AsOf>().is_err(), "{bad:?}");
        }
        assert_eq!(AsOf::Version(3).to_string(), "version 3");
    }

    #[test]
    fn chunks_cover_the_range_in_order() {
        let days = Days::new(day(1), day(30)).unwrap();
        let chunks = days.chunks(7);
        assert_eq!(chunks.len(), 5);
        assert_eq!(chunks[0], Days::new(day(1), day(7)).unwrap());
        assert_eq!(chunks[4], Days::new(day(29), day(30)).unwrap());
        assert_eq!(chunks.iter().map(Days::len).sum::<usize>(), 30);
    }
}
