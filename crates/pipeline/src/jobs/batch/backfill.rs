//! `mindy batch backfill --from D1 --to D2`: the daily batch's quality check, aggregation and
//! export for every day of a range — what the demo runs over its whole mailbox, and what fills a
//! new serving database from a lake that already holds months of mail.
//!
//! The days go in chunks (`--chunk-days`, a month by default): each chunk is locked day by day
//! (waiting for the scheduler's or anyone's job on the same days, see [`super::lock`]), scored in
//! one Spark query, its passing days aggregated into gold in one query and one Delta commit, and
//! exported to PostgreSQL in one transaction per day. So the time grows with the number of
//! chunks, not of days, and a line per chunk shows the progress. Re-running a range replaces what
//! it wrote before (idempotent, like the daily jobs). A day that fails its quality check is not
//! aggregated; the run goes on with the other days and exits 1 at the end, naming them.
//!
//! Today (in the user's timezone) is not over: before its first email it has no bronze record,
//! which for a past day means the stream was not running, but for today means nothing yet. Such
//! a day is left for a later run, named in the summary, and neither scored nor counted as failed
//! (the demo backfills through today, at whatever hour it runs).

use std::time::Instant;

use chrono::{NaiveDate, Utc};
use chrono_tz::Tz;
use clap::Args;

use crate::Result;
use mindy_core::config::DatabaseArgs;
use mindy_core::db;

use super::lock::DayLocks;
use super::quality::{QualityGate, Verdict};
use super::{aggregate, export, quality, BatchArgs, BronzeAsOf, Days, Outcome};

/// Settings of `mindy batch backfill`.
#[derive(Debug, Clone, Args)]
pub struct BackfillConfig {
    /// The first day (YYYY-MM-DD, user's timezone).
    #[arg(long)]
    pub from: NaiveDate,
    /// The last day, included.
    #[arg(long)]
    pub to: NaiveDate,
    /// Days per chunk: one Spark query per step and chunk.
    #[arg(long, default_value_t = 31, value_parser = clap::value_parser!(u32).range(1..=366))]
    pub chunk_days: u32,
    /// Run as if today (in the user's timezone) were this day; for tests, default the real today.
    #[arg(long, hide = true)]
    pub today: Option<NaiveDate>,
    /// Spark, the lake and the timezone.
    #[command(flatten)]
    pub batch: BatchArgs,
    /// The serving database (scores, exports and the days' locks).
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// When a day passes.
    #[command(flatten)]
    pub gate: QualityGate,
    /// The bronze version to backfill from.
    #[command(flatten)]
    pub as_of: BronzeAsOf,
}

/// What one chunk did.
#[derive(Debug, Default)]
struct ChunkResult {
    /// Days aggregated and exported.
    done: usize,
    /// Bronze records of those days (after de-duplication).
    emails: i64,
    /// Days that failed their quality check, with why.
    failed: Vec<String>,
    /// Days not over yet without any record so far: left for a later run.
    not_over: Vec<NaiveDate>,
}

/// Backfills the range, chunk by chunk, printing a line per chunk to stderr.
pub async fn run(config: &BackfillConfig) -> Result<Outcome> {
    let range = Days::new(config.from, config.to)?;
    let started = Instant::now();
    let batch = config.batch.reading_bronze_as_of(&config.as_of);
    let session = batch.session().await?;
    let pool = db::connect(&config.database).await?;
    let chunks = range.chunks(config.chunk_days as usize);
    let zone: Tz = config.batch.timezone.parse().map_err(|e| {
        crate::Error::invalid(format!("USER_TIMEZONE {}: {e}", config.batch.timezone))
    })?;
    let today = config
        .today
        .unwrap_or_else(|| Utc::now().with_timezone(&zone).date_naive());
    let (mut done, mut emails, mut failed, mut not_over) = (0, 0, Vec::new(), Vec::new());
    for (i, chunk) in chunks.iter().enumerate() {
        let chunk_started = Instant::now();
        let result = backfill_chunk(config, &batch, &session, &pool, *chunk, today).await?;
        eprintln!(
            "backfill [{}/{}] {chunk}: {} of {} days to gold and PostgreSQL, {} emails ({:.1} s)",
            i + 1,
            chunks.len(),
            result.done,
            chunk.len(),
            result.emails,
            chunk_started.elapsed().as_secs_f64()
        );
        done += result.done;
        emails += result.emails;
        failed.extend(result.failed);
        not_over.extend(result.not_over);
    }
    let mut summary = format!(
        "backfilled {range}: {done} of {} days into gold and PostgreSQL ({emails} emails) in {:.1} s{}",
        range.len(),
        started.elapsed().as_secs_f64(),
        batch.as_of_note()
    );
    if !not_over.is_empty() {
        let days: Vec<String> = not_over.iter().map(NaiveDate::to_string).collect();
        summary.push_str(&format!(
            "; {} has no mail yet and is not over: left for a later run",
            days.join(", ")
        ));
    }
    Ok(if failed.is_empty() {
        Outcome::Done(summary)
    } else {
        Outcome::Failed(format!(
            "{summary}; {} days failed their quality check:\n  {}",
            failed.len(),
            failed.join("\n  ")
        ))
    })
}

/// Quality, aggregate and export for one chunk of days, holding their locks throughout.
async fn backfill_chunk(
    config: &BackfillConfig,
    batch: &BatchArgs,
    session: &spark_client::SparkSession,
    pool: &sqlx::PgPool,
    chunk: Days,
    today: NaiveDate,
) -> Result<ChunkResult> {
    let lock = DayLocks::acquire(&config.database, chunk.iter()).await?;
    tracing::info!(%chunk, "scoring the days' bronze records");
    let scores = quality::scores(batch, session, chunk).await?;
    let (not_over, scores): (Vec<_>, Vec<_>) = scores
        .into_iter()
        .partition(|(date, score)| *date >= today && score.total == 0);
    let verdicts: Vec<Verdict> = scores
        .into_iter()
        .map(|(date, score)| config.gate.judge(date, score))
        .collect();
    for verdict in &verdicts {
        verdict.record(pool).await?;
    }
    let passed: Vec<NaiveDate> = verdicts
        .iter()
        .filter(|v| v.passed)
        .map(|v| v.date)
        .collect();
    tracing::info!(%chunk, days = passed.len(), "aggregating the days that passed into gold");
    let written = aggregate::write_days(batch, session, chunk, &passed).await?;
    tracing::info!(%chunk, days = written.len(), "exporting gold to PostgreSQL");
    let mut result = ChunkResult {
        failed: verdicts.iter().filter_map(Verdict::failure).collect(),
        not_over: not_over.into_iter().map(|(date, _)| date).collect(),
        ..ChunkResult::default()
    };
    for insight in export::read_gold(session, batch, chunk).await? {
        if passed.contains(&insight.date) {
            export::upsert(pool, &insight).await?;
            result.done += 1;
            result.emails += insight.total_emails;
        }
    }
    if result.done != written.len() {
        return Err(crate::Error::unexpected(
            "spark",
            format!(
                "wrote {} days of {chunk} to gold but read back {}",
                written.len(),
                result.done
            ),
        ));
    }
    lock.release().await?;
    Ok(result)
}
