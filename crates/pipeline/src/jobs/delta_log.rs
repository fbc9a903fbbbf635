//! A Delta table's latest version, which the continuous jobs ask for every few seconds (the
//! exporter for each of its tables, the enricher for bronze, the calendar's merge for its
//! changes table).
//!
//! Asked of Spark (`DESCRIBE HISTORY … LIMIT 1`), each question loads the table's snapshot on
//! the Connect server and often runs a job on the executors: on the stack's two cores, a
//! continuous exporter asking for fifteen tables every two seconds took a large share of the
//! cluster from the jobs that compute. A table on a local path (the lake as the stack runs it)
//! is answered from its transaction log's file names instead — the version of a commit is the
//! number in its file name, `_delta_log/<20 digits>.json` (Delta's protocol, "Delta Log
//! Entries") — and Spark is asked only for a table it alone can see (an `s3a://` lake, or a
//! path not present on this machine).
//!
//! Also a table's properties ([`table_property`]), where jobs keep what they last did.

use std::path::Path;

use spark_client::rows::Rows;
use spark_client::SparkSession;

use crate::Result;

/// Error classes saying there is no Delta table at a path (yet).
const NOT_A_TABLE: &[&str] = &[
    "DELTA_MISSING_DELTA_TABLE",
    "DELTA_TABLE_NOT_FOUND",
    "DELTA_PATH_DOES_NOT_EXIST",
    "PATH_NOT_FOUND",
];

