//! `mindy export`: keeps serving tables in PostgreSQL in step with Delta tables, incrementally.
//!
//! For each [`LakeExport`] (the registry in `mindy_core::serving`), one step:
//! 1. read the Delta table's latest version `L` (on the cluster: `DESCRIBE HISTORY`);
//! 2. read where the target stands (`export_state`): version `v`, or nothing;
//! 3. nothing stored: write a snapshot of version `L` (replacing the target's rows); `v < L`: read
//!    the change data feed of versions `v+1..=L`, reduced to each key's last change, and apply
//!    upserts and deletions; if the feed cannot answer (enabled later, vacuumed), a snapshot;
//! 4. store `L` in `export_state` in the same PostgreSQL transaction as the rows.
//!
//! Step 4 makes it restart-safe: a kill before the commit redoes the step from `v`, a kill after
//! it finds `L` stored — nothing lost, nothing applied twice. `--continuous` repeats every
//! `--interval` until SIGINT/SIGTERM; an error on one table is logged and retried at the next
//! tick (with backoff), so a Spark or PostgreSQL restart only delays the export.
//!
//! Beside the serving tables, each run keeps the dashboard's view of the lake (`lake_tables`,
//! [`lake_state`]) current: at the end of a run over every table, and every `--lake-interval`
//! when continuous.

pub mod delta;
pub mod lake_state;
pub mod metrics;
pub mod postgres;

use std::fmt;
use std::time::{Duration, Instant};

use clap::Args;
use mindy_core::config::{DatabaseArgs, LakeArgs, SparkArgs};
use mindy_core::db;
use mindy_core::serving::{LakeExport, LAKE_EXPORTS};
use spark_client::SparkSession;
use sqlx::PgPool;

use crate::jobs::delta_log;
use crate::shutdown::Shutdown;
use crate::Result;
use postgres::Target;

/// Settings of `mindy export`.
#[derive(Debug, Clone, Args)]
pub struct ExportConfig {
    /// Spark Connect connection.
    #[command(flatten)]
    pub spark: SparkArgs,
    /// Data lake root.
    #[command(flatten)]
    pub lake: LakeArgs,
    /// The serving database.
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Only these serving tables (default: every table of the registry).
    #[arg(long = "table", value_name = "TABLE")]
    pub tables: Vec<String>,
    /// Keep exporting every `--interval` until stopped, instead of once.
    #[arg(long)]
    pub continuous: bool,
    /// How often a continuous export looks for new Delta versions (e.g. `2s`, `500ms`).
    #[arg(long, env = "MINDY_EXPORT_INTERVAL", default_value = "2s", value_parser = mindy_core::config::parse_duration)]
    pub interval: Duration,
    /// Serve Prometheus metrics ([`metrics`]: steps, rows, versions, freshness) on this address
    /// with `--continuous`, e.g. `127.0.0.1:9466` (port 0 picks a free one). Off when unset.
    #[arg(long, env = "MINDY_EXPORTER_METRICS_ADDR")]
    pub metrics_addr: Option<std::net::SocketAddr>,
    /// How often the dashboard's view of the lake (`lake_tables`: each Delta table's version,
    /// rows, files, bytes) is brought up to date when continuous; a run without `--continuous`
    /// does it once at its end unless `--table` narrows it. `0s` turns it off.
    #[arg(long, env = "MINDY_EXPORT_LAKE_INTERVAL", default_value = "30s", value_parser = mindy_core::config::parse_duration)]
    pub lake_interval: Duration,
}

/// One export as the job runs it: a Delta table at a path, a serving table and its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportSpec {
    /// The Delta table's location, as Spark sees it.
    pub source: String,
    /// The serving table (optionally `schema.table`).
    pub target: String,
    /// The key columns.
    pub key: Vec<String>,
}

impl ExportSpec {
    /// The spec of a registry entry under `lake`.
    pub fn of(export: &LakeExport, lake: &LakeArgs) -> ExportSpec {
        ExportSpec {
            source: lake.location(&export.source),
            target: export.target.to_string(),
            key: export.key.iter().map(|k| k.to_string()).collect(),
        }
    }
}

