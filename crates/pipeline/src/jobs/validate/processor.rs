//! The consume–validate–produce loop, exactly once with Kafka transactions.
//!
//! Each batch (up to `batch_records` records or `batch_ms` milliseconds) is one transaction:
//! the forwarded records, the dead letters and the consumer offsets (`send_offsets_to_transaction`
//! with the group's metadata, so a fenced or rebalanced member cannot commit) commit together or
//! not at all. A crash mid-batch leaves an open transaction that the next `init_transactions` with
//! the same `transactional.id` aborts; the restarted validator resumes from the last committed
//! offsets, and `read_committed` readers never see the aborted copies.
//!
//! On an abortable error or a rebalance during a batch, the transaction is aborted and the
//! consumer rewound to the committed offsets, so the batch is redone rather than skipped.
//!
//! The loop is synchronous (librdkafka's own threads do the I/O) and runs on a blocking thread.
//! It takes what the consumer holds in chunks of up to [`CHUNK`] records, validates a chunk on
//! every core (rayon), then sends the results in read order on the loop's thread. Two waits that
//! capped throughput are tuned away: rdkafka's `flush` polls in whole 100 ms steps (the loop
//! drains delivery reports itself before committing), and librdkafka backs off fetching for
//! `fetch.queue.backoff.ms` (1 s by default) once its prefetch queue is full (10 ms here).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use rdkafka::config::RDKafkaLogLevel;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer, ConsumerContext, Rebalance};
use rdkafka::error::KafkaError;
use rdkafka::message::{BorrowedMessage, Headers, Message, OwnedHeaders};
use rdkafka::producer::{BaseProducer, BaseRecord, DeliveryResult, Producer, ProducerContext};
use rdkafka::topic_partition_list::{Offset, TopicPartitionList};
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::ClientContext;

use super::kafka_log::KafkaLog;
use super::metrics::Counters;
use super::{Route, ValidateConfig, ValidateReport};
use crate::shutdown::Shutdown;
use crate::{Error, Result};
use mindy_core::dlq::{DeadLetter, Stage};
use mindy_core::kafka;
use mindy_core::Error as CoreError;

/// Most records taken from librdkafka per round of (parallel) validation.
const CHUNK: usize = 512;

/// Fewest records per parallel task: below it, a round is validated on one thread.
const PARALLEL_MIN: usize = 64;

/// How long transactional calls may block before the batch is treated as failed.
const TXN_TIMEOUT: Duration = Duration::from_secs(30);

/// Notes rebalances, so a batch that spans one is redone.
#[derive(Default)]
struct GroupContext {
    /// Set by every rebalance callback; cleared by the loop.
    rebalanced: AtomicBool,
    /// librdkafka's log lines, transient start-up ones kept quiet.
    log: KafkaLog,
}

impl ClientContext for GroupContext {
    fn log(&self, level: RDKafkaLogLevel, fac: &str, log_message: &str) {
        self.log.log(level, fac, log_message);
    }

    fn error(&self, error: KafkaError, reason: &str) {
        // End-of-partition is how `--until-idle` knows it is caught up, not a failure.
        let eof = RDKafkaErrorCode::PartitionEOF;
        if !matches!(error, KafkaError::PartitionEOF(_)) && error.rdkafka_error_code() != Some(eof)
        {
            tracing::error!(%error, reason, "kafka client error");
        }
    }
}

impl ConsumerContext for GroupContext {
    fn pre_rebalance(&self, _consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        // Routine at every start and stop; a rebalance in the middle of a batch is logged
        // where the batch is redone.
        tracing::debug!(?rebalance, "partitions changing");
        self.rebalanced.store(true, Ordering::SeqCst);
    }
}

/// Counts failed deliveries (without transactions they must stop offsets from being committed).
#[derive(Default)]
struct DeliveryContext {
    /// Deliveries that failed since the start.
    failed: AtomicU64,
    /// librdkafka's log lines, transient start-up ones (GETPID while the coordinator loads)
    /// kept quiet.
    log: KafkaLog,
}

