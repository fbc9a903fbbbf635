//! `mindy lake …`: keeping the Delta lake small and bounded, as the weekly
//! `lake_maintenance_dag` (`airflow/dags/lake_maintenance_dag.py`) runs it, and reading a
//! table's history.
//!
//! - `retain`: deletes raw rows older than the retention ([`retention`]).
//! - `optimize`: compacts each table's small files (Delta's `OPTIMIZE`). The stream commits a
//!   few files per micro-batch, so bronze grows by hundreds of small files a day; readers (the
//!   enricher's passes, the batch jobs) pay per file.
//! - `vacuum`: removes the files no version within the retention still needs (Delta's
//!   `VACUUM`), with the retention set per layer.
//! - `history`: a table's commits (Delta's `DESCRIBE HISTORY`).
//!
//! Tables are named as the lake lists them (`bronze/emails`, `silver/email_insights`, …;
//! [`mindy_core::lake::TABLES`]); without names a command covers every table, skipping those not
//! created yet. Every command is safe beside the running pipeline: compaction commits with
//! `dataChange = false` (streams and change-feed readers skip it), and a Delta conflict with a
//! concurrent writer is retried ([`crate::jobs::batch::delta::retry_conflicts`]).
//!
//! Z-ordering is not used: the chat's queries go to PostgreSQL, and the lake's readers scan
//! whole tables or prune on their `event_date` partitions, which Z-order would not speed up.

pub mod retention;

use std::time::{Duration, Instant};

use clap::{Args, Subcommand};
use spark_client::rows::Rows;
use spark_client::SparkSession;

use crate::jobs::batch::delta::{quoted_path, retry_conflicts};
use crate::jobs::delta_log;
use crate::{Error, Result};
use mindy_core::config::{LakeArgs, SparkArgs};
use mindy_core::lake::{self, LakeTable, Layer};

/// The `mindy lake` subcommands.
#[derive(Debug, Subcommand)]
pub enum LakeCommand {
    /// Delete raw rows (bronze emails, quarantined values) older than the retention.
    Retain(retention::RetainConfig),
    /// Compact the small files of every table (or the ones named) with Delta's OPTIMIZE.
    Optimize(OptimizeConfig),
    /// Remove files older than each layer's retention that no kept version needs (VACUUM).
    Vacuum(VacuumConfig),
    /// Show a table's Delta history: version, time, operation and its metrics.
    History(HistoryConfig),
}

/// Runs one `mindy lake` command; returns what it did, one line per table.
pub async fn run(command: &LakeCommand) -> Result<String> {
    match command {
        LakeCommand::Retain(config) => retention::run(config).await,
        LakeCommand::Optimize(config) => optimize(config).await,
        LakeCommand::Vacuum(config) => vacuum(config).await,
        LakeCommand::History(config) => history(config).await,
    }
}

/// Spark, the lake and the tables a command covers.
#[derive(Debug, Clone, Args)]
pub struct LakeTargets {
    /// Tables as `<layer>/<name>` (e.g. `bronze/emails`); every table of the lake when none.
    pub tables: Vec<String>,
    /// Spark Connect connection.
    #[command(flatten)]
    pub spark: SparkArgs,
    /// Data lake root.
    #[command(flatten)]
    pub lake: LakeArgs,
}

impl LakeTargets {
    /// The tables named (every table when none), in the lake's order.
    ///
    /// # Errors
    /// [`Error::invalid`] for a name that is not a table of the lake, listing the names.
    pub fn selected(&self) -> Result<Vec<LakeTable>> {
        select(&self.tables)
    }

    async fn session(&self) -> Result<SparkSession> {
        Ok(SparkSession::builder()
            .remote(&self.spark.remote)
            .build()
            .await?)
    }
}

fn select(names: &[String]) -> Result<Vec<LakeTable>> {
    if names.is_empty() {
        return Ok(lake::TABLES.to_vec());
    }
    names
        .iter()
        .map(|name| {
            let name = name.trim_end_matches('/');
            lake::TABLES
                .iter()
                .find(|t| t.relative_path() == name)
                .copied()
                .ok_or_else(|| {
                    let known: Vec<String> =
                        lake::TABLES.iter().map(|t| t.relative_path()).collect();
                    Error::invalid(format!(
                        "{name} is not a table of the lake; the tables are {}",
                        known.join(", ")
                    ))
                })
        })
        .collect()
}

