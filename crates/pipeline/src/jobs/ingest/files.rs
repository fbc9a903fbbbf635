//! `mindy ingest mbox` and `mindy ingest eml`: mail users already have on disk, for those without
//! Gmail API credentials. A Google Takeout export is an mbox whose messages carry `X-GM-THRID`
//! and `X-Gmail-Labels`, which the parser maps to the thread id and labels.
//!
//! Files are read on a plain thread (mbox splitting is synchronous I/O) and handed to the async
//! sink through a small bounded channel, so memory stays flat on multi-gigabyte exports.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use clap::Args;
use mail_parser::mailbox::mbox::MessageIterator;
use tokio::sync::mpsc;

use super::{finish, progress, EmailSink, IngestReport};
use crate::mime::SourceMeta;
use crate::shutdown::Shutdown;
use crate::{Error, Result};
use mindy_core::config::{KafkaArgs, TopicArgs};
use mindy_core::email::Source;

/// Settings of `mindy ingest mbox`.
#[derive(Debug, Clone, Args)]
pub struct MboxConfig {
    /// Kafka connection.
    #[command(flatten)]
    pub kafka: KafkaArgs,
    /// Topics.
    #[command(flatten)]
    pub topics: TopicArgs,
    /// mbox files to read, in order.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

/// Settings of `mindy ingest eml`.
#[derive(Debug, Clone, Args)]
pub struct EmlConfig {
    /// Kafka connection.
    #[command(flatten)]
    pub kafka: KafkaArgs,
    /// Topics.
    #[command(flatten)]
    pub topics: TopicArgs,
    /// `.eml` files, or directories searched recursively for `*.eml`.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}

/// One message read from disk.
struct RawMessage {
    /// The raw RFC 5322 bytes.
    bytes: Vec<u8>,
    /// Where it was found: `file#n` for mbox, the path for eml.
    source_ref: String,
    /// What the container knows (the mbox `From ` line's date).
    meta: SourceMeta,
}

/// Reads every message of the mbox files into the emails topic.
pub async fn run_mbox(config: &MboxConfig, shutdown: Shutdown) -> Result<IngestReport> {
    let total: u64 = config
        .files
        .iter()
        .map(|f| std::fs::metadata(f).map(|m| m.len()).unwrap_or(0))
        .sum();
    let files = config.files.clone();
    let (tx, rx) = mpsc::channel(256);
    let reader = std::thread::spawn(move || read_mboxes(&files, &tx));
    let report = drain(
        rx,
        &config.kafka,
        &config.topics,
        Source::Mbox,
        progress(Some(total), "mbox"),
        &shutdown,
    )
    .await;
    join(reader)?;
    report
}

/// Reads every `.eml` file under the given paths into the emails topic.
pub async fn run_eml(config: &EmlConfig, shutdown: Shutdown) -> Result<IngestReport> {
    let mut files = Vec::new();
    for path in &config.paths {
        collect_eml(path, &mut files)?;
    }
    files.sort();
    let bar = progress(Some(files.len() as u64), "eml");
    let (tx, rx) = mpsc::channel(256);
    let reader = std::thread::spawn(move || read_emls(&files, &tx));
    let report = drain(
        rx,
        &config.kafka,
        &config.topics,
        Source::Eml,
        bar,
        &shutdown,
    )
    .await;
    join(reader)?;
    report
}

/// Sends what the reader thread produces until it is done or a shutdown is asked for.
async fn drain(
    mut rx: mpsc::Receiver<(RawMessage, u64)>,
    kafka: &KafkaArgs,
    topics: &TopicArgs,
    source: Source,
    bar: indicatif::ProgressBar,
    shutdown: &Shutdown,
) -> Result<IngestReport> {
    let mut sink = EmailSink::open(kafka, topics, source).await?;
    while let Some((message, progress)) = rx.recv().await {
        sink.ingest(&message.bytes, &message.meta, &message.source_ref)
            .await?;
        bar.inc(progress);
        if shutdown.is_triggered() {
            tracing::warn!("stopped before the end of the input");
            break;
        }
    }
    // Dropping the receiver makes a still-running reader's next send fail, which ends it.
    drop(rx);
    bar.finish_and_clear();
    finish(sink, source, topics).await
}

fn join(reader: std::thread::JoinHandle<Result<()>>) -> Result<()> {
    reader
        .join()
        .map_err(|_| Error::unexpected("ingest", "the file reader thread panicked"))?
}

fn read_mboxes(files: &[PathBuf], tx: &mpsc::Sender<(RawMessage, u64)>) -> Result<()> {
    for path in files {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        for (n, message) in
            MessageIterator::new(BufReader::with_capacity(1 << 20, file)).enumerate()
        {
            let message = message.map_err(|e| Error::io(path, e))?;
            let mut meta = SourceMeta::new(Source::Mbox);
            meta.received_at = match message.internal_date() {
                0 => None,
                secs => Utc.timestamp_opt(secs as i64, 0).single(),
            };
            let bytes = message.unwrap_contents();
            // The separator line is not in the contents; count ~its length too for the bar.
            let progress = bytes.len() as u64 + 60;
            let raw = RawMessage {
                bytes,
                source_ref: format!("{}#{}", path.display(), n + 1),
                meta,
            };
            if tx.blocking_send((raw, progress)).is_err() {
                return Ok(());
            }
        }
    }
    Ok(())
}

fn read_emls(files: &[PathBuf], tx: &mpsc::Sender<(RawMessage, u64)>) -> Result<()> {
    for path in files {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let raw = RawMessage {
            bytes,
            source_ref: path.display().to_string(),
            meta: SourceMeta::new(Source::Eml),
        };
        if tx.blocking_send((raw, 1)).is_err() {
            return Ok(());
        }
    }
    Ok(())
}

/// `path` itself if it is a file; every `*.eml` below it if it is a directory.
fn collect_eml(path: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let metadata = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if metadata.is_file() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    for entry in std::fs::read_dir(path).map_err(|e| Error::io(path, e))? {
        let entry = entry.map_err(|e| Error::io(path, e))?;
        let child = entry.path();
        if child.is_dir() {
            collect_eml(&child, out)?;
        } else if child
            .extension()
            .is_some_and(|ext| ext.eq_ignore_ascii_case("eml"))
        {
            out.push(child);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_are_searched_for_eml_files_only() {
        let dir = std::env::temp_dir().join(format!("mindy-eml-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("a.eml"), b"x").unwrap();
        std::fs::write(dir.join("sub/B.EML"), b"x").unwrap();
        std::fs::write(dir.join("notes.txt"), b"x").unwrap();
        let mut found = Vec::new();
        collect_eml(&dir, &mut found).unwrap();
        found.sort();
        assert_eq!(found, [dir.join("a.eml"), dir.join("sub/B.EML")]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
