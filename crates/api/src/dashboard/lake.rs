//! `GET /api/pipeline/lake`: each Delta table of the bronze, silver and gold layers, as `mindy
//! export` last read it on the Spark cluster (PostgreSQL's `lake_tables`, kept by the exporter's
//! `lake_state` step every `MINDY_EXPORT_LAKE_INTERVAL`). The API opens no Delta log itself.

use chrono::{DateTime, Utc};
use mindy_core::lake;
use serde::Serialize;
use sqlx::PgPool;
use utoipa::ToSchema;

/// Every Delta table of the lake the exporter has read.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LakeReport {
    /// The lake root as configured.
    pub root: String,
    /// One entry per layer, in pipeline order.
    pub layers: Vec<Layer>,
}

/// One layer's tables.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Layer {
    /// `bronze`, `silver` or `gold`.
    pub name: String,
    /// Its tables, by name.
    pub tables: Vec<LakeTable>,
}

/// One Delta table's state.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LakeTable {
    /// Directory name under the layer.
    pub name: String,
    /// Current version (commits so far minus one).
    pub version: Option<i64>,
    /// Rows (`count(*)` at that version; `null` before the first successful read).
    pub records: Option<u64>,
    /// Data files in the current version.
    pub files: u64,
    /// Bytes of those files.
    pub size_bytes: u64,
    /// When the current version was committed (RFC 3339).
    pub last_updated: Option<String>,
    /// Why the exporter's last read of the table failed (the figures are those of the read
    /// before).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The tables of the lake at `root` (as Spark sees it), by layer in pipeline order and by name
/// within a layer; a layer with no table read yet is listed empty.
///
/// # Errors
/// PostgreSQL's.
pub async fn report(pool: &PgPool, root: &str) -> Result<LakeReport, sqlx::Error> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT layer, name, version, records, files, size_bytes, last_updated, error \
         FROM lake_tables WHERE lake_root = $1 ORDER BY layer, name",
    )
    .bind(root)
    .fetch_all(pool)
    .await?;
    let layers = lake::Layer::ALL
        .iter()
        .map(|layer| Layer {
            name: layer.as_str().to_string(),
            tables: rows
                .iter()
                .filter(|r| r.layer == layer.as_str())
                .map(Row::table)
                .collect(),
        })
        .collect();
    Ok(LakeReport {
        root: root.to_string(),
        layers,
    })
}

/// A row of `lake_tables`.
#[derive(sqlx::FromRow)]
struct Row {
    layer: String,
    name: String,
    version: i64,
    records: Option<i64>,
    files: i64,
    size_bytes: i64,
    last_updated: Option<DateTime<Utc>>,
    error: Option<String>,
}

impl Row {
    fn table(&self) -> LakeTable {
        LakeTable {
            name: self.name.clone(),
            version: Some(self.version),
            records: self.records.map(|n| n.max(0) as u64),
            files: self.files.max(0) as u64,
            size_bytes: self.size_bytes.max(0) as u64,
            last_updated: self.last_updated.map(|t| t.to_rfc3339()),
            error: self.error.clone(),
        }
    }
}
