//! What the file sources share: messages read from disk on a plain thread (synchronous I/O)
//! and handed through a small bounded channel to the async [`EmailSink`], so memory stays flat
//! on multi-gigabyte exports.

use tokio::sync::mpsc;

use super::{finish, EmailSink, IngestReport};
use crate::mime::SourceMeta;
use crate::shutdown::Shutdown;
use crate::{Error, Result};
use mindy_core::config::{KafkaArgs, TopicArgs};
use mindy_core::email::Source;

/// One message read from disk.
pub struct RawMessage {
    /// The raw RFC 5322 bytes.
    pub bytes: Vec<u8>,
    /// Where it was found: `file#n` for mbox, the path for eml.
    pub source_ref: String,
    /// What the container knows (the mbox `From ` line's date).
    pub meta: SourceMeta,
}

/// Sends what the reader thread produces (each message with its progress units) until it is
/// done or a shutdown is asked for.
pub async fn drain(
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

/// Waits for the reader thread and returns its result.
pub fn join(reader: std::thread::JoinHandle<Result<()>>) -> Result<()> {
    reader
        .join()
        .map_err(|_| Error::unexpected("ingest", "the file reader thread panicked"))?
}