/// What one step did to one target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// The Delta table does not exist yet.
    NoSource,
    /// The target already holds the latest version.
    UpToDate {
        /// The version it holds.
        version: i64,
    },
    /// Rows were written.
    Applied {
        /// The version before (`None`: never exported).
        from: Option<i64>,
        /// The version now held.
        to: i64,
        /// Rows inserted or updated.
        upserted: u64,
        /// Rows deleted.
        deleted: u64,
        /// Whether a whole snapshot was written (first export, or no change feed).
        snapshot: bool,
    },
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::NoSource => write!(f, "no Delta table yet"),
            Step::UpToDate { version } => write!(f, "up to date at version {version}"),
            Step::Applied {
                from,
                to,
                upserted,
                deleted,
                snapshot,
            } => {
                let from = from.map_or("nothing".to_string(), |v| format!("version {v}"));
                let how = if *snapshot { "snapshot" } else { "changes" };
                write!(
                    f,
                    "{from} → version {to} ({how}): {upserted} rows written, {deleted} deleted"
                )
            }
        }
    }
}

/// Brings one target up to the Delta table's latest version.
pub async fn step(spark: &SparkSession, pool: &PgPool, spec: &ExportSpec) -> Result<Step> {
    let Some(latest) = delta_log::latest_version(spark, &spec.source).await? else {
        return Ok(Step::NoSource);
    };
    let target = Target::describe(pool, &spec.target, &spec.key).await?;
    let stored = target.state(pool).await?.map(|s| s.version);
    if stored.is_some_and(|v| v >= latest) {
        return Ok(Step::UpToDate {
            version: stored.unwrap_or(latest),
        });
    }
    let changes = match stored {
        Some(v) => delta::changes(spark, &spec.source, &spec.key, v + 1, latest).await?,
        None => None,
    };
    let mut tx = pool.begin().await?;
    let (upserted, deleted, snapshot) = match changes {
        Some(changes) => {
            let deleted = target.delete(&mut tx, &changes.deletes).await?;
            let upserted = target.upsert(&mut tx, &changes.upserts).await?;
            (upserted, deleted, false)
        }
        None => {
            let rows = delta::snapshot(spark, &spec.source, &spec.key, latest).await?;
            target.clear(&mut tx).await?;
            (target.upsert(&mut tx, &rows).await?, 0, true)
        }
    };
    target
        .save_state(&mut tx, &spec.source, latest, upserted, deleted)
        .await?;
    tx.commit().await?;
    Ok(Step::Applied {
        from: stored,
        to: latest,
        upserted,
        deleted,
        snapshot,
    })
}

/// What a run of `mindy export` did, for its summary line.
#[derive(Debug, Default)]
pub struct Report {
    /// One line per target and step that changed something (or failed).
    pub lines: Vec<String>,
    /// Steps that failed.
    pub failures: usize,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.lines.is_empty() {
            return write!(f, "export: nothing to export");
        }
        write!(f, "{}", self.lines.join("\n"))
    }
}

/// The exports `config` selects, resolved under its lake root.
pub fn specs(config: &ExportConfig, registry: &[LakeExport]) -> Result<Vec<ExportSpec>> {
    let unknown: Vec<&String> = config
        .tables
        .iter()
        .filter(|t| !registry.iter().any(|e| e.target == t.as_str()))
        .collect();
    if !unknown.is_empty() {
        let known: Vec<&str> = registry.iter().map(|e| e.target).collect();
        return Err(crate::Error::invalid(format!(
            "no export writes {unknown:?}; the exported tables are {known:?}"
        )));
    }
    Ok(registry
        .iter()
        .filter(|e| config.tables.is_empty() || config.tables.iter().any(|t| t == e.target))
        .map(|e| ExportSpec::of(e, &config.lake))
        .collect())
}

/// Runs `mindy export` over the registry's tables.
pub async fn run(config: &ExportConfig, shutdown: Shutdown) -> Result<Report> {
    run_specs(config, &specs(config, LAKE_EXPORTS)?, shutdown).await
}