impl ClientContext for DeliveryContext {
    fn log(&self, level: RDKafkaLogLevel, fac: &str, log_message: &str) {
        self.log.log(level, fac, log_message);
    }
}

impl ProducerContext for DeliveryContext {
    type DeliveryOpaque = ();

    fn delivery(&self, result: &DeliveryResult<'_>, _: ()) {
        if let Err((e, _)) = result {
            // An aborted transaction purges what was still queued: expected, and redone.
            let purged = matches!(
                e.rdkafka_error_code(),
                Some(RDKafkaErrorCode::PurgeQueue | RDKafkaErrorCode::PurgeInflight)
            );
            if purged {
                return;
            }
            tracing::error!(error = %e, "delivery failed");
            self.failed.fetch_add(1, Ordering::SeqCst);
        }
    }
}

/// One batch in progress.
#[derive(Default)]
struct Batch {
    /// Next offset to commit per partition of the input topic.
    offsets: HashMap<i32, i64>,
    /// Records forwarded.
    valid: u64,
    /// Records dead-lettered.
    invalid: u64,
    /// Rejections by rule.
    rules: BTreeMap<&'static str, u64>,
    /// When the first record of the batch was read.
    started: Option<Instant>,
}

impl Batch {
    fn len(&self) -> u64 {
        self.valid + self.invalid
    }
}

/// The validator's Kafka clients and state.
pub struct Processor {
    /// Input consumer (manual offsets, `read_committed`).
    consumer: BaseConsumer<GroupContext>,
    /// Output producer (transactional unless disabled).
    producer: BaseProducer<DeliveryContext>,
    /// Settings.
    config: ValidateConfig,
    /// What this processor reads, writes and checks.
    route: Route,
    /// This record type's counters.
    counters: Arc<Counters>,
    /// Partitions of the input topic that reached their end since their last record.
    at_eof: HashSet<i32>,
    /// First record ever read and last commit, for the throughput figure.
    active: (Option<Instant>, Option<Instant>),
}

impl Processor {
    /// Creates the clients, initialises transactions (fencing any previous instance with the same
    /// transactional id and aborting its open transaction) and subscribes.
    pub fn new(config: &ValidateConfig, route: Route, counters: Arc<Counters>) -> Result<Self> {
        let mut consumer_config = kafka::tuned_config(
            &config.kafka,
            &[
                // librdkafka pauses fetching for 1 s once its prefetch queue is full, long enough
                // for the loop to run dry; resume within 10 ms instead.
                ("fetch.queue.backoff.ms", "10"),
                // An idle partition's end is noticed within 100 ms (the default waits 500).
                ("fetch.wait.max.ms", "100"),
            ],
        );
        consumer_config
            .set("group.id", &route.group)
            // Static membership: a restarted instance (same id) takes its partitions back at
            // once instead of waiting out the dead member's session timeout.
            .set("group.instance.id", &route.transactional_id)
            .set("enable.auto.commit", "false")
            .set("auto.offset.reset", "earliest")
            .set("isolation.level", "read_committed")
            .set("enable.partition.eof", "true");
        let consumer: BaseConsumer<GroupContext> =
            consumer_config.create_with_context(GroupContext::default())?;
        let mut producer_config =
            crate::jobs::ingest::sink::producer_config(&config.kafka, &[("linger.ms", "5")]);
        if config.transactional() {
            producer_config.set("transactional.id", &route.transactional_id);
            producer_config.set("transaction.timeout.ms", "60000");
        }
        let producer: BaseProducer<DeliveryContext> =
            producer_config.create_with_context(DeliveryContext::default())?;
        if config.transactional() {
            producer.init_transactions(TXN_TIMEOUT)?;
        }
        consumer.subscribe(&[&route.input])?;
        Ok(Processor {
            consumer,
            producer,
            config: config.clone(),
            route,
            counters,
            at_eof: HashSet::new(),
            active: (None, None),
        })
    }

