//! `mindy ingest demo`: the generated demo mailbox into `emails-topic`, through the same MIME
//! parser and sink as real mail; optionally the persona's calendar to an `.ics` file.

use std::path::{Path, PathBuf};

use chrono::Utc;
use clap::Args;
use sha2::{Digest, Sha256};

use super::{finish, progress, EmailSink, IngestReport};
use crate::mime::SourceMeta;
use crate::persona::{self, PersonaArgs};
use crate::shutdown::Shutdown;
use crate::{Error, Result};
use mindy_core::config::{KafkaArgs, TopicArgs};
use mindy_core::email::Source;

/// Settings of `mindy ingest demo`.
#[derive(Debug, Clone, Args)]
pub struct PersonaIngestConfig {
    /// Kafka connection.
    #[command(flatten)]
    pub kafka: KafkaArgs,
    /// Topics.
    #[command(flatten)]
    pub topics: TopicArgs,
    /// What to generate.
    #[command(flatten)]
    pub persona: PersonaArgs,
    /// Also write the persona's calendar (30 days back, 14 ahead) to this `.ics` file — unless
    /// the file holds this very calendar as generated before, changed since (meetings the
    /// assistant moved in it): then it is kept (`<file>.generated` records what was written).
    #[arg(long, env = "MINDY_DEMO_CALENDAR")]
    pub calendar_out: Option<PathBuf>,
}

/// Generates the mailbox and produces it.
pub async fn run(config: &PersonaIngestConfig, shutdown: Shutdown) -> Result<IngestReport> {
    let opts = config.persona.options(Utc::now());
    if let Some(path) = &config.calendar_out {
        match write_calendar(path, &persona::calendar_ics(&opts))? {
            CalendarFile::Written => {
                tracing::info!(path = %path.display(), "wrote the demo calendar")
            }
            CalendarFile::Kept => tracing::info!(
                path = %path.display(),
                "kept the demo calendar: it was generated from this same calendar, and holds the changes made in it since"
            ),
        }
    }
    let emails = persona::mailbox(&opts);
    tracing::info!(emails = emails.len(), until = %opts.until, days = opts.days, tz = %opts.tz, "generated the demo mailbox");
    let mut sink = EmailSink::open(&config.kafka, &config.topics, Source::Demo).await?;
    let bar = progress(Some(emails.len() as u64), "demo");
    for email in &emails {
        let meta = SourceMeta {
            thread_id: Some(email.thread_id.clone()),
            labels: email.labels.clone(),
            ..SourceMeta::new(Source::Demo)
        };
        sink.ingest(&email.raw, &meta, &email.message_id).await?;
        bar.inc(1);
        if shutdown.is_triggered() {
            break;
        }
    }
    bar.finish_and_clear();
    finish(sink, Source::Demo, &config.topics).await
}

/// What [`write_calendar`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalendarFile {
    /// The generated calendar was written.
    Written,
    /// The file was left as it was.
    Kept,
}

/// Writes the generated calendar `ics` to `path`, and beside it `<path>.generated`, the SHA-256
/// of what was written. When the file exists and that record names this very `ics`, the file is
/// kept: it is the same calendar, with whatever changed in it since (the assistant's local
/// calendar moves meetings in the file itself). Re-reading it unchanged reverts nothing, so a
/// second demo on the same day does not undo the first one's plan; the next day's calendar (its
/// dates move) replaces it.
///
/// # Errors
/// The file or its record cannot be written.
pub fn write_calendar(path: &Path, ics: &str) -> Result<CalendarFile> {
    let record = generated_record(path);
    let digest: String = Sha256::digest(ics.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let recorded = std::fs::read_to_string(&record).unwrap_or_default();
    if path.exists() && recorded.trim() == digest {
        return Ok(CalendarFile::Kept);
    }
    std::fs::write(path, ics).map_err(|e| Error::io(path, e))?;
    std::fs::write(&record, format!("{digest}\n")).map_err(|e| Error::io(&record, e))?;
    Ok(CalendarFile::Written)
}

/// `<path>.generated`.
fn generated_record(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(".generated");
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_calendar_changed_since_it_was_generated_is_kept_until_the_calendar_changes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("calendar.ics");
        assert_eq!(write_calendar(&path, "A").unwrap(), CalendarFile::Written);
        std::fs::write(&path, "A, with a meeting moved").unwrap();
        assert_eq!(write_calendar(&path, "A").unwrap(), CalendarFile::Kept);
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "A, with a meeting moved"
        );
        // Another day's calendar replaces it.
        assert_eq!(write_calendar(&path, "B").unwrap(), CalendarFile::Written);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "B");
        // A file removed is written again, and without a record the file is replaced.
        std::fs::remove_file(&path).unwrap();
        assert_eq!(write_calendar(&path, "B").unwrap(), CalendarFile::Written);
        std::fs::remove_file(generated_record(&path)).unwrap();
        std::fs::write(&path, "hand-made").unwrap();
        assert_eq!(write_calendar(&path, "B").unwrap(), CalendarFile::Written);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "B");
    }
}
