//! `GET /api/pipeline/lake`: each Delta table of the bronze, silver and gold layers, read from
//! its transaction log with the `deltalake` crate (no query engine).

use std::path::{Path, PathBuf};

use mindy_core::lake;
use serde::Serialize;
use utoipa::ToSchema;

/// Every Delta table found under the lake root.
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
    /// Rows, summed from the add actions' statistics (`null` when a file has none).
    pub records: Option<u64>,
    /// Data files in the current version.
    pub files: u64,
    /// Bytes of those files.
    pub size_bytes: u64,
    /// When the current version was committed (RFC 3339).
    pub last_updated: Option<String>,
    /// Why the table could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Reads every table under `root` (a local path).
pub async fn report(root: &str) -> LakeReport {
    let mut layers = Vec::new();
    for layer in lake::Layer::ALL {
        let mut tables = Vec::new();
        for dir in table_dirs(&Path::new(root).join(layer.as_str())) {
            tables.push(table(&dir).await);
        }
        layers.push(Layer {
            name: layer.as_str().to_string(),
            tables,
        });
    }
    LakeReport {
        root: root.to_string(),
        layers,
    }
}

/// Sub-directories holding a `_delta_log`, sorted by name.
fn table_dirs(layer: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(layer) else {
        return Vec::new();
    };
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("_delta_log").is_dir())
        .collect();
    dirs.sort();
    dirs
}

async fn table(dir: &Path) -> LakeTable {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let mut entry = LakeTable {
        name,
        version: None,
        records: None,
        files: 0,
        size_bytes: 0,
        last_updated: None,
        error: None,
    };
    if let Err(e) = fill(dir, &mut entry).await {
        entry.error = Some(e);
    }
    entry
}

async fn fill(dir: &Path, entry: &mut LakeTable) -> Result<(), String> {
    let absolute = std::fs::canonicalize(dir).map_err(|e| e.to_string())?;
    let url = url::Url::from_directory_path(&absolute)
        .map_err(|_| format!("bad path {}", absolute.display()))?;
    let table = deltalake::open_table(url)
        .await
        .map_err(|e| e.to_string())?;
    let state = table.snapshot().map_err(|e| e.to_string())?;
    let version = state.version();
    entry.version = Some(version as i64);
    entry.last_updated = state
        .version_timestamp(version)
        .and_then(chrono::DateTime::from_timestamp_millis)
        .map(|t| t.to_rfc3339());
    let mut records = Some(0u64);
    for file in state.log_data().iter() {
        entry.files += 1;
        entry.size_bytes += file.size() as u64;
        records = match (records, file.num_records()) {
            (Some(total), Some(n)) => Some(total + n as u64),
            _ => None,
        };
    }
    entry.records = records;
    Ok(())
}
