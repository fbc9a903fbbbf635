//! A Delta table copied at file level as of one version (Delta's protocol, "Delta Log Entries",
//! "Checkpoints", "Log Compaction Files").
//!
//! The version `v` is read from the log's file names first (the highest `<20 digits>.json`; on a
//! local file system Delta publishes a commit by an atomic rename, so a commit file that is
//! there is complete). The copy then takes:
//! - from `_delta_log`: the commits, checkpoints (single-part, multi-part, V2), checksums and
//!   compacted logs of versions ≤ `v`, and `_last_checkpoint` only when the checkpoint it
//!   points to is ≤ `v` (left out otherwise: it is a hint, readers list the log without it);
//!   V2 checkpoints' `_sidecars` whole (sidecar files are immutable);
//! - every other file of the table's directory (data files, `_change_data`, deletion vectors),
//!   listed *after* `v` was read. A file referenced at `v` was written before commit `v` was
//!   published, so it is in that listing; and VACUUM removes only files that no version within
//!   its retention (at least 7 days unless forced) references, never a file of the latest
//!   version. Files of later commits or of aborted writes are copied too and harmlessly
//!   unreferenced by the copy's log; one that disappears while being copied (an aborted task's
//!   cleanup) is skipped.
//!
//! A commit made during the copy therefore never shows in the copy: the copy's latest version is
//! `v`, with `v`'s history, table properties and change data feed.

use std::path::{Path, PathBuf};

pub use crate::jobs::delta_log::{classify, LogEntry};
use crate::{Error, Result};

/// The transaction log's directory name.
pub const LOG_DIR: &str = "_delta_log";

/// What one table's copy took.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Copied {
    /// The version copied.
    pub version: i64,
    /// Files copied (log and data).
    pub files: u64,
    /// Their bytes.
    pub bytes: u64,
    /// Of the files, those in `_delta_log`.
    pub log_files: u64,
}

/// The table's latest version by its log's file names; `None` before the first commit.
pub fn latest_version<'a>(names: impl IntoIterator<Item = &'a str>) -> Option<i64> {
    names
        .into_iter()
        .filter_map(|name| match classify(name) {
            LogEntry::Commit(v) => Some(v),
            _ => None,
        })
        .max()
}

/// The log files (by name, sorted) a copy as of `version` takes, `_last_checkpoint` aside
/// ([`last_checkpoint_within`] decides it from its content). A Hadoop checksum goes with the
/// file it checks.
pub fn select_log<'a>(names: &[&'a str], version: i64) -> Vec<&'a str> {
    let within = |name: &str| match classify(name) {
        LogEntry::Commit(v) | LogEntry::Checkpoint(v) | LogEntry::Checksum(v) => v <= version,
        LogEntry::Compacted(_, to) => to <= version,
        _ => false,
    };
    let mut selected: Vec<&str> = names
        .iter()
        .copied()
        .filter(|name| {
            within(name)
                || (classify(name) == LogEntry::HadoopChecksum
                    && name
                        .strip_prefix('.')
                        .and_then(|n| n.strip_suffix(".crc"))
                        .is_some_and(within))
        })
        .collect();
    selected.sort_unstable();
    selected
}

/// Whether a `_last_checkpoint` with this content points to a checkpoint of a version ≤
/// `version` (only then is it copied).
pub fn last_checkpoint_within(content: &[u8], version: i64) -> bool {
    serde_json::from_slice::<serde_json::Value>(content)
        .ok()
        .and_then(|v| v["version"].as_i64())
        .is_some_and(|v| v <= version)
}

/// The newest checkpoint version among `names` that is ≤ `version`.
fn checkpoint_at_or_before(names: &[&str], version: i64) -> Option<i64> {
    names
        .iter()
        .filter_map(|name| match classify(name) {
            LogEntry::Checkpoint(v) if v <= version => Some(v),
            _ => None,
        })
        .max()
}

/// Copies the table at `source` into `target` (created) as of its latest version; `None` when
/// `source` has no commit yet. Blocking: run it off the async runtime.
///
/// # Errors
/// [`Error::io`] for a file that cannot be listed, read or written, or a log file needed for the
/// version that is missing.
pub fn snapshot(source: &Path, target: &Path) -> Result<Option<Copied>> {
    snapshot_at(source, target, None)
}