/// The latest version of the Delta table at `path` (as Spark sees it: a local path or a URL),
/// `None` when there is no table there yet.
///
/// # Errors
/// Spark's error for a table only Spark can read, when it is not "no such table"; a local log
/// directory that cannot be listed.
pub async fn latest_version(session: &SparkSession, path: &str) -> Result<Option<i64>> {
    if let Some(log) = local_log(path) {
        if tokio::fs::try_exists(&log).await.unwrap_or(false) {
            return newest_commit(&log)
                .await
                .map_err(|e| crate::Error::io(log, e));
        }
    }
    let history = match session
        .sql(format!("DESCRIBE HISTORY delta.`{path}` LIMIT 1"))
        .await
    {
        Ok(df) => df.select(["version"]).collect().await,
        Err(e) => Err(e),
    };
    match history {
        Ok(batches) => {
            let rows = Rows::new(batches);
            let row = rows.iter().next();
            Ok(match row {
                Some(row) => row.get::<Option<i64>>("version")?,
                None => None,
            })
        }
        Err(e) if is_missing_table(&e) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The value of the table property `key` of the Delta table at `path`, `None` when it is not set.
///
/// # Errors
/// Spark's, e.g. when there is no table at `path`.
pub async fn table_property(
    session: &SparkSession,
    path: &str,
    key: &str,
) -> Result<Option<String>> {
    let properties = Rows::new(
        session
            .sql(format!("SHOW TBLPROPERTIES delta.`{path}`"))
            .await?
            .collect()
            .await?,
    );
    for row in properties.iter() {
        if row.get::<Option<String>>("key")?.as_deref() == Some(key) {
            return Ok(Some(
                row.get::<Option<String>>("value")?.unwrap_or_default(),
            ));
        }
    }
    Ok(None)
}

/// Whether `e` says there is no Delta table where one was asked for.
pub(crate) fn is_missing_table(e: &spark_client::Error) -> bool {
    e.error_class().is_some_and(|c| NOT_A_TABLE.contains(&c))
        || e.to_string().contains("is not a Delta table")
}

/// The file system path of a path as Spark sees it (`/lake/t`, `file:/lake/t`,
/// `file:///lake/t`); `None` for another scheme's URL (an object store).
pub fn local_path(path: &str) -> Option<&str> {
    match path.split_once("://") {
        Some(("file", rest)) => Some(rest),
        Some(_) => None,
        None => Some(path.strip_prefix("file:").unwrap_or(path)),
    }
}

/// The `_delta_log` directory of a table on a local, absolute path ([`local_path`]).
fn local_log(path: &str) -> Option<std::path::PathBuf> {
    let local = Path::new(local_path(path)?);
    local.is_absolute().then(|| local.join("_delta_log"))
}

/// The highest commit number among `log`'s `<20 digits>.json` files; `None` before the first
/// commit.
async fn newest_commit(log: &Path) -> std::io::Result<Option<i64>> {
    let mut entries = tokio::fs::read_dir(log).await?;
    let mut newest = None;
    while let Some(entry) = entries.next_entry().await? {
        if let Some(version) = commit_version(&entry.file_name().to_string_lossy()) {
            newest = newest.max(Some(version));
        }
    }
    Ok(newest)
}

/// The version of a commit file's name (`00000000000000000012.json` → 12); `None` for the log's
/// other files (checkpoints, checksums, temporary files, `_last_checkpoint`).
fn commit_version(name: &str) -> Option<i64> {
    match classify(name) {
        LogEntry::Commit(version) => Some(version),
        _ => None,
    }
}

/// What kind of entry a `_delta_log` file name is, with the version(s) it stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogEntry {
    /// `<v>.json`: the commit of version `v`.
    Commit(i64),
    /// `<v>.checkpoint.parquet`, `<v>.checkpoint.<part>.<parts>.parquet`,
    /// `<v>.checkpoint.<uuid>.{json,parquet}`: a checkpoint of version `v`.
    Checkpoint(i64),
    /// `<v>.crc`: version `v`'s checksum file.
    Checksum(i64),
    /// `<from>.<to>.compacted.json`: the commits `from..=to` compacted.
    Compacted(i64, i64),
    /// `_last_checkpoint`.
    LastCheckpoint,
    /// A Hadoop checksum of another log file (`.<name>.crc`).
    HadoopChecksum,
    /// Anything else: temporary files of a commit being written, unknown files.
    Other,
}

/// A 20-digit version at the start of `name`, and the rest after its dot.
fn version_prefix(name: &str) -> Option<(i64, &str)> {
    let digits = name.get(..20)?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let rest = name.get(20..)?.strip_prefix('.')?;
    Some((digits.parse().ok()?, rest))
}

/// Classifies a `_delta_log` file name.
pub fn classify(name: &str) -> LogEntry {
    if name == "_last_checkpoint" {
        return LogEntry::LastCheckpoint;
    }
    if name.starts_with('.') && name.ends_with(".crc") {
        return LogEntry::HadoopChecksum;
    }
    let Some((version, rest)) = version_prefix(name) else {
        return LogEntry::Other;
    };
    if rest == "json" {
        return LogEntry::Commit(version);
    }
    if rest == "crc" {
        return LogEntry::Checksum(version);
    }
    if rest.starts_with("checkpoint.") && (rest.ends_with(".parquet") || rest.ends_with(".json")) {
        return LogEntry::Checkpoint(version);
    }
    if let Some((to, "compacted.json")) = version_prefix(rest) {
        return LogEntry::Compacted(version, to);
    }
    LogEntry::Other
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_commit_files_carry_a_version() {
        assert_eq!(commit_version("00000000000000000012.json"), Some(12));
        assert_eq!(commit_version("00000000000000000000.json"), Some(0));
        assert_eq!(
            commit_version("00000000000000000010.checkpoint.parquet"),
            None
        );
        assert_eq!(commit_version("00000000000000000010.crc"), None);
        assert_eq!(commit_version(".00000000000000000011.json.tmp"), None);
        assert_eq!(commit_version("_last_checkpoint"), None);
        assert_eq!(commit_version("12.json"), None);
    }

    #[test]
    fn local_paths_are_listed_and_urls_left_to_spark() {
        assert_eq!(
            local_log("/lake/bronze/emails"),
            Some("/lake/bronze/emails/_delta_log".into())
        );
        assert_eq!(
            local_log("file:///lake/t"),
            Some("/lake/t/_delta_log".into())
        );
        assert_eq!(local_log("file:/lake/t"), Some("/lake/t/_delta_log".into()));
        assert_eq!(local_log("s3a://bucket/lake/t"), None);
        assert_eq!(local_log("relative/t"), None);
    }

    #[tokio::test]
    async fn the_newest_commit_is_the_highest_file_number() {
        let dir = std::env::temp_dir().join(format!("delta-log-{}", std::process::id()));
        let log = dir.join("_delta_log");
        std::fs::create_dir_all(&log).unwrap();
        assert_eq!(newest_commit(&log).await.unwrap(), None);
        for name in [
            "00000000000000000000.json",
            "00000000000000000009.json",
            "00000000000000000010.json",
            "00000000000000000010.checkpoint.parquet",
            ".00000000000000000011.json.tmp",
            "_last_checkpoint",
        ] {
            std::fs::write(log.join(name), b"").unwrap();
        }
        assert_eq!(newest_commit(&log).await.unwrap(), Some(10));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
