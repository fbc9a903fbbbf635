//! `mindy validate`: `emails-topic` → `processed-emails-topic`, exactly once.
//!
//! Every record is checked against [`mindy_core::email::rules`] and normalised; valid ones are forwarded (key = id),
//! invalid ones go to `emails-dlq` with the failed rule in the `mindy-rule` header, and every
//! rejection is logged with the message id. The [`processor`] commits each batch's output and
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
use mindy_core::config::{KafkaArgs, TopicArgs};

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
    /// Consumer group (offsets are committed in the group, inside each transaction).
    #[arg(long, env = "MINDY_VALIDATOR_GROUP", default_value = "mindy-validator")]
    pub group: String,
    /// Transactional id: stable across restarts of one instance, distinct between instances.
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

impl ValidateConfig {
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

/// Runs the validator until `shutdown` (or until caught up with `--until-idle`).
pub async fn run(config: &ValidateConfig, shutdown: Shutdown) -> Result<ValidateReport> {
    let topics = &config.topics;
    mindy_core::kafka::require_topics(
        &config.kafka,
        &[&topics.emails, &topics.processed, &topics.dlq],
    )
    .await?;
    let counters = Arc::new(metrics::Counters::default());
    let server_stop = Shutdown::new();
    if !config.no_metrics {
        let listener = tokio::net::TcpListener::bind(config.metrics_addr)
            .await
            .map_err(|e| {
                Error::invalid(format!(
                    "cannot serve metrics on {}: {e}",
                    config.metrics_addr
                ))
            })?;
        tracing::info!(addr = %listener.local_addr().map_err(|e| Error::invalid(e.to_string()))?, "serving /metrics");
        tokio::spawn(metrics::serve(
            listener,
            Arc::clone(&counters),
            server_stop.clone(),
        ));
    }
    let config = config.clone();
    let loop_counters = Arc::clone(&counters);
    let result = tokio::task::spawn_blocking(move || {
        processor::Processor::new(&config, loop_counters)?.run(&shutdown)
    })
    .await
    .map_err(|e| Error::unexpected("validate", format!("processing thread failed: {e}")))?;
    server_stop.trigger();
    result
}