    /// Processes batches until `shutdown`, or until caught up when `until_idle` is set.
    pub fn run(mut self, shutdown: &Shutdown) -> Result<ValidateReport> {
        let mut last_log = Instant::now();
        loop {
            let stop = shutdown.is_triggered();
            if !stop {
                let batch = self.fill_batch(shutdown)?;
                self.complete(batch)?;
            }
            if last_log.elapsed() >= self.config.log_interval() || stop {
                self.update_lag();
                self.log_progress();
                last_log = Instant::now();
            }
            if stop || (self.config.until_idle && self.caught_up()) {
                break;
            }
        }
        self.update_lag();
        Ok(self.report())
    }

    /// Reads and handles records until the batch is full, its time is up, or input runs dry.
    fn fill_batch(&mut self, shutdown: &Shutdown) -> Result<Batch> {
        let mut batch = Batch::default();
        let deadline = Instant::now() + Duration::from_millis(self.config.batch_ms);
        while batch.len() < self.config.batch_records && !shutdown.is_triggered() {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            let room = (self.config.batch_records - batch.len()).min(CHUNK as u64) as usize;
            let events = poll_chunk(&self.consumer, deadline - now, room);
            if self
                .consumer
                .context()
                .rebalanced
                .swap(false, Ordering::SeqCst)
            {
                // Part of what was read may belong to partitions this member no longer owns or
                // predate the new assignment: drop it all and read again from the committed
                // offsets (with the open transaction, if any, aborted).
                let dropped = events.iter().any(|e| matches!(e, Polled::Message(_)));
                drop(events);
                self.at_eof.clear();
                if batch.started.is_some() {
                    tracing::warn!("rebalance during a batch: aborting it to redo it");
                    self.abort_and_rewind()?;
                    batch = Batch::default();
                } else if dropped {
                    self.rewind()?;
                }
                continue;
            }
            // The CPU-heavy part (parse, check, re-serialise) runs on every core; sending stays
            // in read order on this thread.
            let steps: Vec<Step<'_, '_>> = events
                .par_iter()
                .with_min_len(PARALLEL_MIN)
                .map(|event| match event {
                    Polled::Message(m) => {
                        Step::Record(m, (self.route.validate)(m.payload().unwrap_or_default()))
                    }
                    Polled::Eof(partition) => Step::Eof(*partition),
                })
                .collect();
            for step in steps {
                match step {
                    Step::Record(message, outcome) => {
                        if batch.started.is_none() {
                            if self.config.transactional() {
                                self.producer.begin_transaction()?;
                            }
                            batch.started = Some(Instant::now());
                            self.active.0.get_or_insert_with(Instant::now);
                        }
                        self.at_eof.remove(&message.partition());
                        self.handle(message, outcome, &mut batch)?;
                    }
                    Step::Eof(partition) => {
                        self.at_eof.insert(partition);
                    }
                }
            }
            self.producer.poll(Duration::ZERO);
            // Nothing left to read for now: commit what there is rather than wait out the batch.
            if self.caught_up() {
                break;
            }
        }
        Ok(batch)
    }

    /// Sends one validated record on, inside the batch's transaction: forwarded, or to the DLQ
    /// with the rule it broke.
    fn handle(
        &self,
        message: &BorrowedMessage<'_>,
        outcome: Outcome,
        batch: &mut Batch,
    ) -> Result<()> {
        batch
            .offsets
            .insert(message.partition(), message.offset() + 1);
        match outcome {
            Ok(Forward { id, payload }) => {
                self.send(
                    BaseRecord::to(&self.route.processed)
                        .key(id.as_bytes())
                        .payload(&payload),
                )?;
                batch.valid += 1;
            }
            Err(rejection) => {
                let id = rejection.id.as_deref().unwrap_or("?");
                tracing::warn!(record = self.route.record.as_str(), id, rule = rejection.rule, detail = %rejection.detail, "record rejected");
                let source_ref = format!(
                    "{}/{}/{}",
                    message.topic(),
                    message.partition(),
                    message.offset()
                );
                let letter = DeadLetter {
                    stage: Stage::Validate,
                    rule: rejection.rule,
                    reason: &rejection.detail,
                    source: message.topic(),
                    source_ref: &source_ref,
                };
                let (value, headers) = letter.encode(message.payload().unwrap_or_default());
                let headers = copy_headers(message, headers);
                let key = message.key().unwrap_or_default();
                self.send(
                    BaseRecord::to(&self.route.dlq)
                        .key(key)
                        .payload(value)
                        .headers(headers),
                )?;
                batch.invalid += 1;
                *batch.rules.entry(rejection.rule).or_default() += 1;
            }
        }
        Ok(())
    }

