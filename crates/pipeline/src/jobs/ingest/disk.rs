//! What the file sources share: messages read from disk on a plain thread (synchronous I/O),
//! parsed and serialised on parser threads, and sent by the async [`EmailSink`] in the order
//! they were read, through small bounded channels, so memory stays flat on multi-gigabyte
//! exports.
//!
//! **Order.** The reader hands batches of messages to the parsers in turn (batch `k` to parser
//! `k mod n`), each parser keeps its batches' order, and the sink takes the parsed batches back
//! in the same turn, so records and dead letters are sent exactly in file order. With the
//! parse off the sending task, framing, parsing and producing run on different cores.

use std::sync::mpsc as std_mpsc;
use std::thread::JoinHandle;

use tokio::sync::mpsc;

use super::sink::Prepared;
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

/// A batch is handed on at this many messages …
const BATCH_MESSAGES: usize = 64;
/// … or at this many raw bytes, whichever comes first (memory stays bounded with large
/// messages).
const BATCH_BYTES: usize = 1 << 20;
/// Batches waiting in each channel (reader to parser, parser to sink).
const BATCHES_QUEUED: usize = 2;

/// A message with its progress units, as the reader produces it.
type Read = (RawMessage, u64);
/// A message parsed and serialised (the raw bytes kept only for the DLQ), with its progress.
type Ready = (RawMessage, Prepared, u64);

/// The parser threads' side of the reader: [`Feed::send`] batches messages and hands each
/// batch to the next parser in turn.
pub struct Feed {
    /// One channel per parser.
    parsers: Vec<std_mpsc::SyncSender<Vec<Read>>>,
    /// Messages not handed on yet.
    batch: Vec<Read>,
    /// Their raw bytes.
    batch_bytes: usize,
    /// Batches handed on so far (the next goes to parser `sent % n`).
    sent: usize,
}

impl Feed {
    /// Queues one message; false when the sink has stopped (the reader should stop too).
    pub fn send(&mut self, message: RawMessage, progress: u64) -> bool {
        self.batch_bytes += message.bytes.len();
        self.batch.push((message, progress));
        if self.batch.len() >= BATCH_MESSAGES || self.batch_bytes >= BATCH_BYTES {
            return self.hand_on();
        }
        true
    }

    /// Hands the queued messages to the next parser.
    fn hand_on(&mut self) -> bool {
        if self.batch.is_empty() {
            return true;
        }
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH_MESSAGES));
        self.batch_bytes = 0;
        let parser = &self.parsers[self.sent % self.parsers.len()];
        self.sent += 1;
        parser.send(batch).is_ok()
    }
}

impl Drop for Feed {
    /// The last, partial batch is handed on when the reader is done (or gives up).
    fn drop(&mut self) {
        self.hand_on();
    }
}

/// How many parser threads: one per core the process may use, at most 4.
fn parser_count() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 4))
}

/// Reads, parses and sends: runs `read` on a plain thread with a [`Feed`], parses what it
/// reads on parser threads, and sends the results in reading order until the input ends or a
/// shutdown is asked for. The reader's error, if any, is the run's.
pub async fn ingest_files<F>(
    read: F,
    kafka: &KafkaArgs,
    topics: &TopicArgs,
    source: Source,
    bar: indicatif::ProgressBar,
    shutdown: &Shutdown,
) -> Result<IngestReport>
where
    F: FnOnce(&mut Feed) -> Result<()> + Send + 'static,
{
    let (parsed, parsers, reader) = start(read, parser_count())?;
    let report = drain(parsed, kafka, topics, source, bar, shutdown).await;
    for parser in parsers {
        parser
            .join()
            .map_err(|_| Error::unexpected("ingest", "a parser thread panicked"))?;
    }
    join(reader)?;
    report
}

/// The parsed batches, the parser threads and the reader thread.
type Started = (Parsed, Vec<JoinHandle<()>>, JoinHandle<Result<()>>);

/// Starts the reader and `n` parser threads; returns the parsed batches (in reading order),
/// the parsers and the reader.
fn start<F>(read: F, n: usize) -> Result<Started>
where
    F: FnOnce(&mut Feed) -> Result<()> + Send + 'static,
{
    let mut inputs = Vec::with_capacity(n);
    let mut outputs = Vec::with_capacity(n);
    let mut parsers = Vec::with_capacity(n);
    for i in 0..n {
        let (in_tx, in_rx) = std_mpsc::sync_channel::<Vec<Read>>(BATCHES_QUEUED);
        let (out_tx, out_rx) = mpsc::channel::<Vec<Ready>>(BATCHES_QUEUED);
        inputs.push(in_tx);
        outputs.push(out_rx);
        let parser = std::thread::Builder::new()
            .name(format!("ingest-parse-{i}"))
            .spawn(move || parse_batches(&in_rx, &out_tx))
            .map_err(|e| Error::unexpected("ingest", format!("starting a parser thread: {e}")))?;
        parsers.push(parser);
    }
    let mut feed = Feed {
        parsers: inputs,
        batch: Vec::with_capacity(BATCH_MESSAGES),
        batch_bytes: 0,
        sent: 0,
    };
    let reader = std::thread::Builder::new()
        .name("ingest-read".into())
        .spawn(move || read(&mut feed))
        .map_err(|e| Error::unexpected("ingest", format!("starting the reader thread: {e}")))?;
    Ok((
        Parsed {
            parsers: outputs,
            turn: 0,
        },
        parsers,
        reader,
    ))
}

