//! `mindy backup` and `mindy restore` (issue 20): the serving database and every Delta table of
//! the lake, each as one consistent version, into a directory with a manifest; and back.
//!
//! A backup directory holds:
//! - `postgres.dump`: `pg_dump -Fc` of the application database (`DATABASE_URL`), taken in a
//!   snapshot in which every table's rows are also counted ([`postgres`]);
//! - `lake/<layer>/<name>/`: each Delta table copied at file level as of its version `v`: its
//!   log up to `v` and its data files ([`delta_files`]);
//! - `manifest.json`: when, the tables with their versions, row counts at `v` (Spark's
//!   `VERSION AS OF v`), files and bytes, the dump with its row counts, and the versions of
//!   mindy, Spark, `pg_dump` and the server ([`manifest`]). Written last.
//!
//! **Which tables.** Every directory `<lake root>/<layer>/<name>` (layers bronze, silver, gold)
//! with a `_delta_log`: the tables of [`mindy_core::lake::TABLES`] that exist, and any other
//! table a job or a person put in a layer, without this list having to know it. The lake root's
//! other directories are not tables of the lake: the streams' `_checkpoints` (below) and the
//! tests' `_tests`.
//!
//! **Files, not Spark.** A table is copied as its files, not rewritten through Spark (`CREATE
//! TABLE … AS SELECT … VERSION AS OF v` or a deep clone): the copy keeps the table's versions,
//! its history, its properties (the enricher's and the calendar's bookkeeping live there) and
//! its change data feed. That matters for the exporter, which stores per serving table the
//! Delta version it last exported (`export_state`, in the dump): after restoring both, it reads
//! the change feed from that version on, as if nothing had happened. A rewritten table would
//! start again at version 0 under a higher stored version, and the exporter would wrongly
//! believe it was up to date. The copy is consistent without stopping the pipeline: the version
//! is fixed from the log first, and a commit made during the copy is not in the copy's log
//! ([`delta_files`] says why every file of `v` is copied). Needing the files on this machine, a
//! backup refuses an `s3a://`/`abfss://` lake (use the object store's snapshots).
//!
//! **Order.** The database is dumped before the lake is copied, so every version the dump's
//! `export_state` holds is at most the copied table's: after a restore the exporter catches up
//! from the change feed. (The other order could leave `export_state` ahead of the restored
//! table, and the exporter would skip the versions in between.) `export_state` is keyed by the
//! table's path: restored into another lake root, the exporter reloads each table once in full.
//!
//! **Not backed up: the streams' checkpoints** (`<lake root>/_checkpoints`, or
//! `MINDY_CHECKPOINT_ROOT`). They hold Kafka offsets and state that are only consistent with the
//! tables as the running stream left them, not with a copied version. After a restore, stop the
//! pipeline and remove the checkpoints of the restored root (a restore warns when some exist):
//! `mindy stream` then starts from `MINDY_STREAM_STARTING_OFFSETS` (default `earliest`): to go on
//! after the restored bronze without appending mail twice, start it at the offsets after
//! bronze's last (`SELECT kafka_partition, max(kafka_offset) + 1 … GROUP BY kafka_partition`).
//! The silver window stream, started without a checkpoint, counts bronze again from its start.
//!
//! **Restore** refuses to write over anything: a table directory of the manifest that exists
//! and is not empty, or a database that holds a table, is named in the error; `--force` replaces
//! them (the table directories removed first, the dump's objects dropped by `pg_restore --clean`).
//! It then verifies each table with Spark: its latest version equals the manifest's, and `SELECT
//! count(*)` (with Delta's metadata-only count off, so every data file is opened) equals the
//! rows counted at backup time; and each PostgreSQL table's rows equal the dump's.

pub mod delta_files;
pub mod manifest;
pub mod postgres;

use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::Utc;
use clap::Args;
use spark_client::rows::Rows;
use spark_client::SparkSession;

use crate::jobs::batch::delta::quoted_path;
use crate::jobs::delta_log;
use crate::{Error, Result};
use manifest::{DatabaseBackup, LakeBackup, Manifest, TableBackup};
use mindy_core::config::{DatabaseArgs, LakeArgs, SparkArgs};
pub use postgres::PgToolArgs;

