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

    /// The bronze rows of `days` (partition-pruned on `event_date`).
    pub fn bronze_days(&self, session: &SparkSession, days: Days) -> DataFrame {
        days_of(session, &self.bronze_path(), "event_date", days)
    }

    /// The gold rows of `days` (partition-pruned on `date`).
    pub fn gold_days(&self, session: &SparkSession, days: Days) -> DataFrame {
        days_of(session, &self.gold_path(), "date", days)
    }
}

fn days_of(session: &SparkSession, path: &str, date_column: &str, days: Days) -> DataFrame {
    session
        .read()
        .format("delta")
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
    fn chunks_cover_the_range_in_order() {
        let days = Days::new(day(1), day(30)).unwrap();
        let chunks = days.chunks(7);
        assert_eq!(chunks.len(), 5);
        assert_eq!(chunks[0], Days::new(day(1), day(7)).unwrap());
        assert_eq!(chunks[4], Days::new(day(29), day(30)).unwrap());
        assert_eq!(chunks.iter().map(Days::len).sum::<usize>(), 30);
    }
}