    /// Enqueues a record, serving delivery reports while librdkafka's queue is full.
    fn send(&self, mut record: BaseRecord<'_, [u8], [u8]>) -> Result<()> {
        loop {
            match self.producer.send(record) {
                Ok(()) => return Ok(()),
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), back)) => {
                    record = back;
                    self.producer.poll(Duration::from_millis(5));
                }
                Err((e, _)) => return Err(e.into()),
            }
        }
    }

    /// Commits the batch: offsets and records in one transaction, or flush-then-commit-offsets
    /// without transactions.
    fn complete(&mut self, batch: Batch) -> Result<()> {
        if batch.started.is_none() {
            return Ok(());
        }
        let offsets = self.offset_list(&batch)?;
        let committed = if self.config.transactional() {
            self.commit_transaction(&offsets)
        } else {
            self.commit_plain(&offsets)
        };
        match committed {
            Ok(()) => {
                self.counters
                    .add_batch(batch.valid, batch.invalid, &batch.rules);
                self.active.1 = Some(Instant::now());
                Ok(())
            }
            Err(e) if is_abortable(&e) => {
                tracing::warn!(error = %e, "batch failed; aborting and redoing it");
                self.abort_and_rewind()
            }
            Err(e) => Err(e),
        }
    }

    fn offset_list(&self, batch: &Batch) -> Result<TopicPartitionList> {
        let mut list = TopicPartitionList::new();
        for (partition, offset) in &batch.offsets {
            list.add_partition_offset(&self.route.input, *partition, Offset::Offset(*offset))?;
        }
        Ok(list)
    }

    fn commit_transaction(&self, offsets: &TopicPartitionList) -> Result<()> {
        let metadata = self
            .consumer
            .group_metadata()
            .ok_or_else(|| Error::unexpected("kafka", "consumer has no group metadata"))?;
        self.producer
            .send_offsets_to_transaction(offsets, &metadata, TXN_TIMEOUT)?;
        // Drained first, `commit_transaction`'s own flush finds nothing left to wait for.
        self.drain()?;
        self.producer.commit_transaction(TXN_TIMEOUT)?;
        Ok(())
    }

    fn commit_plain(&self, offsets: &TopicPartitionList) -> Result<()> {
        let failed_before = self.producer.context().failed.load(Ordering::SeqCst);
        self.drain()?;
        if self.producer.context().failed.load(Ordering::SeqCst) != failed_before {
            return Err(Error::unexpected(
                "kafka",
                "deliveries failed; offsets not committed",
            ));
        }
        self.consumer.commit(offsets, CommitMode::Sync)?;
        Ok(())
    }

    /// Waits until every enqueued record is acknowledged and its delivery report served.
    ///
    /// rdkafka's `flush` (which `commit_transaction` also runs) waits in whole 100 ms polls
    /// whenever anything is still in flight, which held every batch for 100 ms; this serves
    /// delivery reports in 1 ms slices instead.
    fn drain(&self) -> Result<()> {
        let deadline = Instant::now() + TXN_TIMEOUT;
        while self.producer.in_flight_count() > 0 {
            if Instant::now() >= deadline {
                return Err(KafkaError::Flush(RDKafkaErrorCode::OperationTimedOut).into());
            }
            self.producer.poll(Duration::from_millis(1));
        }
        Ok(())
    }

    /// Aborts the open transaction and rewinds, so the aborted records are read again.
    fn abort_and_rewind(&mut self) -> Result<()> {
        self.counters.aborts.fetch_add(1, Ordering::Relaxed);
        if self.config.transactional() {
            self.abort()?;
        }
        self.rewind()
    }

    /// Aborts the open transaction. Like `flush`, rdkafka's abort waits for delivery reports
    /// that only polling serves: a first short call purges what is still queued and times out
    /// (a retriable error; the abort goes on in the background), the reports are served, and
    /// the second call completes it.
    fn abort(&self) -> Result<()> {
        match self.producer.abort_transaction(Duration::from_millis(100)) {
            Ok(()) => return Ok(()),
            Err(KafkaError::Transaction(e)) if e.is_retriable() => {}
            Err(e) => return Err(e.into()),
        }
        self.drain()?;
        self.producer.abort_transaction(TXN_TIMEOUT)?;
        Ok(())
    }

    /// Seeks every assigned partition back to its committed offset.
    fn rewind(&mut self) -> Result<()> {
        let committed = self.consumer.committed(TXN_TIMEOUT)?;
        let mut seek = TopicPartitionList::new();
        for element in committed.elements() {
            let offset = match element.offset() {
                Offset::Offset(o) => Offset::Offset(o),
                _ => Offset::Beginning,
            };
            seek.add_partition_offset(element.topic(), element.partition(), offset)?;
        }
        if seek.count() > 0 {
            self.consumer.seek_partitions(seek, TXN_TIMEOUT)?;
        }
        self.at_eof.clear();
        Ok(())
    }

    /// True when partitions are assigned and every one of them is at its end.
    fn caught_up(&self) -> bool {
        let Ok(assignment) = self.consumer.assignment() else {
            return false;
        };
        assignment.count() > 0
            && assignment
                .elements()
                .iter()
                .all(|e| self.at_eof.contains(&e.partition()))
    }

    /// Lag from librdkafka's cached high watermarks and the consumer's positions.
    fn update_lag(&self) {
        let Ok(positions) = self.consumer.position() else {
            return;
        };
        let mut lag = 0i64;
        for element in positions.elements() {
            let watermarks = self.consumer.fetch_watermarks(
                element.topic(),
                element.partition(),
                Duration::from_secs(5),
            );
            let Ok((_, high)) = watermarks else {
                continue;
            };
            if let Offset::Offset(position) = element.offset() {
                lag += (high - position).max(0);
            }
        }
        self.counters.lag.store(lag, Ordering::Relaxed);
    }

    fn log_progress(&self) {
        tracing::info!(
            valid = self.counters.valid.load(Ordering::Relaxed),
            invalid = self.counters.invalid.load(Ordering::Relaxed),
            lag = self.counters.lag.load(Ordering::Relaxed),
            aborted = self.counters.aborts.load(Ordering::Relaxed),
            "validator progress"
        );
    }

    fn report(&self) -> ValidateReport {
        let active = match self.active {
            (Some(first), Some(last)) => last.saturating_duration_since(first),
            _ => Duration::ZERO,
        };
        ValidateReport {
            valid: self.counters.valid.load(Ordering::Relaxed),
            invalid: self.counters.invalid.load(Ordering::Relaxed),
            lag: self.counters.lag.load(Ordering::Relaxed),
            active,
            transactional: self.config.transactional(),
            redone: self.counters.aborts.load(Ordering::Relaxed),
        }
    }
}