/// The dump's file name in a backup directory.
pub const DUMP_FILE: &str = "postgres.dump";

/// The directory of the tables in a backup directory.
pub const LAKE_DIR: &str = "lake";

/// The Delta setting that answers `count(*)` from the log's statistics; a restore's check turns
/// it off so the count opens every data file of the version.
const METADATA_COUNT: &str = "spark.databricks.delta.optimizeMetadataQuery.enabled";

/// Which parts a backup or restore covers (both by default).
#[derive(Debug, Clone, Copy, Default, Args)]
pub struct Parts {
    /// Only the lake's Delta tables.
    #[arg(long, conflicts_with = "database_only")]
    pub lake_only: bool,
    /// Only the PostgreSQL database.
    #[arg(long)]
    pub database_only: bool,
}

/// Settings of `mindy backup`.
#[derive(Debug, Clone, Args)]
pub struct BackupConfig {
    /// The directory to write the backup to: a new or empty one.
    pub dir: PathBuf,
    /// The lake and the database, or one of them.
    #[command(flatten)]
    pub parts: Parts,
    /// Spark Connect (row counts as of each version).
    #[command(flatten)]
    pub spark: SparkArgs,
    /// The lake to copy (a local path).
    #[command(flatten)]
    pub lake: LakeArgs,
    /// The database to dump (the owner role's URL).
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// PostgreSQL's client tools.
    #[command(flatten)]
    pub tools: PgToolArgs,
}

/// Settings of `mindy restore`.
#[derive(Debug, Clone, Args)]
pub struct RestoreConfig {
    /// The backup directory (with its `manifest.json`).
    pub dir: PathBuf,
    /// The lake and the database, or one of them.
    #[command(flatten)]
    pub parts: Parts,
    /// Replace what is in the way: existing table directories are removed, and the dump's
    /// objects dropped from a non-empty database (`pg_restore --clean`).
    #[arg(long)]
    pub force: bool,
    /// Spark Connect (the restored tables' versions and row counts).
    #[command(flatten)]
    pub spark: SparkArgs,
    /// The lake root to restore the tables into (a local path).
    #[command(flatten)]
    pub lake: LakeArgs,
    /// The database to restore into (empty, unless `--force`).
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// PostgreSQL's client tools.
    #[command(flatten)]
    pub tools: PgToolArgs,
}

