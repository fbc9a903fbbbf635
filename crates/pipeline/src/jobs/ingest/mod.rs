//! `mindy ingest <source>`: producers that write email records to `emails-topic`, and calendar
//! records to `calendar-topic` ([`calendar`]).
//!
//! Every source reads raw RFC 5322 messages (the Gmail API's `format=raw`, mbox files, `.eml`
//! files, the generated demo mailbox), parses them with [`crate::mime::parse`] and hands them to
//! the shared [`sink::EmailSink`]: records keyed by message id to the emails topic, input that is
//! not an email to the DLQ with the reason. Backfills show a progress bar on a terminal and end
//! with a one-line [`IngestReport`].

use std::fmt;
use std::time::Duration;

use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};

use crate::shutdown::Shutdown;
use crate::Result;
use mindy_core::email::Source;

pub mod calendar;
pub mod disk;
pub mod eml;
pub mod gmail;
pub mod mbox;
pub mod persona;
pub mod sink;

pub use sink::{EmailSink, IngestCounts, RecordSink};

/// The sources `mindy ingest` can read.
#[derive(Debug, Subcommand)]
pub enum IngestCommand {
    /// Gmail through its API: the last 24 hours first, then incremental syncs from the stored
    /// history id, once or every `--interval-minutes` until SIGTERM. Run `mindy auth gmail` first.
    Gmail(gmail::GmailConfig),
    /// mbox files, e.g. a Google Takeout export (`All mail Including Spam and Trash.mbox`).
    Mbox(mbox::MboxConfig),
    /// `.eml` files, or directories searched recursively for them.
    Eml(eml::EmlConfig),
    /// The generated demo mailbox: 30 days of a VP of Sales' mail ending today (or `--until`).
    Demo(persona::PersonaIngestConfig),
    /// iCalendar files (exports of Google Calendar, Outlook, Apple Calendar; the demo calendar),
    /// or directories searched recursively for `*.ics`, into the calendar topic.
    Ics(calendar::ics::IcsConfig),
    /// A Google Calendar through its API: a full sync, then incremental syncs from the stored
    /// sync token, once or every `--interval-minutes`. Run `mindy auth google-calendar` first.
    GoogleCalendar(calendar::google::GoogleCalendarConfig),
}

/// Runs one ingestion command until its input is exhausted (or, for Gmail's polling mode,
/// until `shutdown`).
pub async fn run(command: IngestCommand, shutdown: Shutdown) -> Result<IngestReport> {
    match command {
        IngestCommand::Gmail(config) => gmail::run(&config, shutdown).await,
        IngestCommand::Mbox(config) => mbox::run_mbox(&config, shutdown).await,
        IngestCommand::Eml(config) => eml::run_eml(&config, shutdown).await,
        IngestCommand::Demo(config) => persona::run(&config, shutdown).await,
        IngestCommand::Ics(config) => calendar::ics::run(&config, shutdown).await,
        IngestCommand::GoogleCalendar(config) => calendar::google::run(&config, shutdown).await,
    }
}

/// What a run did: printed as the summary line of a backfill.
#[derive(Debug, Clone, PartialEq)]
pub struct IngestReport {
    /// Which source was read (`gmail`, `mbox`, `ics`, ...).
    pub source: &'static str,
    /// What the source's inputs are (`messages`, `events`), for the summary line.
    pub inputs: &'static str,
    /// Records and dead letters delivered.
    pub counts: IngestCounts,
    /// Wall time of the run.
    pub elapsed: Duration,
    /// The records topic written.
    pub topic: String,
    /// The DLQ written.
    pub dlq: String,
}

impl fmt::Display for IngestReport {
    /// `mbox: 3 messages (1.2 MB) in 0.1 s (30/s, 12.0 MB/s): 2 records to emails-topic, 1 to
    /// emails-dlq (parse.no_headers 1); fallbacks: 0 charset guesses, 1 Received date, ...`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.counts;
        let secs = self.elapsed.as_secs_f64().max(1e-3);
        write!(
            f,
            "{}: {} {}",
            self.source,
            sink::thousands(c.messages),
            self.inputs
        )?;
        if c.bytes > 0 {
            write!(f, " ({:.1} MB)", c.bytes as f64 / 1e6)?;
        }
        write!(f, " in {secs:.1} s ({:.0}/s", c.messages as f64 / secs)?;
        if c.bytes > 0 {
            write!(f, ", {:.1} MB/s", c.bytes as f64 / 1e6 / secs)?;
        }
        write!(
            f,
            "): {} records to {}, {} to {}",
            sink::thousands(c.produced),
            self.topic,
            sink::thousands(c.dead_lettered),
            self.dlq,
        )?;
        if !c.dead_letters_by_rule.is_empty() {
            let rules: Vec<String> = c
                .dead_letters_by_rule
                .iter()
                .map(|(rule, n)| format!("{rule} {}", sink::thousands(*n)))
                .collect();
            write!(f, " ({})", rules.join(", "))?;
        }
        // The fallbacks are the MIME parser's; calendar records have none.
        if self.inputs == "messages" {
            write!(
                f,
                "; fallbacks: {} charset guesses, {} Received dates, {} internalDates, {} mbox From dates",
                sink::thousands(c.charset_guesses),
                sink::thousands(c.received_dates),
                sink::thousands(c.internal_dates),
                sink::thousands(c.mbox_from_dates),
            )?;
        }
        Ok(())
    }
}

/// A progress bar on stderr (hidden when stderr is not a terminal): a bar when the total is
/// known, a spinner with a count otherwise.
pub fn progress(total: Option<u64>, what: &'static str) -> ProgressBar {
    match total {
        Some(total) => {
            let bar = ProgressBar::new(total);
            bar.set_style(
                ProgressStyle::with_template(
                    "{msg:>8} [{bar:30}] {human_pos}/{human_len} ({per_sec}, eta {eta})",
                )
                .expect("a valid template")
                .progress_chars("=> "),
            );
            bar.set_message(what);
            bar
        }
        None => {
            let spinner = ProgressBar::new_spinner();
            spinner.set_style(
                ProgressStyle::with_template("{spinner} {msg} {human_pos} ({per_sec})")
                    .expect("a valid template"),
            );
            spinner.set_message(what);
            spinner.enable_steady_tick(Duration::from_millis(120));
            spinner
        }
    }
}

/// Closes a sink and builds the run's report.
pub(crate) async fn finish(
    sink: EmailSink,
    source: Source,
    topics: &mindy_core::config::TopicArgs,
) -> Result<IngestReport> {
    let elapsed = sink.elapsed();
    let counts = sink.finish().await?;
    Ok(IngestReport {
        source: source.as_str(),
        inputs: "messages",
        counts,
        elapsed,
        topic: topics.emails.clone(),
        dlq: topics.dlq.clone(),
    })
}
