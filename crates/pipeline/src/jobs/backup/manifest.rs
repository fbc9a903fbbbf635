//! The backup's manifest, `manifest.json` in the backup directory: when the backup was taken,
//! each Delta table with the version copied, its row count at that version and the files copied,
//! and the PostgreSQL dump with the row count of every table in the dump's snapshot. `mindy
//! restore` reads it to know what to copy and what to verify.
//!
//! It is written last (to a temporary name, then renamed), so a directory without a manifest is
//! a backup that did not finish, and `mindy restore` refuses it.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The manifest's file name in the backup directory.
pub const FILE: &str = "manifest.json";

/// The manifest format this build writes and reads; a newer one is refused.
pub const FORMAT: u32 = 1;

/// What a backup directory holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// The manifest format ([`FORMAT`]).
    pub format: u32,
    /// When the backup started (UTC).
    pub started_at: DateTime<Utc>,
    /// When it finished (UTC).
    pub finished_at: DateTime<Utc>,
    /// The `mindy` that wrote it (its crate version).
    pub mindy_version: String,
    /// The lake's tables; `None` for a `--database-only` backup.
    pub lake: Option<LakeBackup>,
    /// The PostgreSQL dump; `None` for a `--lake-only` backup.
    pub database: Option<DatabaseBackup>,
}

/// The Delta tables of a backup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LakeBackup {
    /// The lake root they were copied from.
    pub root: String,
    /// The directory under the backup directory that holds the tables (`lake`).
    pub dir: String,
    /// The Spark version that counted the rows.
    pub spark_version: String,
    /// Every table copied, in the lake's order.
    pub tables: Vec<TableBackup>,
}

/// One Delta table as copied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableBackup {
    /// `<layer>/<name>`, its path under the lake root (and under [`LakeBackup::dir`]).
    pub table: String,
    /// The version copied: the copy's latest version is exactly this one.
    pub version: i64,
    /// Rows at that version (`SELECT count(*) … VERSION AS OF version`).
    pub rows: i64,
    /// Files copied: the log entries up to the version and every data file.
    pub files: u64,
    /// Their total size, in bytes.
    pub bytes: u64,
    /// Of those, the `_delta_log` files.
    pub log_files: u64,
}

/// The PostgreSQL part of a backup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatabaseBackup {
    /// The dump's file name in the backup directory (`pg_dump -Fc`).
    pub file: String,
    /// The database dumped.
    pub database: String,
    /// The dump's size, in bytes.
    pub bytes: u64,
    /// `pg_dump --version`.
    pub pg_dump_version: String,
    /// The server's `server_version`.
    pub server_version: String,
    /// Every table's rows in the dump's snapshot, as `schema.table`, sorted by name.
    pub tables: Vec<PgTableCount>,
}

/// A PostgreSQL table's row count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PgTableCount {
    /// `schema.table`.
    pub table: String,
    /// Its rows.
    pub rows: i64,
}

impl Manifest {
    /// Reads `<dir>/manifest.json`.
    ///
    /// # Errors
    /// [`Error::invalid`] when there is no manifest (not a backup, or one that did not finish),
    /// it does not parse, or its format is newer than this build's; [`Error::io`] when it cannot
    /// be read.
    pub fn read(dir: &Path) -> Result<Manifest> {
        let path = dir.join(FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::invalid(format!(
                    "{} has no {FILE}: not a backup, or a backup that did not finish",
                    dir.display()
                )))
            }
            Err(e) => return Err(Error::io(path, e)),
        };
        Self::parse(&text).map_err(|e| Error::invalid(format!("{}: {e}", path.display())))
    }

    /// Parses a manifest's text, checking its format.
    ///
    /// # Errors
    /// The parse error, or a format newer than [`FORMAT`], as a message.
    pub fn parse(text: &str) -> std::result::Result<Manifest, String> {
        let manifest: Manifest = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if manifest.format > FORMAT {
            return Err(format!(
                "manifest format {} is newer than this mindy's ({FORMAT}); restore with a newer mindy",
                manifest.format
            ));
        }
        Ok(manifest)
    }

    /// Writes `<dir>/manifest.json` (pretty JSON), through a temporary file renamed into place.
    ///
    /// # Errors
    /// [`Error::io`] when the file cannot be written.
    pub fn write(&self, dir: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(self)
            .map_err(|e| Error::unexpected("manifest", e.to_string()))?;
        let temporary = dir.join(format!(".{FILE}.tmp"));
        std::fs::write(&temporary, text + "\n").map_err(|e| Error::io(&temporary, e))?;
        let path = dir.join(FILE);
        std::fs::rename(&temporary, &path).map_err(|e| Error::io(path, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WRITTEN: &str = r#"{
      "format": 1,
      "started_at": "2026-12-01T11:00:00Z",
      "finished_at": "2026-12-01T11:00:42.5Z",
      "mindy_version": "0.1.0",
      "lake": {
        "root": "/lake",
        "dir": "lake",
        "spark_version": "3.5.7",
        "tables": [
          {"table": "bronze/emails", "version": 7, "rows": 120, "files": 14, "bytes": 53211, "log_files": 8}
        ]
      },
      "database": {
        "file": "postgres.dump",
        "database": "mindy",
        "bytes": 9000,
        "pg_dump_version": "pg_dump (PostgreSQL) 15.18",
        "server_version": "15.18",
        "tables": [{"table": "public.daily_insights", "rows": 30}]
      }
    }"#;

    #[test]
    fn a_manifest_parses_and_round_trips() {
        let manifest = Manifest::parse(WRITTEN).unwrap();
        let lake = manifest.lake.as_ref().unwrap();
        assert_eq!(lake.tables[0].table, "bronze/emails");
        assert_eq!(lake.tables[0].version, 7);
        assert_eq!(lake.tables[0].rows, 120);
        let database = manifest.database.as_ref().unwrap();
        assert_eq!(database.tables[0].rows, 30);
        assert_eq!(
            manifest.finished_at - manifest.started_at,
            chrono::Duration::milliseconds(42_500)
        );

        let dir = tempfile::tempdir().unwrap();
        manifest.write(dir.path()).unwrap();
        assert_eq!(Manifest::read(dir.path()).unwrap(), manifest);
        assert!(!dir.path().join(".manifest.json.tmp").exists());
    }

    #[test]
    fn a_lake_only_manifest_has_no_database() {
        let text = WRITTEN.replace(r#""database": {"#, r#""database": null, "unused": {"#);
        assert_eq!(Manifest::parse(&text).unwrap().database, None);
    }

    #[test]
    fn missing_broken_and_newer_manifests_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let missing = Manifest::read(dir.path()).unwrap_err().to_string();
        assert!(missing.contains("has no manifest.json"), "{missing}");

        std::fs::write(dir.path().join(FILE), "{\"format\": 1").unwrap();
        let broken = Manifest::read(dir.path()).unwrap_err().to_string();
        assert!(broken.contains("manifest.json: EOF"), "{broken}");

        let newer =
            Manifest::parse(&WRITTEN.replace(r#""format": 1"#, r#""format": 2"#)).unwrap_err();
        assert!(newer.contains("format 2 is newer"), "{newer}");

        let no_version = Manifest::parse(&WRITTEN.replace(r#""version": 7, "#, "")).unwrap_err();
        assert!(
            no_version.contains("missing field `version`"),
            "{no_version}"
        );
    }
}