/// Writes a backup into `config.dir`; returns the one-line outcome.
///
/// # Errors
/// [`Error::invalid`] for a directory that is not empty or a lake that is not local; `pg_dump`'s
/// failure; Spark's; a file that cannot be copied.
pub async fn backup(config: &BackupConfig) -> Result<String> {
    let started = Instant::now();
    let started_at = Utc::now();
    let dir = &config.dir;
    if delta_files::is_occupied(dir) {
        return Err(Error::invalid(format!(
            "{} is not empty: a backup goes into a new or empty directory",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let root = if config.parts.database_only {
        None
    } else {
        Some(delta_files::local_root(&config.lake.spark_root())?)
    };

    // The database first: its `export_state` is then never ahead of the copied tables.
    let database = if config.parts.lake_only {
        None
    } else {
        let name = postgres::database_name(&config.database.url);
        tracing::info!(database = %name, "dumping PostgreSQL (pg_dump -Fc)");
        let took = Instant::now();
        let dumped =
            postgres::dump(&config.tools, &config.database.url, &dir.join(DUMP_FILE)).await?;
        tracing::info!(
            database = %name,
            tables = dumped.tables.len(),
            bytes = dumped.bytes,
            seconds = took.elapsed().as_secs_f64(),
            "database dumped"
        );
        Some(DatabaseBackup {
            file: DUMP_FILE.to_string(),
            database: name,
            bytes: dumped.bytes,
            pg_dump_version: dumped.pg_dump_version,
            server_version: dumped.server_version,
            tables: dumped.tables,
        })
    };

    let lake = match &root {
        None => None,
        Some(root) => Some(copy_lake(config, root, dir).await?),
    };

    let manifest = Manifest {
        format: manifest::FORMAT,
        started_at,
        finished_at: Utc::now(),
        mindy_version: env!("CARGO_PKG_VERSION").to_string(),
        lake,
        database,
    };
    manifest.write(dir)?;
    Ok(format!(
        "backup in {}: {}, {:.1} s",
        dir.display(),
        what(&manifest, true, true),
        started.elapsed().as_secs_f64()
    ))
}

/// Copies every table of the lake at `root` into `<dir>/lake`, counting each one's rows.
async fn copy_lake(config: &BackupConfig, root: &Path, dir: &Path) -> Result<LakeBackup> {
    let session = SparkSession::builder()
        .remote(&config.spark.remote)
        .build()
        .await?;
    let spark_version = session.version().await?;
    let spark_root = config.lake.spark_root();
    let mut tables = Vec::new();
    for table in delta_files::discover(root)? {
        let took = Instant::now();
        let (source, target) = (root.join(&table), dir.join(LAKE_DIR).join(&table));
        let copied = blocking(move || delta_files::snapshot(&source, &target)).await?;
        let Some(copied) = copied else {
            tracing::info!(table, "no commit yet; skipped");
            continue;
        };
        let location = format!("{spark_root}/{table}");
        let rows = count_rows(&session, &location, Some(copied.version)).await?;
        tracing::info!(
            table,
            version = copied.version,
            rows,
            files = copied.files,
            bytes = copied.bytes,
            seconds = took.elapsed().as_secs_f64(),
            "table copied"
        );
        tables.push(TableBackup {
            table,
            version: copied.version,
            rows,
            files: copied.files,
            bytes: copied.bytes,
            log_files: copied.log_files,
        });
    }
    Ok(LakeBackup {
        root: root.display().to_string(),
        dir: LAKE_DIR.to_string(),
        spark_version,
        tables,
    })
}

/// Restores the backup in `config.dir` and verifies it; returns the one-line outcome.
///
/// # Errors
/// [`Error::invalid`] for a directory without a manifest, a target that is not empty (without
/// `--force`), nothing to restore; `pg_restore`'s failure; [`Error::unexpected`] when the
/// restored data differ from the manifest (each difference named).
pub async fn restore(config: &RestoreConfig) -> Result<String> {
    let started = Instant::now();
    let manifest = Manifest::read(&config.dir)?;
    let lake = manifest
        .lake
        .as_ref()
        .filter(|_| !config.parts.database_only);
    let database = manifest
        .database
        .as_ref()
        .filter(|_| !config.parts.lake_only);
    if lake.is_none() && database.is_none() {
        return Err(Error::invalid(format!(
            "nothing to restore: the backup in {} holds {}",
            config.dir.display(),
            what(&manifest, true, true)
        )));
    }
    let root = match lake {
        Some(_) => Some(delta_files::local_root(&config.lake.spark_root())?),
        None => None,
    };

    // What is in the way, all of it named before anything is written.
    let mut in_the_way = Vec::new();
    if let (Some(lake), Some(root)) = (lake, &root) {
        let occupied: Vec<&str> = lake
            .tables
            .iter()
            .filter(|t| delta_files::is_occupied(&root.join(&t.table)))
            .map(|t| t.table.as_str())
            .collect();
        if !occupied.is_empty() {
            in_the_way.push(format!(
                "the lake root {} holds {} of the backup's tables ({})",
                root.display(),
                occupied.len(),
                first_few(&occupied)
            ));
        }
    }
    if database.is_some() {
        let tables = postgres::tables_in(&config.database.url).await?;
        if !tables.is_empty() {
            let names: Vec<&str> = tables.iter().map(String::as_str).collect();
            in_the_way.push(format!(
                "database {} holds {} tables ({})",
                postgres::database_name(&config.database.url),
                tables.len(),
                first_few(&names)
            ));
        }
    }
    if !in_the_way.is_empty() && !config.force {
        return Err(Error::invalid(format!(
            "refusing to restore over data: {}; restore into an empty lake root and an empty \
             database, or pass --force to replace them",
            in_the_way.join("; ")
        )));
    }

    if let Some(database) = database {
        restore_database(config, database).await?;
    }
    if let (Some(lake), Some(root)) = (lake, &root) {
        restore_lake(config, lake, root).await?;
        let checkpoints = root.join("_checkpoints");
        if delta_files::is_occupied(&checkpoints) {
            tracing::warn!(
                path = %checkpoints.display(),
                "stream checkpoints exist under the restored lake root; they are not from the \
                 backup: remove them before starting mindy stream (see mindy backup's notes)"
            );
        }
    }
    let mut into = Vec::new();
    if let Some(root) = &root {
        into.push(root.display().to_string());
    }
    if database.is_some() {
        into.push(format!(
            "database {}",
            postgres::database_name(&config.database.url)
        ));
    }
    Ok(format!(
        "restored {} from {} into {}; versions and row counts verified, {:.1} s",
        what(&manifest, lake.is_some(), database.is_some()),
        config.dir.display(),
        into.join(" and "),
        started.elapsed().as_secs_f64()
    ))
}

async fn restore_database(config: &RestoreConfig, database: &DatabaseBackup) -> Result<()> {
    let url = &config.database.url;
    let name = postgres::database_name(url);
    tracing::info!(database = %name, dump = database.file, "restoring PostgreSQL (pg_restore)");
    let took = Instant::now();
    postgres::restore(
        &config.tools,
        url,
        &config.dir.join(&database.file),
        config.force,
    )
    .await?;
    let restored = postgres::counts(url).await?;
    let mut differences = Vec::new();
    for expected in &database.tables {
        match restored.iter().find(|t| t.table == expected.table) {
            Some(t) if t.rows == expected.rows => {}
            Some(t) => differences.push(format!(
                "{}: {} rows, the dump had {}",
                t.table, t.rows, expected.rows
            )),
            None => differences.push(format!("{}: missing", expected.table)),
        }
    }
    if !differences.is_empty() {
        return Err(Error::unexpected(
            "restore",
            format!(
                "database {name} differs from the dump: {}",
                differences.join("; ")
            ),
        ));
    }
    tracing::info!(
        database = %name,
        tables = database.tables.len(),
        seconds = took.elapsed().as_secs_f64(),
        "database restored, row counts verified"
    );
    Ok(())
}

async fn restore_lake(config: &RestoreConfig, lake: &LakeBackup, root: &Path) -> Result<()> {
    let session = SparkSession::builder()
        .remote(&config.spark.remote)
        .build()
        .await?;
    session.conf().set(METADATA_COUNT, "false").await?;
    let spark_root = config.lake.spark_root();
    let mut differences = Vec::new();
    for table in &lake.tables {
        let took = Instant::now();
        let source = config.dir.join(&lake.dir).join(&table.table);
        let target = root.join(&table.table);
        if config.force && target.exists() {
            std::fs::remove_dir_all(&target).map_err(|e| Error::io(&target, e))?;
        }
        let copied = blocking(move || delta_files::copy_table(&source, &target)).await?;
        if (copied.files, copied.bytes) != (table.files, table.bytes) {
            differences.push(format!(
                "{}: {} files ({} bytes) copied, the backup listed {} ({} bytes)",
                table.table, copied.files, copied.bytes, table.files, table.bytes
            ));
            continue;
        }
        let location = format!("{spark_root}/{}", table.table);
        let version = delta_log::latest_version(&session, &location).await?;
        let rows = match count_rows(&session, &location, None).await {
            Ok(rows) => rows,
            Err(e) => {
                let text = e.to_string();
                differences.push(format!(
                    "{}: cannot be read: {}",
                    table.table,
                    text.lines().next().unwrap_or_default()
                ));
                continue;
            }
        };
        if version != Some(table.version) || rows != table.rows {
            differences.push(format!(
                "{}: version {version:?} with {rows} rows, the backup has version {} with {} rows",
                table.table, table.version, table.rows
            ));
            continue;
        }
        tracing::info!(
            table = table.table,
            version = table.version,
            rows,
            files = copied.files,
            seconds = took.elapsed().as_secs_f64(),
            "table restored, version and rows verified"
        );
    }
    if differences.is_empty() {
        Ok(())
    } else {
        Err(Error::unexpected(
            "restore",
            format!(
                "the restored lake differs from the backup: {}",
                differences.join("; ")
            ),
        ))
    }
}

/// `count(*)` of the Delta table at `location`, as of `version` (the latest when `None`).
async fn count_rows(session: &SparkSession, location: &str, version: Option<i64>) -> Result<i64> {
    let as_of = version.map_or_else(String::new, |v| format!(" VERSION AS OF {v}"));
    let rows = Rows::new(
        session
            .sql(format!(
                "SELECT count(*) AS n FROM {}{as_of}",
                quoted_path(location)
            ))
            .await?
            .collect()
            .await?,
    );
    let n = rows
        .iter()
        .next()
        .ok_or_else(|| Error::unexpected("spark", format!("count of {location}: no row")))?
        .get::<i64>("n")?;
    Ok(n)
}

/// Runs blocking file work off the async runtime.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| Error::unexpected("backup", format!("file copy task failed: {e}")))?
}

/// What a manifest holds (the parts asked for), for the outcome line: `2 tables (1,234 rows,
/// 3.4 MB) and database mindy (12 tables, 0.1 MB)`.
fn what(manifest: &Manifest, lake: bool, database: bool) -> String {
    let mut parts = Vec::new();
    if let Some(l) = manifest.lake.as_ref().filter(|_| lake) {
        let rows: i64 = l.tables.iter().map(|t| t.rows).sum();
        let bytes: u64 = l.tables.iter().map(|t| t.bytes).sum();
        parts.push(format!(
            "{} Delta tables ({rows} rows, {})",
            l.tables.len(),
            megabytes(bytes)
        ));
    }
    if let Some(d) = manifest.database.as_ref().filter(|_| database) {
        parts.push(format!(
            "database {} ({} tables, dump {})",
            d.database,
            d.tables.len(),
            megabytes(d.bytes)
        ));
    }
    if parts.is_empty() {
        "nothing".to_string()
    } else {
        parts.join(" and ")
    }
}

/// Up to five names, `a, b, c, d, e, …`.
fn first_few(names: &[&str]) -> String {
    let shown = names.iter().take(5).copied().collect::<Vec<_>>().join(", ");
    if names.len() > 5 {
        format!("{shown}, …")
    } else {
        shown
    }
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_outcome_names_what_a_manifest_holds() {
        let mut manifest = Manifest {
            format: manifest::FORMAT,
            started_at: Utc::now(),
            finished_at: Utc::now(),
            mindy_version: "0.1.0".into(),
            lake: Some(LakeBackup {
                root: "/lake".into(),
                dir: LAKE_DIR.into(),
                spark_version: "3.5.7".into(),
                tables: vec![TableBackup {
                    table: "bronze/emails".into(),
                    version: 3,
                    rows: 12,
                    files: 5,
                    bytes: 2_500_000,
                    log_files: 4,
                }],
            }),
            database: Some(DatabaseBackup {
                file: DUMP_FILE.into(),
                database: "mindy".into(),
                bytes: 100_000,
                pg_dump_version: "pg_dump (PostgreSQL) 15.18".into(),
                server_version: "15.18".into(),
                tables: vec![],
            }),
        };
        assert_eq!(
            what(&manifest, true, true),
            "1 Delta tables (12 rows, 2.5 MB) and database mindy (0 tables, dump 0.1 MB)"
        );
        assert_eq!(
            what(&manifest, true, false),
            "1 Delta tables (12 rows, 2.5 MB)"
        );
        manifest.lake = None;
        assert_eq!(what(&manifest, true, false), "nothing");
        assert_eq!(first_few(&["a", "b"]), "a, b");
        assert_eq!(
            first_few(&["a", "b", "c", "d", "e", "f"]),
            "a, b, c, d, e, …"
        );
    }
}
