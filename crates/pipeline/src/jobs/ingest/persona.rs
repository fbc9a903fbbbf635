//! `mindy ingest demo`: the generated demo mailbox into `emails-topic`, through the same MIME
//! parser and sink as real mail; optionally the persona's calendar to an `.ics` file.

use std::path::PathBuf;

use chrono::Utc;
use clap::Args;

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
    /// Also write the persona's calendar (30 days back, 14 ahead) to this `.ics` file.
    #[arg(long, env = "MINDY_DEMO_CALENDAR")]
    pub calendar_out: Option<PathBuf>,
}

/// Generates the mailbox and produces it.
pub async fn run(config: &PersonaIngestConfig, shutdown: Shutdown) -> Result<IngestReport> {
    let opts = config.persona.options(Utc::now());
    if let Some(path) = &config.calendar_out {
        std::fs::write(path, persona::calendar_ics(&opts)).map_err(|e| Error::io(path, e))?;
        tracing::info!(path = %path.display(), "wrote the demo calendar");
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