/// What the consumer handed over, in order.
enum Polled<'a> {
    /// A record.
    Message(BorrowedMessage<'a>),
    /// The partition reached its end.
    Eof(i32),
}

/// What the consumer handed over, validated: a record with its outcome, or a partition's end.
enum Step<'e, 'm> {
    /// A record and what becomes of it.
    Record(&'e BorrowedMessage<'m>, Outcome),
    /// The partition reached its end.
    Eof(i32),
}

/// A valid record, normalised and serialised, with its key.
pub struct Forward {
    /// The record's id (its key downstream).
    pub id: String,
    /// The normalised record as JSON.
    pub payload: Vec<u8>,
}

/// Why a record is dead-lettered, whatever its type.
pub struct Rejected {
    /// The rule's name (the DLQ's `mindy-rule` header).
    pub rule: &'static str,
    /// What exactly was wrong.
    pub detail: String,
    /// The record's id, when it could be read.
    pub id: Option<String>,
}

/// What becomes of one input record.
pub type Outcome = std::result::Result<Forward, Rejected>;

/// Email records: [`mindy_core::email::rules`].
pub fn validate_email(value: &[u8]) -> Outcome {
    mindy_core::email::validate(value)
        .map(|valid| Forward {
            // Fields the record does not know travel on untouched (additive evolution).
            payload: valid.to_json(),
            id: valid.record.id,
        })
        .map_err(|r| Rejected {
            rule: r.rule.name(),
            detail: r.detail,
            id: r.id,
        })
}

