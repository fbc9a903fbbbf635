//! The lake as the pipeline dashboard shows it (`GET /api/pipeline/lake`): for each Delta table of
//! the lake ([`mindy_core::lake::TABLES`]), its version, rows, data files, bytes and last commit,
//! kept in PostgreSQL's `lake_tables` by `mindy export`.
//!
//! The figures are read on the cluster: `DESCRIBE DETAIL` (Delta's `numFiles`, `sizeInBytes` and
//! `lastModified`, the time of the latest commit) and `count(*)`, which Delta answers from the
//! files' statistics. A table is read again only when its version moved since the last read (the
//! version itself comes from [`delta_log::latest_version`], a directory listing on a local lake),
//! so a pass over an idle lake asks Spark nothing. The API reads the rows; it needs no Delta reader
//! of its own, and the view is as fresh as the exporter's last pass (`--lake-interval`).

use std::collections::HashMap;
use std::fmt;

use chrono::{DateTime, Utc};
use futures::{stream, StreamExt};
use mindy_core::config::LakeArgs;
use mindy_core::lake::{LakeTable, TABLES};
use spark_client::rows::Rows;
use spark_client::SparkSession;
use sqlx::PgPool;

use crate::jobs::delta_log;
use crate::jobs::stream::calendar::merge;
use crate::Result;

/// Tables read at once: each read is two small Spark jobs, mostly the driver's time.
const CONCURRENT_READS: usize = 4;

/// One table's figures at a version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figures {
    /// The version found before the read (a commit landing during the read is picked up by the
    /// next pass, which sees the version move again).
    pub version: i64,
    /// Rows (`count(*)`).
    pub records: i64,
    /// Data files of the current version (`numFiles`).
    pub files: i64,
    /// Their bytes (`sizeInBytes`).
    pub size_bytes: i64,
    /// When the current version was committed (`lastModified`).
    pub last_updated: Option<DateTime<Utc>>,
}

/// Reads the figures of the Delta table at `path` (as Spark sees it), found at `version`.
///
/// # Errors
/// Spark's; a `DESCRIBE DETAIL` without its columns.
pub async fn read(spark: &SparkSession, path: &str, version: i64) -> Result<Figures> {
    let detail = async {
        let rows = Rows::new(
            spark
                .sql(format!("DESCRIBE DETAIL delta.`{path}`"))
                .await?
                .select(["numFiles", "sizeInBytes", "lastModified"])
                .collect()
                .await?,
        );
        let row = rows
            .iter()
            .next()
            .ok_or_else(|| crate::Error::invalid(format!("DESCRIBE DETAIL of {path}: no row")))?;
        Ok::<_, crate::Error>((
            row.get::<Option<i64>>("numFiles")?.unwrap_or(0),
            row.get::<Option<i64>>("sizeInBytes")?.unwrap_or(0),
            row.get::<Option<DateTime<Utc>>>("lastModified")?,
        ))
    };
    let count_sql = format!("SELECT count(*) AS n FROM delta.`{path}`");
    let count = merge::count(spark, &count_sql);
    let ((files, size_bytes, last_updated), records) = tokio::try_join!(detail, count)?;
    Ok(Figures {
        version,
        records,
        files,
        size_bytes,
        last_updated,
    })
}

/// What a pass did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Refreshed {
    /// Tables read and written (their version moved, or they were new).
    pub read: usize,
    /// Tables whose stored figures were still current.
    pub unchanged: usize,
    /// Tables not (or no longer) in the lake.
    pub absent: usize,
    /// Tables whose read failed (the error is stored beside their previous figures).
    pub failed: usize,
}

impl fmt::Display for Refreshed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} tables read, {} unchanged, {} not created yet",
            self.read, self.unchanged, self.absent
        )?;
        if self.failed > 0 {
            write!(f, ", {} failed", self.failed)?;
        }
        Ok(())
    }
}

/// What a stored row says: its version, and whether its last read failed.
type Stored = HashMap<(String, String), (i64, bool)>;

