//! Where every producer's messages go: parsed records to `emails-topic` (key = record id), input
//! that is not an email to `emails-dlq` with the reason in headers ([`EmailSink`]); calendar
//! records likewise to `calendar-topic` and `calendar-dlq`. Both are a [`RecordSink`]: a records
//! topic and a DLQ behind one producer.
//!
//! One idempotent producer (`enable.idempotence`: no duplicates or reordering from its own
//! retries) with lz4 compression, which librdkafka always builds in (zstd would need an extra C
//! library). Sends are enqueued without waiting and their delivery reports are collected in
//! the background, bounded by [`MAX_IN_FLIGHT`], so a backfill runs at the broker's pace; any
//! failed delivery fails the run at [`RecordSink::finish`].

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use chrono::Utc;
use futures::stream::{FuturesUnordered, StreamExt};
use futures::FutureExt;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::OwnedHeaders;
use rdkafka::producer::future_producer::OwnedDeliveryResult;
use rdkafka::producer::{DeliveryFuture, FutureProducer, FutureRecord, Producer};

use crate::mime::{self, Parsed, SourceMeta};
use crate::{Error, Result};
use mindy_core::config::{KafkaArgs, TopicArgs};
use mindy_core::dlq::{DeadLetter, Stage};
use mindy_core::email::{DateSource, EmailRecord, Source};
use mindy_core::kafka;

/// Delivery reports awaited at most at once; past this, sending waits for the oldest.
pub const MAX_IN_FLIGHT: usize = 10_000;

/// What one ingestion run did, for the summary line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IngestCounts {
    /// Messages read from the source; each became one record or one dead letter.
    pub messages: u64,
    /// Raw bytes of those messages.
    pub bytes: u64,
    /// Records delivered to the emails topic.
    pub produced: u64,
    /// Inputs delivered to the DLQ.
    pub dead_lettered: u64,
    /// Dead letters sent, by rule (`parse.no_headers`, `gmail.undecodable`, ...).
    pub dead_letters_by_rule: BTreeMap<String, u64>,
    /// Messages whose text needed a guessed charset (8-bit bytes and no declared charset, or
    /// one that did not fit).
    pub charset_guesses: u64,
    /// Records whose date is the newest `Received` header's (no readable `Date`).
    pub received_dates: u64,
    /// Records whose date is Gmail's `internalDate` (no readable `Date`).
    pub internal_dates: u64,
    /// Records whose date is the mbox `From ` line's (no `Date` nor `Received`).
    pub mbox_from_dates: u64,
}

impl IngestCounts {
    /// Records and dead letters delivered, added up.
    pub fn total(&self) -> u64 {
        self.produced + self.dead_lettered
    }

    /// Counts what a parsed record needed to get its fields.
    fn note(&mut self, charset_guessed: bool, date_source: Option<DateSource>) {
        self.charset_guesses += u64::from(charset_guessed);
        match date_source {
            Some(DateSource::Received) => self.received_dates += 1,
            Some(DateSource::InternalDate) => self.internal_dates += 1,
            Some(DateSource::MboxFrom) => self.mbox_from_dates += 1,
            Some(DateSource::Header) | None => {}
        }
    }
}

/// The producer side of an ingestion run: records to one topic, dead letters to a DLQ.
pub struct RecordSink {
    /// The idempotent, compressing producer.
    producer: FutureProducer,
    /// Where records go (key = record id).
    records_topic: String,
    /// Where input that could not be used goes.
    dlq: String,
    /// Which source this run reads (`mindy-source` on dead letters).
    source: &'static str,
    /// Delivery reports not yet received, with whether each was a dead letter.
    in_flight: FuturesUnordered<Tagged>,
    /// Delivered so far.
    counts: IngestCounts,
    /// When the sink was opened, for the summary's rate.
    started: Instant,
}

/// The email producers' sink: MIME parsing in front of a [`RecordSink`] on the emails topics.
pub struct EmailSink {
    /// The records and dead letters.
    sink: RecordSink,
    /// Which source this run reads.
    source: Source,
}

/// A message made ready to send, away from the sink (on a parser thread, say): its record's
/// JSON and what the counts need, or why it is not an email.
#[derive(Debug)]
pub enum Prepared {
    /// An email: the record's id (the key) and JSON (the value).
    Record {
        /// The record's id.
        id: String,
        /// The record as sent.
        json: Vec<u8>,
        /// Whether a charset had to be guessed.
        charset_guessed: bool,
        /// Where its date came from.
        date_source: Option<DateSource>,
        /// Bytes of the raw message.
        raw_len: u64,
    },
    /// Not an email: the raw bytes go to the DLQ with this reason.
    Unparseable(mime::ParseError),
}