/// Calendar records: [`mindy_core::calendar::rules`].
pub fn validate_calendar(value: &[u8]) -> Outcome {
    mindy_core::calendar::validate(value)
        .map(|record| Forward {
            payload: record.to_json(),
            id: record.id,
        })
        .map_err(|r| Rejected {
            rule: r.rule.name(),
            detail: r.detail,
            id: r.id,
        })
}

/// Waits up to `timeout` for the first event, then takes up to `max` records that librdkafka
/// already holds, without waiting for more.
fn poll_chunk(
    consumer: &BaseConsumer<GroupContext>,
    timeout: Duration,
    max: usize,
) -> Vec<Polled<'_>> {
    let mut events = Vec::with_capacity(max);
    let mut wait = timeout;
    let mut messages = 0;
    while messages < max {
        match consumer.poll(wait) {
            None => break,
            Some(Ok(message)) => {
                events.push(Polled::Message(message));
                messages += 1;
            }
            Some(Err(KafkaError::PartitionEOF(partition))) => events.push(Polled::Eof(partition)),
            Some(Err(e)) => tracing::warn!(error = %e, "consumer error"),
        }
        wait = Duration::ZERO;
        if consumer.context().rebalanced.load(Ordering::SeqCst) {
            break;
        }
    }
    events
}

/// The input's headers first (so provenance survives), then the DLQ's own.
fn copy_headers(message: &BorrowedMessage<'_>, dlq: OwnedHeaders) -> OwnedHeaders {
    let Some(input) = message.headers() else {
        return dlq;
    };
    let mut out = OwnedHeaders::new_with_capacity(input.count() + dlq.count());
    for header in input.iter().chain(dlq.iter()) {
        out = out.insert(header);
    }
    out
}

/// Errors after which aborting and redoing the batch is the right move.
fn is_abortable(error: &Error) -> bool {
    match error {
        Error::Core(CoreError::Kafka(KafkaError::Transaction(e))) => {
            e.txn_requires_abort() || e.is_retriable()
        }
        Error::Core(CoreError::Kafka(KafkaError::ConsumerCommit(_))) => true,
        Error::Core(CoreError::Unexpected { .. }) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use mindy_core::email::{EmailRecord, Mailbox, Source};
    use serde_json::{json, Value};

    use super::*;

    #[test]
    fn the_validator_forwards_fields_the_record_does_not_know() {
        let at = Utc.with_ymd_and_hms(2026, 3, 2, 8, 0, 0).unwrap();
        let from = Mailbox::new(None, "tom@acmecorp.example").unwrap();
        let record = EmailRecord::plain(Source::Gmail, "m1", from, "Hi", "hello", at);
        let mut value: Value = serde_json::from_slice(&record.to_json()).unwrap();
        value["label_colors"] = json!({"Important": "#ff0000"});
        value["importance_score"] = json!(7);
        let Ok(forward) = validate_email(&serde_json::to_vec(&value).unwrap()) else {
            panic!("a record with a new optional field is valid")
        };
        assert_eq!(forward.id, "m1");
        let out: Value = serde_json::from_slice(&forward.payload).unwrap();
        assert_eq!(out["label_colors"], json!({"Important": "#ff0000"}));
        assert_eq!(out["importance_score"], json!(7));
        assert_eq!(out["subject"], "Hi");
    }
}