/// A table's size as Delta's `DESCRIBE DETAIL` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detail {
    /// Data files in the current version.
    pub files: i64,
    /// Their total size, in bytes.
    pub bytes: i64,
}

/// The current version's data files and bytes of the table at `path`; `None` when there is no
/// table there yet.
///
/// # Errors
/// Spark's, e.g. for a path that holds something other than a Delta table.
pub async fn detail(session: &SparkSession, path: &str) -> Result<Option<Detail>> {
    if delta_log::latest_version(session, path).await?.is_none() {
        return Ok(None);
    }
    let rows = Rows::new(
        session
            .sql(format!("DESCRIBE DETAIL {}", quoted_path(path)))
            .await?
            .select(["numFiles", "sizeInBytes"])
            .collect()
            .await?,
    );
    let row = rows
        .iter()
        .next()
        .ok_or_else(|| Error::unexpected("spark", format!("DESCRIBE DETAIL {path}: no row")))?;
    Ok(Some(Detail {
        files: row.get::<Option<i64>>("numFiles")?.unwrap_or(0),
        bytes: row.get::<Option<i64>>("sizeInBytes")?.unwrap_or(0),
    }))
}

/// Settings of `mindy lake optimize`.
#[derive(Debug, Clone, Args)]
pub struct OptimizeConfig {
    /// The tables, Spark and the lake.
    #[command(flatten)]
    pub targets: LakeTargets,
}

/// One table's compaction.
#[derive(Debug, Clone, PartialEq)]
pub struct Compaction {
    /// `<layer>/<name>`.
    pub table: String,
    /// Before `OPTIMIZE`.
    pub before: Detail,
    /// After it.
    pub after: Detail,
    /// How long `OPTIMIZE` took.
    pub took: Duration,
}

impl std::fmt::Display for Compaction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} → {} files ({}), {:.1} s",
            self.table,
            self.before.files,
            self.after.files,
            megabytes(self.after.bytes),
            self.took.as_secs_f64()
        )
    }
}

/// Compacts one table (`None` when it does not exist yet).
///
/// # Errors
/// Spark's; a Delta conflict that outlasts the retries.
pub async fn compact(session: &SparkSession, path: &str, name: &str) -> Result<Option<Compaction>> {
    let Some(before) = detail(session, path).await? else {
        return Ok(None);
    };
    let started = Instant::now();
    retry_conflicts("OPTIMIZE", || async {
        session
            .sql(format!("OPTIMIZE {}", quoted_path(path)))
            .await?
            .collect()
            .await?;
        Ok(())
    })
    .await?;
    let took = started.elapsed();
    let after = detail(session, path).await?.unwrap_or(before);
    Ok(Some(Compaction {
        table: name.to_string(),
        before,
        after,
        took,
    }))
}

async fn optimize(config: &OptimizeConfig) -> Result<String> {
    let session = config.targets.session().await?;
    let mut lines = Vec::new();
    for table in config.targets.selected()? {
        let path = config.targets.lake.location(&table);
        let name = table.relative_path();
        let line = match compact(&session, &path, &name).await? {
            Some(done) => done.to_string(),
            None => format!("{name}: not created yet"),
        };
        tracing::info!("{line}");
        lines.push(line);
    }
    Ok(lines.join("\n"))
}

/// Delta's default and minimum safe retention for VACUUM: 7 days (`delta.deletedFileRetentionDuration`).
/// A shorter one can delete files a running reader or a concurrent writer still needs.
pub const SAFE_RETENTION_HOURS: u32 = 168;

/// The Spark SQL setting that turns Delta's check of a short VACUUM retention off.
const RETENTION_CHECK: &str = "spark.databricks.delta.retentionDurationCheck.enabled";

/// The Spark SQL setting that records VACUUM's start and end (files deleted) in the table's
/// history; Delta turns it on by default only on some storage systems.
const VACUUM_LOGGING: &str = "spark.databricks.delta.vacuum.logging.enabled";

/// The Spark SQL setting VACUUM takes its file listing's parallelism from: Spark's default,
/// 10,000, made every VACUUM run jobs of 10,001 tasks, about 45 s each on the stack's two cores
/// for a table of a few hundred files.
const LISTING_PARALLELISM: &str = "spark.sql.sources.parallelPartitionDiscovery.parallelism";

/// What VACUUM lists and groups the files with instead: a few tasks per core of the stack.
const VACUUM_PARALLELISM: &str = "8";