impl Prepared {
    /// Parses `raw` (ingested now) and serialises its record.
    pub fn new(raw: &[u8], meta: &SourceMeta) -> Self {
        match mime::parse_noted(raw, meta, Utc::now()) {
            Ok(Parsed {
                record,
                charset_guessed,
            }) => Prepared::Record {
                json: record.to_json(),
                date_source: record.date_source,
                id: record.id,
                charset_guessed,
                raw_len: raw.len() as u64,
            },
            Err(e) => Prepared::Unparseable(e),
        }
    }

    /// Whether it is a record (the raw bytes are then no longer needed).
    pub fn is_record(&self) -> bool {
        matches!(self, Prepared::Record { .. })
    }
}

/// A delivery report with whether it was a dead letter, so one queue serves both kinds.
struct Tagged {
    /// The pending report.
    delivery: DeliveryFuture,
    /// True for a DLQ send.
    dead_letter: bool,
}

type DeliveryOutcome =
    std::result::Result<OwnedDeliveryResult, futures::channel::oneshot::Canceled>;

impl Future for Tagged {
    type Output = (bool, DeliveryOutcome);

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let dead_letter = self.dead_letter;
        self.delivery
            .poll_unpin(cx)
            .map(|outcome| (dead_letter, outcome))
    }
}

/// Producer settings shared by every ingestion source and the validator; `tuning` overrides
/// them (and the user's `--kafka-option`s override both).
pub fn producer_config(kafka_args: &KafkaArgs, tuning: &[(&str, &str)]) -> rdkafka::ClientConfig {
    let shared = [
        ("enable.idempotence", "true"),
        ("compression.type", "lz4"),
        ("linger.ms", "20"),
        ("queue.buffering.max.messages", "200000"),
    ];
    let all: Vec<(&str, &str)> = shared.iter().chain(tuning).copied().collect();
    kafka::tuned_config(kafka_args, &all)
}

impl EmailSink {
    /// Checks that the emails and DLQ topics exist, then opens the producer.
    pub async fn open(kafka_args: &KafkaArgs, topics: &TopicArgs, source: Source) -> Result<Self> {
        Ok(EmailSink {
            sink: RecordSink::open(kafka_args, &topics.emails, &topics.dlq, source.as_str())
                .await?,
            source,
        })
    }

    /// Parses `raw` and sends the record, or the raw bytes to the DLQ when it is not an email.
    /// Returns whether it became a record.
    pub async fn ingest(
        &mut self,
        raw: &[u8],
        meta: &SourceMeta,
        source_ref: &str,
    ) -> Result<bool> {
        let prepared = Prepared::new(raw, meta);
        self.send_prepared(&prepared, raw, source_ref).await
    }

    /// Sends what [`Prepared::new`] made of `raw`: the record, or `raw` to the DLQ when it was
    /// not an email (`raw` is read only then). Returns whether it was a record.
    pub async fn send_prepared(
        &mut self,
        prepared: &Prepared,
        raw: &[u8],
        source_ref: &str,
    ) -> Result<bool> {
        match prepared {
            Prepared::Record {
                id,
                json,
                charset_guessed,
                date_source,
                raw_len,
            } => {
                self.sink.counts.note(*charset_guessed, *date_source);
                self.sink.counts.bytes += raw_len;
                self.sink.send(id.as_bytes(), json).await?;
                Ok(true)
            }
            Prepared::Unparseable(e) => {
                tracing::warn!(source = self.source.as_str(), source_ref, reason = %e, "unparseable input sent to the DLQ");
                self.send_dead_letter(raw, e.code(), &e.to_string(), source_ref)
                    .await?;
                Ok(false)
            }
        }
    }

    /// Sends one record to the emails topic, keyed by its id.
    pub async fn send_record(&mut self, record: &EmailRecord) -> Result<()> {
        self.sink
            .send(record.id.as_bytes(), &record.to_json())
            .await
    }

    /// Sends input that could not be used to the DLQ, with the reason in headers.
    pub async fn send_dead_letter(
        &mut self,
        raw: &[u8],
        rule: &str,
        reason: &str,
        source_ref: &str,
    ) -> Result<()> {
        self.sink
            .send_dead_letter(raw, rule, reason, source_ref)
            .await
    }

    /// Waits until every record sent so far is acknowledged (or fails the run).
    pub async fn flush(&mut self) -> Result<()> {
        self.sink.flush().await
    }