/// [`snapshot`] as of `version` (`None`: the latest). An earlier version is copied the way a
/// backup copies the latest while later commits arrive: its log up to it, every data file there
/// is. Its data files must still be there (within VACUUM's retention).
///
/// # Errors
/// As [`snapshot`]; [`Error::invalid`] for a version the log does not have yet.
pub fn snapshot_at(source: &Path, target: &Path, version: Option<i64>) -> Result<Option<Copied>> {
    let log = source.join(LOG_DIR);
    let names = list_names(&log)?;
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let Some(latest) = latest_version(refs.iter().copied()) else {
        return Ok(None);
    };
    let version = match version {
        None => latest,
        Some(v) if v <= latest => v,
        Some(v) => {
            return Err(Error::invalid(format!(
                "{} has no version {v} (its latest is {latest})",
                source.display()
            )))
        }
    };
    let mut copied = Copied {
        version,
        ..Copied::default()
    };
    let target_log = target.join(LOG_DIR);
    std::fs::create_dir_all(&target_log).map_err(|e| Error::io(&target_log, e))?;
    // Log cleanup (`delta.logRetentionDuration`) may delete commits older than a checkpoint
    // while we copy; those are not needed, the checkpoint replaces them.
    let replaced_below = checkpoint_at_or_before(&refs, version).unwrap_or(-1);
    for name in select_log(&refs, version) {
        let needed = match classify(name) {
            LogEntry::Commit(v) | LogEntry::Checksum(v) => v >= replaced_below,
            LogEntry::Checkpoint(v) => v == replaced_below,
            _ => false,
        };
        match copy_file(&log.join(name), &target_log.join(name)) {
            Ok(bytes) => copied.add(bytes, true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !needed => {
                tracing::debug!(file = name, "log file gone while copying; not needed");
            }
            Err(e) => return Err(Error::io(log.join(name), e)),
        }
    }
    let pointer = log.join("_last_checkpoint");
    match std::fs::read(&pointer) {
        Ok(content) if last_checkpoint_within(&content, version) => {
            let to = target_log.join("_last_checkpoint");
            std::fs::write(&to, &content).map_err(|e| Error::io(to, e))?;
            copied.add(content.len() as u64, true);
        }
        Ok(_) => tracing::debug!(
            version,
            "_last_checkpoint points past the version; left out"
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(pointer, e)),
    }
    let sidecars = log.join("_sidecars");
    if sidecars.is_dir() {
        copy_tree(&sidecars, &target_log.join("_sidecars"), &mut copied, true)?;
    }
    // The data files, listed only now that the version is fixed.
    copy_tree(source, target, &mut copied, false)?;
    Ok(Some(copied))
}

impl Copied {
    fn add(&mut self, bytes: u64, log: bool) {
        self.files += 1;
        self.bytes += bytes;
        if log {
            self.log_files += 1;
        }
    }
}

/// Copies every file under `source` into `target` (a table's data files, or a whole restored
/// table), skipping the table's own `_delta_log` when `log` is false, and files that vanish
/// while being copied.
pub fn copy_tree(source: &Path, target: &Path, copied: &mut Copied, log: bool) -> Result<()> {
    std::fs::create_dir_all(target).map_err(|e| Error::io(target, e))?;
    let entries = std::fs::read_dir(source).map_err(|e| Error::io(source, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(source, e))?;
        let name = entry.file_name();
        let from = entry.path();
        let to = target.join(&name);
        let kind = entry.file_type().map_err(|e| Error::io(&from, e))?;
        if kind.is_dir() {
            if !log && name == LOG_DIR {
                continue;
            }
            copy_tree(&from, &to, copied, log)?;
        } else if kind.is_file() {
            match copy_file(&from, &to) {
                Ok(bytes) => copied.add(bytes, log),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    tracing::debug!(file = %from.display(), "gone while copying; unreferenced");
                }
                Err(e) => return Err(Error::io(from, e)),
            }
        }
    }
    Ok(())
}

/// Copies a whole table directory (a restore): every file, the log included, counted as
/// [`Copied`] with `log_files` the `_delta_log` ones.
///
/// # Errors
/// [`Error::io`] for a file that cannot be read or written.
pub fn copy_table(source: &Path, target: &Path) -> Result<Copied> {
    let mut copied = Copied::default();
    copy_tree(
        &source.join(LOG_DIR),
        &target.join(LOG_DIR),
        &mut copied,
        true,
    )?;
    copy_tree(source, target, &mut copied, false)?;
    Ok(copied)
}