/// The parsers' output, batch by batch in the turn they were handed out (reading order).
struct Parsed {
    /// One channel per parser.
    parsers: Vec<mpsc::Receiver<Vec<Ready>>>,
    /// Batches taken so far (the next is parser `turn % n`'s).
    turn: usize,
}

impl Parsed {
    /// The next batch; `None` when the input is done (when the parser whose turn it is has no
    /// more, neither has any other).
    async fn next(&mut self) -> Option<Vec<Ready>> {
        let n = self.parsers.len();
        let batch = self.parsers[self.turn % n].recv().await?;
        self.turn += 1;
        Some(batch)
    }
}

/// A parser thread: each batch parsed and serialised in order, until the reader is done or
/// the sink has stopped.
fn parse_batches(input: &std_mpsc::Receiver<Vec<Read>>, output: &mpsc::Sender<Vec<Ready>>) {
    while let Ok(batch) = input.recv() {
        let ready = batch
            .into_iter()
            .map(|(mut message, progress)| {
                let prepared = Prepared::new(&message.bytes, &message.meta);
                if prepared.is_record() {
                    message.bytes = Vec::new();
                }
                (message, prepared, progress)
            })
            .collect();
        if output.blocking_send(ready).is_err() {
            return;
        }
    }
}

/// Sends the parsers' batches, taken in the turn they were handed out (file order), until
/// they are done or a shutdown is asked for.
async fn drain(
    mut parsed: Parsed,
    kafka: &KafkaArgs,
    topics: &TopicArgs,
    source: Source,
    bar: indicatif::ProgressBar,
    shutdown: &Shutdown,
) -> Result<IngestReport> {
    let mut sink = EmailSink::open(kafka, topics, source).await?;
    'batches: while let Some(batch) = parsed.next().await {
        for (message, prepared, progress) in batch {
            sink.send_prepared(&prepared, &message.bytes, &message.source_ref)
                .await?;
            bar.inc(progress);
            if shutdown.is_triggered() {
                tracing::warn!("stopped before the end of the input");
                break 'batches;
            }
        }
    }
    // Dropping the receivers makes still-running parsers' next send fail, which ends them,
    // and then the reader's.
    drop(parsed);
    bar.finish_and_clear();
    finish(sink, source, topics).await
}

/// Waits for the reader thread and returns its result.
fn join(reader: JoinHandle<Result<()>>) -> Result<()> {
    reader
        .join()
        .map_err(|_| Error::unexpected("ingest", "the file reader thread panicked"))?
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Messages come back in reading order whatever the number of parsers and batch sizes
    /// (small and large messages), each parsed once: a record, or not an email (empty input).
    #[tokio::test]
    async fn parsed_messages_come_back_in_reading_order() {
        for n in [1, 2, 3] {
            let count = 1000;
            let read = move |feed: &mut Feed| {
                for i in 0..count {
                    // Every 16th is large: batches also end at BATCH_BYTES.
                    let bytes = match i % 16 {
                        0 => Vec::new(),
                        3 => format!("Subject: big {i}\n\n{}\n", "x".repeat(300_000)).into_bytes(),
                        _ => format!("Message-ID: <{i}@example.org>\nSubject: {i}\n\nbody\n")
                            .into_bytes(),
                    };
                    let raw = RawMessage {
                        bytes,
                        source_ref: i.to_string(),
                        meta: SourceMeta::new(Source::Mbox),
                    };
                    if !feed.send(raw, 1) {
                        break;
                    }
                }
                Ok(())
            };
            let (mut parsed, parsers, reader) = start(read, n).unwrap();
            let mut seen = Vec::new();
            while let Some(batch) = parsed.next().await {
                for (message, prepared, _) in batch {
                    let i: usize = message.source_ref.parse().unwrap();
                    assert_eq!(prepared.is_record(), !i.is_multiple_of(16), "message {i}");
                    seen.push(i);
                }
            }
            for parser in parsers {
                parser.join().unwrap();
            }
            join(reader).unwrap();
            assert_eq!(seen, (0..count).collect::<Vec<_>>(), "{n} parsers");
        }
    }
}
