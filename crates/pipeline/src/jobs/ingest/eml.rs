//! `mindy ingest eml`: single-message `.eml` files (RFC 5322), or directories searched
//! recursively for them; each file is one message, so one record or one dead letter.

use std::path::{Path, PathBuf};

use clap::Args;

use super::disk::{ingest_files, Feed, RawMessage};
use super::{progress, IngestReport};
use crate::mime::SourceMeta;
use crate::shutdown::Shutdown;
use crate::{Error, Result};
use mindy_core::config::{KafkaArgs, TopicArgs};
use mindy_core::email::Source;

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

/// Reads every `.eml` file under the given paths into the emails topic.
pub async fn run_eml(config: &EmlConfig, shutdown: Shutdown) -> Result<IngestReport> {
    let mut files = Vec::new();
    for path in &config.paths {
        collect_eml(path, &mut files)?;
    }
    files.sort();
    let bar = progress(Some(files.len() as u64), "eml");
    ingest_files(
        move |feed| read_emls(&files, feed),
        &config.kafka,
        &config.topics,
        Source::Eml,
        bar,
        &shutdown,
    )
    .await
}

fn read_emls(files: &[PathBuf], feed: &mut Feed) -> Result<()> {
    for path in files {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let raw = RawMessage {
            bytes,
            source_ref: path.display().to_string(),
            meta: SourceMeta::new(Source::Eml),
        };
        if !feed.send(raw, 1) {
            return Ok(());
        }
    }
    Ok(())
}

/// `path` itself if it is a file; every `*.eml` below it if it is a directory.
pub fn collect_eml(path: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
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