    /// Waits for every outstanding delivery and returns what was delivered.
    pub async fn finish(self) -> Result<IngestCounts> {
        self.sink.finish().await
    }

    /// Counts so far (deliveries: outstanding reports not included).
    pub fn counts(&self) -> &IngestCounts {
        self.sink.counts()
    }

    /// Time since the sink was opened.
    pub fn elapsed(&self) -> Duration {
        self.sink.elapsed()
    }
}

impl RecordSink {
    /// Checks that the records topic and the DLQ exist, then opens the producer.
    pub async fn open(
        kafka_args: &KafkaArgs,
        records_topic: &str,
        dlq: &str,
        source: &'static str,
    ) -> Result<Self> {
        kafka::require_topics(kafka_args, &[records_topic, dlq]).await?;
        Ok(RecordSink {
            producer: producer_config(kafka_args, &[]).create()?,
            records_topic: records_topic.to_string(),
            dlq: dlq.to_string(),
            source,
            in_flight: FuturesUnordered::new(),
            counts: IngestCounts::default(),
            started: Instant::now(),
        })
    }

    /// Sends one record's JSON to the records topic under `key` (the record's id), counting it
    /// as a message read.
    pub async fn send(&mut self, key: &[u8], payload: &[u8]) -> Result<()> {
        self.counts.messages += 1;
        let topic = self.records_topic.clone();
        self.enqueue(&topic, key, payload, None).await
    }

    /// Sends input that could not be used to the DLQ, with the reason in headers; counts it as
    /// a message read, by rule.
    pub async fn send_dead_letter(
        &mut self,
        raw: &[u8],
        rule: &str,
        reason: &str,
        source_ref: &str,
    ) -> Result<()> {
        self.counts.messages += 1;
        self.counts.bytes += raw.len() as u64;
        *self
            .counts
            .dead_letters_by_rule
            .entry(rule.to_string())
            .or_default() += 1;
        let letter = DeadLetter {
            stage: Stage::Ingest,
            rule,
            reason,
            source: self.source,
            source_ref,
        };
        let (value, headers) = letter.encode(raw);
        let topic = self.dlq.clone();
        self.enqueue(&topic, source_ref.as_bytes(), value, Some(headers))
            .await
    }

    async fn enqueue(
        &mut self,
        topic: &str,
        key: &[u8],
        payload: &[u8],
        headers: Option<OwnedHeaders>,
    ) -> Result<()> {
        let dead_letter = headers.is_some();
        let mut record = FutureRecord::to(topic).key(key).payload(payload);
        if let Some(headers) = headers {
            record = record.headers(headers);
        }
        loop {
            while self.in_flight.len() >= MAX_IN_FLIGHT {
                self.collect_one().await?;
            }
            match self.producer.send_result(record) {
                Ok(delivery) => {
                    self.in_flight.push(Tagged {
                        delivery,
                        dead_letter,
                    });
                    return Ok(());
                }
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), back)) => {
                    record = back;
                    if self.in_flight.is_empty() {
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    } else {
                        self.collect_one().await?;
                    }
                }
                Err((e, _)) => return Err(e.into()),
            }
        }
    }

    /// Waits for one delivery report and counts it.
    async fn collect_one(&mut self) -> Result<()> {
        let Some((dead_letter, outcome)) = self.in_flight.next().await else {
            return Ok(());
        };
        match outcome {
            Ok(Ok(_)) => {
                if dead_letter {
                    self.counts.dead_lettered += 1;
                } else {
                    self.counts.produced += 1;
                }
                Ok(())
            }
            Ok(Err((e, _))) => Err(e.into()),
            Err(_) => Err(Error::unexpected(
                "kafka",
                "producer dropped a delivery report",
            )),
        }
    }

    /// Waits until every record sent so far is acknowledged (or fails the run).
    pub async fn flush(&mut self) -> Result<()> {
        while !self.in_flight.is_empty() {
            self.collect_one().await?;
        }
        Ok(())
    }

    /// Waits for every outstanding delivery and returns what was delivered.
    pub async fn finish(mut self) -> Result<IngestCounts> {
        self.flush().await?;
        self.producer.flush(Duration::from_secs(30))?;
        Ok(self.counts)
    }

    /// Counts so far (deliveries: outstanding reports not included).
    pub fn counts(&self) -> &IngestCounts {
        &self.counts
    }

    /// Time since the sink was opened.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }
}

/// `1234567` as `1,234,567`, for summary lines.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