fn copy_file(from: &Path, to: &Path) -> std::io::Result<u64> {
    std::fs::copy(from, to)
}

/// The file names in a directory, sorted.
fn list_names(dir: &Path) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        if entry.file_type().map_err(|e| Error::io(dir, e))?.is_file() {
            names.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    names.sort();
    Ok(names)
}

/// Every Delta table under a local lake root's layer directories: `<root>/<layer>/<name>` with a
/// `_delta_log`, as `<layer>/<name>`, in the lake's order ([`mindy_core::lake::TABLES`]) and
/// then by name. The lake's other directories (`_checkpoints`, `_tests`) are not tables of it.
///
/// # Errors
/// [`Error::io`] for a layer directory that cannot be listed.
pub fn discover(root: &Path) -> Result<Vec<String>> {
    let mut found = Vec::new();
    for layer in mindy_core::lake::Layer::ALL {
        let dir = root.join(layer.as_str());
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(Error::io(dir, e)),
        };
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(&dir, e))?;
            if entry.path().join(LOG_DIR).is_dir() {
                found.push(format!(
                    "{}/{}",
                    layer.as_str(),
                    entry.file_name().to_string_lossy()
                ));
            }
        }
    }
    let order = |table: &String| {
        mindy_core::lake::TABLES
            .iter()
            .position(|t| &t.relative_path() == table)
            .unwrap_or(usize::MAX)
    };
    found.sort_by(|a, b| order(a).cmp(&order(b)).then_with(|| a.cmp(b)));
    Ok(found)
}

/// Whether `path` holds anything (a file, or a directory with an entry); a missing path is empty.
pub fn is_occupied(path: &Path) -> bool {
    match std::fs::read_dir(path) {
        Ok(mut entries) => entries.next().is_some(),
        Err(_) => path.exists(),
    }
}