/// Settings of `mindy lake vacuum`: how many hours of history each layer keeps.
#[derive(Debug, Clone, Args)]
pub struct VacuumConfig {
    /// The tables, Spark and the lake.
    #[command(flatten)]
    pub targets: LakeTargets,
    /// Hours of history kept in bronze: time travel (`VERSION AS OF`) and the change feed reach
    /// back this far.
    #[arg(long, env = "MINDY_LAKE_VACUUM_HOURS_BRONZE", default_value_t = 336)]
    pub bronze_hours: u32,
    /// Hours of history kept in silver.
    #[arg(long, env = "MINDY_LAKE_VACUUM_HOURS_SILVER", default_value_t = SAFE_RETENTION_HOURS)]
    pub silver_hours: u32,
    /// Hours of history kept in gold (the exporter reads gold's change feed: an exporter stopped
    /// for longer than this reloads a table in full).
    #[arg(long, env = "MINDY_LAKE_VACUUM_HOURS_GOLD", default_value_t = SAFE_RETENTION_HOURS)]
    pub gold_hours: u32,
    /// Allow a retention under 168 hours. Only for a lake nothing else reads or writes at the
    /// time (tests, a copy): a shorter retention can delete files a running job still needs.
    #[arg(long)]
    pub allow_short_retention: bool,
}

impl VacuumConfig {
    /// The retention of `layer`, in hours.
    pub fn hours(&self, layer: Layer) -> u32 {
        match layer {
            Layer::Bronze => self.bronze_hours,
            Layer::Silver => self.silver_hours,
            Layer::Gold => self.gold_hours,
        }
    }

    fn check(&self) -> Result<()> {
        if self.allow_short_retention {
            return Ok(());
        }
        for layer in Layer::ALL {
            let hours = self.hours(layer);
            if hours < SAFE_RETENTION_HOURS {
                return Err(Error::invalid(format!(
                    "a VACUUM retention of {hours} h for {} is under Delta's safe minimum of \
                     {SAFE_RETENTION_HOURS} h: files a running job still reads could go; pass \
                     --allow-short-retention only when nothing else uses the lake",
                    layer.as_str()
                )));
            }
        }
        Ok(())
    }
}

async fn vacuum(config: &VacuumConfig) -> Result<String> {
    config.check()?;
    let session = config.targets.session().await?;
    session.conf().set(VACUUM_LOGGING, "true").await?;
    session
        .conf()
        .set(LISTING_PARALLELISM, VACUUM_PARALLELISM)
        .await?;
    if config.allow_short_retention {
        session.conf().set(RETENTION_CHECK, "false").await?;
    }
    let mut lines = Vec::new();
    for table in config.targets.selected()? {
        let path = config.targets.lake.location(&table);
        let name = table.relative_path();
        if delta_log::latest_version(&session, &path).await?.is_none() {
            lines.push(format!("{name}: not created yet"));
            continue;
        }
        let hours = config.hours(table.layer);
        let started = Instant::now();
        let statement = format!("VACUUM {} RETAIN {hours} HOURS", quoted_path(&path));
        retry_conflicts("VACUUM", || async {
            session.sql(statement.clone()).await?.collect().await?;
            Ok(())
        })
        .await?;
        // With VACUUM's logging on, the files deleted are in its `VACUUM END` commit (a dry run
        // first would list the whole table a second time).
        let removed = commits(&session, &path, 2)
            .await?
            .into_iter()
            .find(|c| c.operation == "VACUUM END")
            .and_then(|c| deleted_files(&c.metrics))
            .map_or_else(
                || "? files removed".to_string(),
                |n| format!("{n} files removed"),
            );
        let line = format!(
            "{name}: {removed} (retention {hours} h), {:.1} s",
            started.elapsed().as_secs_f64()
        );
        tracing::info!("{line}");
        lines.push(line);
    }
    Ok(lines.join("\n"))
}

/// Settings of `mindy lake history`.
#[derive(Debug, Clone, Args)]
pub struct HistoryConfig {
    /// The table, as `<layer>/<name>`.
    pub table: String,
    /// The most recent commits to show.
    #[arg(long, default_value_t = 20)]
    pub limit: u32,
    /// Spark Connect connection.
    #[command(flatten)]
    pub spark: SparkArgs,
    /// Data lake root.
    #[command(flatten)]
    pub lake: LakeArgs,
}