/// Brings `lake_tables` up to date for every table of the lake under `lake`.
///
/// # Errors
/// PostgreSQL's. A table Spark cannot read is counted in [`Refreshed::failed`] and its error is
/// stored; the pass goes on with the others.
pub async fn refresh(spark: &SparkSession, pool: &PgPool, lake: &LakeArgs) -> Result<Refreshed> {
    let root = lake.spark_root();
    let rows: Vec<(String, String, i64, bool)> = sqlx::query_as(
        "SELECT layer, name, version, error IS NOT NULL FROM lake_tables WHERE lake_root = $1",
    )
    .bind(&root)
    .fetch_all(pool)
    .await?;
    let stored: Stored = rows
        .into_iter()
        .map(|(layer, name, version, failed)| ((layer, name), (version, failed)))
        .collect();
    // The futures are built first, not in a `map` closure over the tables: a closure's borrowed
    // arguments would make the stream's future not `Send` for the callers that spawn the exporter.
    let reads: Vec<_> = TABLES
        .iter()
        .map(|table| refresh_table(spark, pool, lake, &root, table, &stored))
        .collect();
    let outcomes: Vec<Result<Outcome>> = stream::iter(reads)
        .buffer_unordered(CONCURRENT_READS)
        .collect()
        .await;
    let mut refreshed = Refreshed::default();
    for outcome in outcomes {
        match outcome? {
            Outcome::Read => refreshed.read += 1,
            Outcome::Unchanged => refreshed.unchanged += 1,
            Outcome::Absent => refreshed.absent += 1,
            Outcome::Failed => refreshed.failed += 1,
        }
    }
    Ok(refreshed)
}

enum Outcome {
    Read,
    Unchanged,
    Absent,
    Failed,
}

async fn refresh_table(
    spark: &SparkSession,
    pool: &PgPool,
    lake: &LakeArgs,
    root: &str,
    table: &LakeTable,
    stored: &Stored,
) -> Result<Outcome> {
    let path = lake.location(table);
    let layer = table.layer.as_str();
    let key = (layer.to_string(), table.name.to_string());
    let before = stored.get(&key).copied();
    let latest = match delta_log::latest_version(spark, &path).await {
        Ok(latest) => latest,
        Err(e) => return store_failure(pool, root, table, before, &e).await,
    };
    let Some(version) = latest else {
        if before.is_some() {
            sqlx::query(
                "DELETE FROM lake_tables WHERE lake_root = $1 AND layer = $2 AND name = $3",
            )
            .bind(root)
            .bind(layer)
            .bind(table.name)
            .execute(pool)
            .await?;
        }
        return Ok(Outcome::Absent);
    };
    if before == Some((version, false)) {
        return Ok(Outcome::Unchanged);
    }
    let figures = match read(spark, &path, version).await {
        Ok(figures) => figures,
        Err(e) => return store_failure(pool, root, table, before, &e).await,
    };
    sqlx::query(
        "INSERT INTO lake_tables (lake_root, layer, name, version, records, files, size_bytes, \
                                  last_updated, error, checked_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, now()) \
         ON CONFLICT (lake_root, layer, name) DO UPDATE SET version = EXCLUDED.version, \
             records = EXCLUDED.records, files = EXCLUDED.files, size_bytes = EXCLUDED.size_bytes, \
             last_updated = EXCLUDED.last_updated, error = NULL, checked_at = now()",
    )
    .bind(root)
    .bind(layer)
    .bind(table.name)
    .bind(figures.version)
    .bind(figures.records)
    .bind(figures.files)
    .bind(figures.size_bytes)
    .bind(figures.last_updated)
    .execute(pool)
    .await?;
    Ok(Outcome::Read)
}

/// Stores why `table` could not be read, keeping its previous figures (or zeros at version 0 for
/// a table never read).
async fn store_failure(
    pool: &PgPool,
    root: &str,
    table: &LakeTable,
    before: Option<(i64, bool)>,
    error: &crate::Error,
) -> Result<Outcome> {
    let reason = crate::error::causes(error);
    tracing::warn!(table = %table.relative_path(), error = %reason, "lake table not read");
    sqlx::query(
        "INSERT INTO lake_tables (lake_root, layer, name, version, files, size_bytes, error, checked_at) \
         VALUES ($1, $2, $3, $4, 0, 0, $5, now()) \
         ON CONFLICT (lake_root, layer, name) DO UPDATE SET error = EXCLUDED.error, checked_at = now()",
    )
    .bind(root)
    .bind(table.layer.as_str())
    .bind(table.name)
    .bind(before.map_or(0, |(version, _)| version))
    .bind(reason)
    .execute(pool)
    .await?;
    Ok(Outcome::Failed)
}