/// The local directory of a lake root as Spark sees it (`/lake`, `file:/lake`, `file:///lake`).
///
/// # Errors
/// [`Error::invalid`] for an object store URL: a file-level copy needs the files on this machine.
pub fn local_root(spark_root: &str) -> Result<PathBuf> {
    crate::jobs::delta_log::local_path(spark_root)
        .map(PathBuf::from)
        .ok_or_else(|| {
            Error::invalid(format!(
                "the lake root {spark_root} is not on this machine: mindy backup copies the \
                 tables' files and needs a local lake root (for an object store, use its own \
                 snapshots or replication)"
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_file_names_are_classified() {
        use LogEntry::*;
        assert_eq!(classify("00000000000000000012.json"), Commit(12));
        assert_eq!(
            classify("00000000000000000010.checkpoint.parquet"),
            Checkpoint(10)
        );
        assert_eq!(
            classify("00000000000000000010.checkpoint.0000000001.0000000002.parquet"),
            Checkpoint(10)
        );
        assert_eq!(
            classify("00000000000000000010.checkpoint.80a083e8-7026-4e79-81be-64bd76c43a11.json"),
            Checkpoint(10)
        );
        assert_eq!(classify("00000000000000000010.crc"), Checksum(10));
        assert_eq!(
            classify("00000000000000000004.00000000000000000006.compacted.json"),
            Compacted(4, 6)
        );
        assert_eq!(classify("_last_checkpoint"), LastCheckpoint);
        assert_eq!(classify(".00000000000000000003.json.crc"), HadoopChecksum);
        assert_eq!(classify(".00000000000000000011.json.tmp"), Other);
        assert_eq!(classify("12.json"), Other);
        assert_eq!(classify("0000000000000000001x.json"), Other);
    }

    #[test]
    fn a_copy_as_of_v_takes_the_log_up_to_v_only() {
        let names = [
            "00000000000000000000.json",
            ".00000000000000000000.json.crc",
            "00000000000000000009.json",
            "00000000000000000010.json",
            "00000000000000000010.checkpoint.parquet",
            ".00000000000000000010.checkpoint.parquet.crc",
            "00000000000000000010.crc",
            "00000000000000000004.00000000000000000006.compacted.json",
            "00000000000000000004.00000000000000000012.compacted.json",
            "00000000000000000011.json",
            ".00000000000000000011.json.crc",
            "00000000000000000012.json",
            "00000000000000000012.checkpoint.0000000001.0000000002.parquet",
            "00000000000000000012.checkpoint.0000000002.0000000002.parquet",
            ".00000000000000000013.json.tmp",
            "_last_checkpoint",
        ];
        assert_eq!(latest_version(names), Some(12));
        assert_eq!(
            select_log(&names, 10),
            [
                ".00000000000000000000.json.crc",
                ".00000000000000000010.checkpoint.parquet.crc",
                "00000000000000000000.json",
                "00000000000000000004.00000000000000000006.compacted.json",
                "00000000000000000009.json",
                "00000000000000000010.checkpoint.parquet",
                "00000000000000000010.crc",
                "00000000000000000010.json",
            ]
        );
        let all = select_log(&names, 12);
        assert_eq!(all.len(), names.len() - 2, "{all:?}");
        assert!(!all.contains(&"_last_checkpoint"));
        assert!(!all.contains(&".00000000000000000013.json.tmp"));
        assert_eq!(checkpoint_at_or_before(&names, 11), Some(10));
        assert_eq!(checkpoint_at_or_before(&names, 9), None);
        assert_eq!(latest_version(["_last_checkpoint"]), None);
    }

    #[test]
    fn last_checkpoint_is_kept_only_when_it_points_at_or_before_v() {
        let pointer = br#"{"version":10,"size":23,"sizeInBytes":12000}"#;
        assert!(last_checkpoint_within(pointer, 10));
        assert!(last_checkpoint_within(pointer, 11));
        assert!(!last_checkpoint_within(pointer, 9));
        assert!(!last_checkpoint_within(b"not json", 100));
    }

    fn write(path: &Path, content: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }

    #[test]
    fn a_snapshot_copies_the_log_up_to_the_latest_commit_and_every_data_file() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("bronze/emails");
        let log = source.join(LOG_DIR);
        write(&log.join("00000000000000000000.json"), "{}");
        write(&log.join("00000000000000000001.json"), "{}");
        write(&log.join("00000000000000000001.checkpoint.parquet"), "cp");
        write(&log.join("_last_checkpoint"), r#"{"version":1,"size":2}"#);
        write(&log.join(".00000000000000000002.json.tmp"), "half");
        write(&source.join("event_date=2026-11-30/part-0.parquet"), "abc");
        write(&source.join("_change_data/cdc-0.parquet"), "de");
        write(
            &dir.path()
                .join("silver/stats/_delta_log/00000000000000000000.json"),
            "{}",
        );
        std::fs::create_dir_all(dir.path().join("_checkpoints/bronze")).unwrap();

        let target = dir.path().join("copy");
        let copied = snapshot(&source, &target).unwrap().unwrap();
        assert_eq!(copied.version, 1);
        assert_eq!(copied.log_files, 4);
        assert_eq!(copied.files, 6);
        assert_eq!(copied.bytes, 2 + 2 + 22 + 2 + 3 + 2);
        assert!(target
            .join("event_date=2026-11-30/part-0.parquet")
            .is_file());
        assert!(!target
            .join("_delta_log/.00000000000000000002.json.tmp")
            .exists());

        let restored = copy_table(&target, &dir.path().join("again")).unwrap();
        assert_eq!(
            (restored.files, restored.bytes, restored.log_files),
            (6, 33, 4)
        );

        assert_eq!(
            discover(dir.path()).unwrap(),
            ["bronze/emails", "silver/stats"]
        );
        assert!(is_occupied(&source));
        assert!(!is_occupied(&dir.path().join("nothing")));
        assert!(snapshot(&dir.path().join("_checkpoints"), &target).is_err());
    }

    #[test]
    fn only_local_lake_roots_can_be_copied() {
        assert_eq!(local_root("/lake").unwrap(), PathBuf::from("/lake"));
        assert_eq!(local_root("file:///lake").unwrap(), PathBuf::from("/lake"));
        assert_eq!(local_root("file:/lake").unwrap(), PathBuf::from("/lake"));
        let s3 = local_root("s3a://bucket/lake").unwrap_err().to_string();
        assert!(s3.contains("not on this machine"), "{s3}");
    }
}
