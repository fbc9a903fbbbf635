//! `mindy batch …`: the daily batch jobs, each usable by hand and from Airflow's daily DAG
//! (`airflow/dags/daily_batch_dag.py`). A date D is a calendar day in `USER_TIMEZONE`, the same
//! day boundary as bronze's `event_date`. Every job is idempotent for its date, so Airflow's
//! retries and re-runs are safe.
//!
//! - [`quality`]: the share of day D's bronze records that are complete and valid.
//! - [`aggregate`]: day D's statistics into `<lake>/gold/daily_summary` (one partition per day).
//! - [`export`]: the gold rows of D into PostgreSQL, in one transaction.
//! - [`report`]: a summary email of the day's run over SMTP.

pub mod aggregate;
pub mod export;
pub mod quality;
pub mod report;

use chrono::NaiveDate;
use clap::{Args, Subcommand};
use spark_client::functions::{col, lit};
use spark_client::{DataFrame, SparkSession};

use crate::Result;
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

/// The day a batch job works on, and where the lake and Spark are.
#[derive(Debug, Clone, Args)]
pub struct DayArgs {
    /// The calendar day (YYYY-MM-DD) in the user's timezone.
    #[arg(long)]
    pub date: NaiveDate,
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

impl DayArgs {
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

    /// Day D's bronze rows (partition-pruned on `event_date`).
    pub fn bronze_day(&self, session: &SparkSession) -> DataFrame {
        self.day_of(session, &self.bronze_path(), "event_date")
    }

    /// Day D's gold row (partition-pruned on `date`).
    pub fn gold_day(&self, session: &SparkSession) -> DataFrame {
        self.day_of(session, &self.gold_path(), "date")
    }

    fn day_of(&self, session: &SparkSession, path: &str, date_column: &str) -> DataFrame {
        session
            .read()
            .format("delta")
            .load_path(path)
            .filter(col(date_column).eq(lit(self.date)))
    }
}
