//! Bronze's Delta log, read from the local filesystem: when each commit became visible and which
//! data files (with how many rows) it added.
//!
//! A Delta reader sees exactly the commits whose `_delta_log/<version>.json` exists; versions are
//! contiguous, so watching the table means checking whether the next version's file is there.
//! Delta writes a commit file under a temporary name and renames it into place (atomic), so its
//! modification time is the instant the commit became visible, to within the rename and the
//! filesystem's timestamp granularity (a kernel tick, a few ms).

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde_json::Value;

/// One commit of the table.
#[derive(Debug, Clone)]
pub struct Commit {
    /// Modification time of the commit file, in Unix milliseconds: when readers could see it.
    pub written_ms: i64,
    /// When this process first found the file, in Unix milliseconds: an upper bound on
    /// visibility that does not trust filesystem timestamps (late by up to one poll interval).
    pub observed_ms: i64,
    /// Base names of the data files the commit added, with their row counts (from the `add`
    /// actions' statistics).
    pub files: Vec<(String, u64)>,
}

/// Follows one table's log, commit by commit.
#[derive(Debug)]
pub struct LogWatcher {
    /// `<table>/_delta_log`.
    dir: PathBuf,
    /// The next version to look for.
    next: u64,
    /// Every commit seen so far, in version order.
    commits: Vec<Commit>,
}

impl LogWatcher {
    /// A watcher of the table at `table` (which need not exist yet).
    pub fn new(table: &Path) -> Self {
        LogWatcher {
            dir: table.join("_delta_log"),
            next: 0,
            commits: Vec::new(),
        }
    }

    /// Reads the commits that appeared since the last call; returns how many.
    pub fn poll(&mut self) -> io::Result<usize> {
        let before = self.commits.len();
        loop {
            let path = self.dir.join(format!("{:020}.json", self.next));
            let meta = match std::fs::metadata(&path) {
                Ok(meta) => meta,
                Err(e) if e.kind() == io::ErrorKind::NotFound => break,
                Err(e) => return Err(e),
            };
            let observed_ms = unix_ms(SystemTime::now());
            let text = std::fs::read_to_string(&path)?;
            self.commits.push(Commit {
                written_ms: unix_ms(meta.modified()?),
                observed_ms,
                files: added_files(&text)
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?,
            });
            self.next += 1;
        }
        Ok(self.commits.len() - before)
    }

    /// Every commit seen so far.
    pub fn commits(&self) -> &[Commit] {
        &self.commits
    }

    /// Rows in the table as of the last poll (the table is append-only).
    pub fn rows(&self) -> u64 {
        self.commits
            .iter()
            .flat_map(|c| &c.files)
            .map(|(_, rows)| rows)
            .sum()
    }

    /// Which commit added each data file, by base name.
    pub fn commit_of_file(&self) -> HashMap<&str, &Commit> {
        self.commits
            .iter()
            .flat_map(|c| c.files.iter().map(move |(name, _)| (name.as_str(), c)))
            .collect()
    }
}

/// The `add` actions of a commit file (one JSON action per line).
fn added_files(text: &str) -> Result<Vec<(String, u64)>, String> {
    let mut files = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let action: Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
        let Some(add) = action.get("add") else {
            continue;
        };
        let path = add["path"].as_str().ok_or("add without a path")?;
        // Stats are a JSON document inside a string; the streaming Delta sink always writes them.
        let stats: Value = serde_json::from_str(add["stats"].as_str().ok_or("add without stats")?)
            .map_err(|e| e.to_string())?;
        let rows = stats["numRecords"]
            .as_u64()
            .ok_or("stats without numRecords")?;
        // The path is relative and URL-encoded (partition directories); base names are plain
        // `part-<n>-<uuid>.c000.snappy.parquet`, which is what Spark's `_metadata.file_name` gives.
        let name = path.rsplit('/').next().unwrap_or(path).to_string();
        files.push((name, rows));
    }
    Ok(files)
}

/// Milliseconds since the Unix epoch (the unit of Kafka timestamps).
pub fn unix_ms(time: SystemTime) -> i64 {
    match time.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => d.as_millis() as i64,
        Err(e) => -(e.duration().as_millis() as i64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds_are_read_with_their_row_counts() {
        let commit = r#"{"commitInfo":{"timestamp":1,"operation":"STREAMING UPDATE"}}
{"txn":{"appId":"q","version":3}}
{"add":{"path":"event_date=2026-11-26/part-00000-a.c000.snappy.parquet","stats":"{\"numRecords\":7}"}}
{"add":{"path":"part-00001-b.c000.snappy.parquet","stats":"{\"numRecords\":2}"}}
"#;
        assert_eq!(
            added_files(commit).unwrap(),
            vec![
                ("part-00000-a.c000.snappy.parquet".to_string(), 7),
                ("part-00001-b.c000.snappy.parquet".to_string(), 2)
            ]
        );
    }

    #[test]
    fn a_missing_table_has_no_commits_yet() {
        let mut watcher = LogWatcher::new(Path::new("/nonexistent/table"));
        assert_eq!(watcher.poll().unwrap(), 0);
        assert_eq!(watcher.rows(), 0);
    }
}
