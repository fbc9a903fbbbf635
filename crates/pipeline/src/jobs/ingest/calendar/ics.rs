//! `mindy ingest ics FILE|DIR...`: iCalendar files (an export from Google Calendar, Outlook or
//! Apple Calendar, the demo persona's calendar) into `calendar-topic`.
//!
//! Each file is one calendar (`ics:<file name>` unless `--calendar-id` says otherwise) read
//! completely over the window, so it ends with a snapshot record: an event removed from the file
//! since the last import is deleted downstream. A file that is not iCalendar goes to the DLQ
//! whole; an event that cannot be read goes there alone, and then the file gets no snapshot
//! (nothing is deleted on the strength of a partial read).

use std::path::{Path, PathBuf};

use chrono::{Duration, Utc};
use clap::Args;

use super::CalendarSink;
use crate::ical::{self, IcalError, IcsOptions};
use crate::jobs::ingest::{progress, IngestReport};
use crate::shutdown::Shutdown;
use crate::{Error, Result};
use mindy_core::calendar::CalendarSource;
use mindy_core::config::{CalendarTopicArgs, KafkaArgs};

/// Settings of `mindy ingest ics`.
#[derive(Debug, Clone, Args)]
pub struct IcsConfig {
    /// Kafka connection.
    #[command(flatten)]
    pub kafka: KafkaArgs,
    /// Calendar topics.
    #[command(flatten)]
    pub topics: CalendarTopicArgs,
    /// `.ics` files, or directories searched recursively for them.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// The calendar owner's address: the participant who is the user (1-on-1s, "my" meetings).
    /// Default: inferred per file, as the address in more than half of the events.
    #[arg(long, env = "MINDY_CALENDAR_OWNER")]
    pub owner: Option<String>,
    /// The calendar id the records carry (one file only). Default: `ics:<file name>`.
    #[arg(long)]
    pub calendar_id: Option<String>,
    /// Occurrences from this many days before now are read (recurring events are expanded
    /// over the window).
    #[arg(long, default_value_t = 365)]
    pub past_days: u32,
    /// ... up to this many days after now.
    #[arg(long, default_value_t = 365)]
    pub future_days: u32,
}

/// Reads every file into the calendar topic.
pub async fn run(config: &IcsConfig, shutdown: Shutdown) -> Result<IngestReport> {
    let mut files = Vec::new();
    for path in &config.paths {
        collect_ics(path, &mut files)?;
    }
    files.sort();
    if config.calendar_id.is_some() && files.len() > 1 {
        return Err(Error::invalid(
            "--calendar-id names one calendar: give one file",
        ));
    }
    let mut sink = CalendarSink::open(&config.kafka, &config.topics, "ics").await?;
    for file in &files {
        ingest_file(config, file, &mut sink).await?;
        if shutdown.is_triggered() {
            tracing::warn!("stopped before the last file");
            break;
        }
    }
    sink.finish().await
}

/// One file: its records, its rejects, then its snapshot.
async fn ingest_file(config: &IcsConfig, file: &Path, sink: &mut CalendarSink) -> Result<()> {
    let bytes = std::fs::read(file).map_err(|e| Error::io(file, e))?;
    let source_ref = file.display().to_string();
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return sink
            .send_dead_letter(
                &bytes,
                "ics.encoding",
                "not UTF-8 (RFC 5545 files are UTF-8)",
                &source_ref,
            )
            .await;
    };
    let now = Utc::now();
    let calendar_id = config.calendar_id.clone().unwrap_or_else(|| {
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned());
        format!("ics:{}", name.unwrap_or_else(|| source_ref.clone()))
    });
    let options = IcsOptions {
        source: CalendarSource::Ics,
        calendar_id,
        window: (
            now - Duration::days(i64::from(config.past_days)),
            now + Duration::days(i64::from(config.future_days)),
        ),
        owner: config.owner.clone(),
        now,
    };
    let parsed = match ical::parse(text, &options) {
        Ok(parsed) => parsed,
        Err(e @ (IcalError::File(_) | IcalError::Event(_))) => {
            return sink
                .send_dead_letter(&bytes, "ics.parse", &e.to_string(), &source_ref)
                .await;
        }
    };
    match &parsed.owner {
        Some((owner, true)) => {
            tracing::info!(file = %source_ref, owner, "calendar owner inferred (set --owner to choose it)")
        }
        Some(_) => {}
        None => {
            tracing::info!(file = %source_ref, "no calendar owner (none given, none in most events): no participant is marked as the user")
        }
    }
    let bar = progress(Some(parsed.records.len() as u64), "ics");
    for record in &parsed.records {
        sink.send(record).await?;
        bar.inc(1);
    }
    bar.finish_and_clear();
    for rejected in &parsed.rejected {
        let source_ref = format!("{source_ref}#{}", rejected.source_ref);
        sink.send_dead_letter(
            rejected.raw.as_bytes(),
            rejected.code,
            &rejected.reason,
            &source_ref,
        )
        .await?;
    }
    match &parsed.snapshot {
        Some(snapshot) => sink.close_read(snapshot).await?,
        None => tracing::warn!(
            file = %source_ref,
            rejected = parsed.rejected.len(),
            "some events could not be read: events removed from this file are not deleted downstream this time"
        ),
    }
    tracing::info!(
        file = %source_ref,
        events = parsed.components,
        instances = parsed.records.len(),
        rejected = parsed.rejected.len(),
        "calendar file read"
    );
    Ok(())
}

/// `path` itself if it is a file; every `*.ics` below it if it is a directory.
fn collect_ics(path: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let metadata = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if metadata.is_file() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    for entry in std::fs::read_dir(path).map_err(|e| Error::io(path, e))? {
        let child = entry.map_err(|e| Error::io(path, e))?.path();
        if child.is_dir() {
            collect_ics(&child, out)?;
        } else if child
            .extension()
            .is_some_and(|ext| ext.eq_ignore_ascii_case("ics"))
        {
            out.push(child);
        }
    }
    Ok(())
}