/// One commit of a table's history.
#[derive(Debug, Clone, PartialEq)]
pub struct Commit {
    /// The version it made.
    pub version: i64,
    /// When it was committed.
    pub timestamp: chrono::DateTime<chrono::Utc>,
    /// `WRITE`, `STREAMING UPDATE`, `MERGE`, `OPTIMIZE`, `VACUUM END`, `DELETE`, …
    pub operation: String,
    /// Its metrics as Delta records them (`numFiles`, `numOutputRows`, …), as JSON.
    pub metrics: String,
}

/// The most recent `limit` commits of the table at `path`, newest first.
///
/// # Errors
/// Spark's, e.g. when there is no table at `path`.
pub async fn commits(session: &SparkSession, path: &str, limit: u32) -> Result<Vec<Commit>> {
    let rows = Rows::new(
        session
            .sql(format!(
                "DESCRIBE HISTORY {} LIMIT {limit}",
                quoted_path(path)
            ))
            .await?
            .select_expr([
                "version",
                "timestamp",
                "operation",
                "to_json(operationMetrics) AS metrics",
            ])
            .collect()
            .await?,
    );
    rows.iter()
        .map(|row| {
            Ok(Commit {
                version: row.get("version")?,
                timestamp: row.get("timestamp")?,
                operation: row.get::<Option<String>>("operation")?.unwrap_or_default(),
                metrics: row.get::<Option<String>>("metrics")?.unwrap_or_default(),
            })
        })
        .collect()
}

async fn history(config: &HistoryConfig) -> Result<String> {
    let table = select(std::slice::from_ref(&config.table))?[0];
    let session = SparkSession::builder()
        .remote(&config.spark.remote)
        .build()
        .await?;
    let commits = commits(&session, &config.lake.location(&table), config.limit).await?;
    let mut out = format!(
        "{:>7}  {:<19}  {:<18}  metrics",
        "version", "timestamp (UTC)", "operation"
    );
    for c in commits {
        out.push_str(&format!(
            "\n{:>7}  {:<19}  {:<18}  {}",
            c.version,
            c.timestamp.format("%Y-%m-%d %H:%M:%S"),
            c.operation,
            c.metrics
        ));
    }
    Ok(out)
}

/// `numDeletedFiles` of a `VACUUM END` commit's metrics (Delta records them as strings).
fn deleted_files(metrics: &str) -> Option<u64> {
    let metrics: serde_json::Value = serde_json::from_str(metrics).ok()?;
    match &metrics["numDeletedFiles"] {
        serde_json::Value::String(n) => n.parse().ok(),
        n => n.as_u64(),
    }
}

fn megabytes(bytes: i64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vacuum_end_metrics_give_the_files_deleted() {
        let end = r#"{"numDeletedFiles":"12","numVacuumedDirectories":"3"}"#;
        assert_eq!(deleted_files(end), Some(12));
        assert_eq!(deleted_files(r#"{"numDeletedFiles":0}"#), Some(0));
        assert_eq!(deleted_files(r#"{"numFilesToDelete":"4"}"#), None);
        assert_eq!(deleted_files(""), None);
    }

    #[test]
    fn tables_are_named_as_the_lake_lists_them() {
        let picked = select(&["bronze/emails".into(), "gold/email_threads/".into()]).unwrap();
        assert_eq!(picked, vec![lake::BRONZE_EMAILS, lake::GOLD_EMAIL_THREADS]);
        assert_eq!(select(&[]).unwrap().len(), lake::TABLES.len());
        let unknown = select(&["emails".into()]).unwrap_err().to_string();
        assert!(
            unknown.contains("emails is not a table of the lake"),
            "{unknown}"
        );
        assert!(unknown.contains("bronze/emails"), "{unknown}");
    }

    #[test]
    fn a_retention_under_delta_s_minimum_is_refused_unless_allowed() {
        let config = |gold_hours, allow_short_retention| VacuumConfig {
            targets: LakeTargets {
                tables: vec![],
                spark: SparkArgs {
                    remote: "sc://localhost:1".into(),
                },
                lake: LakeArgs {
                    root: "/lake".into(),
                },
            },
            bronze_hours: 336,
            silver_hours: 168,
            gold_hours,
            allow_short_retention,
        };
        assert!(config(168, false).check().is_ok());
        let refused = config(24, false).check().unwrap_err().to_string();
        assert!(refused.contains("24 h for gold"), "{refused}");
        assert!(config(0, true).check().is_ok());
        assert_eq!(config(24, false).hours(Layer::Bronze), 336);
    }
}
