//! `mindy validate`: `emails-topic` → `processed-emails-topic` and `calendar-topic` →
//! `processed-calendar-topic`, exactly once.
//!
//! Rules apply per record type: emails are checked against [`mindy_core::email::rules`],
//! calendar records against [`mindy_core::calendar::rules`]. Each type has its own [`Route`] —
//! input, output, DLQ, consumer group and transactional id — and its own [`processor`] on a
//! thread of its own, so the two never share a transaction or a rebalance. Valid records are
//! normalised and forwarded (key = id), invalid ones go to the type's DLQ with the failed rule in
//! the `mindy-rule` header, and every rejection is logged with the record's id. The [`processor`] commits each batch's output and
//! input offsets in one Kafka transaction; downstream reads `read_committed`. SIGTERM ends the
//! current batch cleanly. [`metrics`] serves valid/invalid/lag counters on `/metrics`.
//!
//! Run one instance per `--transactional-id`: two live instances with the same id fence each
//! other (the point of the id: a restarted instance fences its dead predecessor).

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;

use crate::jobs::ingest::sink::thousands;
use crate::shutdown::Shutdown;
use crate::{Error, Result};
use mindy_core::config::{CalendarTopicArgs, KafkaArgs, RecordType, TopicArgs};

pub mod kafka_log;
pub mod metrics;
pub mod processor;

/// Settings of `mindy validate`.
#[derive(Debug, Clone, Args)]
pub struct ValidateConfig {
    /// Kafka connection.
    #[command(flatten)]
    pub kafka: KafkaArgs,
    /// Topics: reads `emails`, writes `processed` and `dlq`.
    #[command(flatten)]
    pub topics: TopicArgs,
    /// Calendar topics: reads `calendar`, writes `processed-calendar` and `calendar-dlq`.
    #[command(flatten)]
    pub calendar: CalendarTopicArgs,
    /// Record types to validate, each on its own topics (comma-separated).
    #[arg(
        long,
        env = "MINDY_VALIDATOR_RECORDS",
        value_delimiter = ',',
        default_value = "email,calendar"
    )]
    pub records: Vec<RecordType>,
    /// Consumer group (offsets are committed in the group, inside each transaction); calendar
    /// records use `<group>-calendar`.
    #[arg(long, env = "MINDY_VALIDATOR_GROUP", default_value = "mindy-validator")]
    pub group: String,
    /// Transactional id: stable across restarts of one instance, distinct between instances;
    /// calendar records use `<id>-calendar`.
    #[arg(
        long,
        env = "MINDY_VALIDATOR_TRANSACTIONAL_ID",
        default_value = "mindy-validator-0"
    )]
    pub transactional_id: String,
    /// At-least-once mode without transactions (flush, then commit offsets): for benchmarks.
    #[arg(long)]
    pub no_transactions: bool,
    /// Records per transaction at most. `--batch-ms` bounds how long a record waits for its
    /// commit either way; more records per transaction means fewer commits at high rates.
    #[arg(long, default_value_t = 50_000)]
    pub batch_records: u64,
    /// Milliseconds per transaction at most.
    #[arg(long, default_value_t = 200)]
    pub batch_ms: u64,
    /// Exit once every assigned partition is read to its end (for scripted demos and tests).
    #[arg(long)]
    pub until_idle: bool,
    /// Address of the Prometheus `/metrics` endpoint (port 0 picks a free one).
    #[arg(
        long,
        env = "MINDY_VALIDATOR_METRICS_ADDR",
        default_value = "127.0.0.1:9464"
    )]
    pub metrics_addr: SocketAddr,
    /// Do not serve `/metrics`.
    #[arg(long)]
    pub no_metrics: bool,
    /// Seconds between progress log lines.
    #[arg(long, default_value_t = 10)]
    pub log_interval_secs: u64,
}

/// What one record type's processor reads, writes and checks.
#[derive(Debug, Clone)]
pub struct Route {
    /// The record type.
    pub record: RecordType,
    /// The topic it reads.
    pub input: String,
    /// Where valid records go.
    pub processed: String,
    /// Where invalid records go.
    pub dlq: String,
    /// Its consumer group.
    pub group: String,
    /// Its transactional id (also its static group membership id).
    pub transactional_id: String,
    /// The rules.
    pub validate: fn(&[u8]) -> processor::Outcome,
}