/// Runs the given exports once, or continuously until `shutdown`.
pub async fn run_specs(
    config: &ExportConfig,
    specs: &[ExportSpec],
    shutdown: Shutdown,
) -> Result<Report> {
    let spark = SparkSession::builder()
        .remote(&config.spark.remote)
        .build()
        .await?;
    let pool = db::connect(&config.database).await?;
    let recorded = metrics::get();
    crate::metrics::spawn(
        config.metrics_addr.filter(|_| config.continuous),
        crate::metrics::registry_render(),
        shutdown.clone(),
    )
    .await?;
    let mut report = Report::default();
    let mut backoff = config.interval;
    let keeps_lake_state = !config.lake_interval.is_zero() && config.tables.is_empty();
    let mut lake_read: Option<Instant> = None;
    loop {
        let started = Instant::now();
        let lake_due = keeps_lake_state
            && !shutdown.is_triggered()
            && lake_read.is_none_or(|at| at.elapsed() >= config.lake_interval);
        // The lake's tables are read beside the exports (mostly the Spark driver's time, both).
        let lake = async {
            if !lake_due {
                return None;
            }
            let refreshed = lake_state::refresh(&spark, &pool, &config.lake).await;
            Some((refreshed, started.elapsed()))
        };
        let exports = async {
            let mut lines = Vec::new();
            let mut failures = Vec::new();
            for spec in specs {
                let result = step(&spark, &pool, spec).await;
                recorded.step(&spec.target, result.as_ref().ok());
                match result {
                    Ok(done @ Step::Applied { .. }) => {
                        tracing::info!(target = %spec.target, step = %done, "exported");
                        lines.push(format!("{}: {done}", spec.target));
                    }
                    Ok(_) => {}
                    Err(e) => {
                        let line = crate::error::causes(&e);
                        tracing::warn!(target = %spec.target, error = %line, "export step failed; retrying");
                        failures.push(e);
                        if !config.continuous {
                            break;
                        }
                    }
                }
            }
            recorded.pass(started.elapsed());
            (lines, failures)
        };
        let ((lines, failures), lake) = tokio::join!(exports, lake);
        report.lines.extend(lines);
        report.failures += failures.len();
        let mut failed = !failures.is_empty();
        if let Some(e) = failures.into_iter().next().filter(|_| !config.continuous) {
            return Err(e);
        }
        match lake {
            None => {}
            Some((Ok(refreshed), took)) => {
                lake_read = Some(started);
                if refreshed.read > 0 || refreshed.failed > 0 {
                    tracing::info!(%refreshed, seconds = took.as_secs_f64(), "lake_tables brought up to date");
                }
                if !config.continuous && refreshed.read > 0 {
                    report.lines.push(format!("lake_tables: {refreshed}"));
                }
            }
            Some((Err(e), _)) => {
                failed = true;
                tracing::warn!(error = %crate::error::causes(&e), "lake_tables not brought up to date; retrying");
                if !config.continuous {
                    return Err(e);
                }
            }
        }
        if !config.continuous || shutdown.is_triggered() {
            return Ok(report);
        }
        // After a failure, wait longer each time (to 30 s) so a down service is not hammered.
        backoff = if failed {
            (backoff * 2).min(Duration::from_secs(30))
        } else {
            config.interval
        };
        let wait = backoff.saturating_sub(started.elapsed());
        if shutdown.sleep(wait).await {
            return Ok(report);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mindy_core::lake::BRONZE_EMAILS;

    #[test]
    fn specs_resolve_registry_entries_under_the_lake() {
        let registry = [LakeExport {
            source: BRONZE_EMAILS,
            target: "emails",
            key: &["id"],
        }];
        let config = ExportConfig {
            spark: SparkArgs {
                remote: "sc://x".into(),
            },
            lake: LakeArgs {
                root: "s3a://lake".into(),
            },
            database: DatabaseArgs {
                url: "postgres://x".into(),
                max_connections: 1,
            },
            tables: vec![],
            continuous: false,
            interval: Duration::from_secs(1),
            metrics_addr: None,
            lake_interval: Duration::ZERO,
        };
        let specs = specs(&config, &registry).unwrap();
        assert_eq!(specs[0].source, "s3a://lake/bronze/emails");
        assert_eq!(specs[0].key, ["id"]);
        let only_unknown = ExportConfig {
            tables: vec!["nope".into()],
            ..config
        };
        assert!(super::specs(&only_unknown, &registry).is_err());
    }
}