impl ValidateConfig {
    /// The routes of the record types to validate, in [`RecordType::ALL`] order.
    pub fn routes(&self) -> Vec<Route> {
        RecordType::ALL
            .into_iter()
            .filter(|r| self.records.contains(r))
            .map(|record| match record {
                RecordType::Email => Route {
                    record,
                    input: self.topics.emails.clone(),
                    processed: self.topics.processed.clone(),
                    dlq: self.topics.dlq.clone(),
                    group: self.group.clone(),
                    transactional_id: self.transactional_id.clone(),
                    validate: processor::validate_email,
                },
                RecordType::Calendar => Route {
                    record,
                    input: self.calendar.calendar.clone(),
                    processed: self.calendar.processed.clone(),
                    dlq: self.calendar.dlq.clone(),
                    group: format!("{}-calendar", self.group),
                    transactional_id: format!("{}-calendar", self.transactional_id),
                    validate: processor::validate_calendar,
                },
            })
            .collect()
    }

    /// Whether batches are Kafka transactions.
    pub fn transactional(&self) -> bool {
        !self.no_transactions
    }

    /// Time between progress lines.
    pub fn log_interval(&self) -> Duration {
        Duration::from_secs(self.log_interval_secs.max(1))
    }
}

/// What a run did.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidateReport {
    /// Records forwarded and committed.
    pub valid: u64,
    /// Records dead-lettered and committed.
    pub invalid: u64,
    /// Lag at exit.
    pub lag: i64,
    /// From the first record read to the last commit.
    pub active: Duration,
    /// Whether transactions were used.
    pub transactional: bool,
    /// Batches aborted and read again (after a rebalance or a failed commit).
    pub redone: u64,
}

impl ValidateReport {
    /// The processors' reports added up (the active period is the longest of them).
    pub fn sum(reports: &[ValidateReport], transactional: bool) -> ValidateReport {
        ValidateReport {
            valid: reports.iter().map(|r| r.valid).sum(),
            invalid: reports.iter().map(|r| r.invalid).sum(),
            lag: reports.iter().map(|r| r.lag).sum(),
            active: reports.iter().map(|r| r.active).max().unwrap_or_default(),
            transactional,
            redone: reports.iter().map(|r| r.redone).sum(),
        }
    }

    /// Records per second over the active period.
    pub fn rate(&self) -> f64 {
        (self.valid + self.invalid) as f64 / self.active.as_secs_f64().max(1e-3)
    }
}

impl fmt::Display for ValidateReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "validated {} records in {:.2} s ({:.0} records/s, {}): {} valid, {} invalid, lag {}, {} batches redone",
            thousands(self.valid + self.invalid),
            self.active.as_secs_f64(),
            self.rate(),
            if self.transactional {
                "transactional"
            } else {
                "no transactions"
            },
            thousands(self.valid),
            thousands(self.invalid),
            self.lag,
            self.redone,
        )
    }
}

/// Runs the validator until `shutdown` (or until caught up with `--until-idle`): one processor
/// per record type, the report adding them up.
pub async fn run(config: &ValidateConfig, shutdown: Shutdown) -> Result<ValidateReport> {
    let routes = config.routes();
    if routes.is_empty() {
        return Err(Error::invalid("--records names no record type to validate"));
    }
    let topics: Vec<&str> = routes
        .iter()
        .flat_map(|r| [r.input.as_str(), r.processed.as_str(), r.dlq.as_str()])
        .collect();
    mindy_core::kafka::require_topics(&config.kafka, &topics).await?;
    let registry: metrics::Registry = routes
        .iter()
        .map(|r| (r.record.as_str(), Arc::new(metrics::Counters::default())))
        .collect();
    let registry = Arc::new(registry);
    let server_stop = Shutdown::new();
    if !config.no_metrics {
        let counters = Arc::clone(&registry);
        crate::metrics::spawn(
            Some(config.metrics_addr),
            Arc::new(move || metrics::render(&counters)),
            server_stop.clone(),
        )
        .await?;
    }
    let mut threads = Vec::new();
    for (route, (_, counters)) in routes.into_iter().zip(registry.iter()) {
        let (config, counters, shutdown) = (config.clone(), Arc::clone(counters), shutdown.clone());
        threads.push(tokio::task::spawn_blocking(move || {
            processor::Processor::new(&config, route, counters)?.run(&shutdown)
        }));
    }
    let mut reports = Vec::new();
    for thread in threads {
        let report = thread
            .await
            .map_err(|e| Error::unexpected("validate", format!("processing thread failed: {e}")));
        match report {
            Ok(Ok(report)) => reports.push(report),
            Ok(Err(e)) | Err(e) => {
                // One processor failing stops the others, so the process exits with the error.
                shutdown.trigger();
                server_stop.trigger();
                return Err(e);
            }
        }
    }
    server_stop.trigger();
    Ok(ValidateReport::sum(&reports, config.transactional()))
}
