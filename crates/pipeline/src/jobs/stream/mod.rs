//! `mindy stream`: the Structured Streaming driver. It builds the bronze, quarantine and silver
//! plans ([`plan`]) and submits them to the Spark Connect server, so the cluster's executors do
//! the work; this process only starts, watches ([`monitor`]) and stops the queries.
//!
//! - bronze: `processed-emails-topic` → `<lake>/bronze/emails` (Delta, partitioned by
//!   `event_date`), enriched and de-duplicated on the message id.
//! - quarantine: values that do not parse → `<lake>/bronze/emails_quarantine`, with the reason.
//! - silver: bronze (as a Delta stream) → `<lake>/silver/email_stats`, 1-hour windows per sender
//!   domain in append mode (each closed window written once).
//!
//! Each query has its own checkpoint under the checkpoint root, so a restart continues where it
//! stopped: Kafka offsets and the Delta sink's transaction log make it exactly-once.
//!
//! Calendar records (`--records` includes `calendar`, the default) run beside the mail on a
//! task and a Spark session of their own: [`calendar`].
//!
//! Running continuously, the driver outlives the Connect server: when it goes away or comes
//! back without the queries, they are resubmitted from their checkpoints ([`supervise`]).

pub mod calendar;
pub mod evolve;
pub mod metrics;
pub mod monitor;
pub mod plan;
pub mod summary;
pub mod supervise;

use std::time::Duration;

use clap::Args;
use spark_client::streaming::{OutputMode, StreamingQuery, Trigger};
use spark_client::{DataFrame, SparkSession};

use crate::shutdown::Shutdown;
use crate::{Error, Result};
use mindy_core::config::{KafkaArgs, LakeArgs, RecordType, SparkArgs, TopicArgs};
use mindy_core::lake;
use plan::PlanSettings;
pub use summary::StreamReport;

/// Settings of `mindy stream`.
#[derive(Debug, Clone, Args)]
pub struct StreamConfig {
    /// Kafka connection.
    #[command(flatten)]
    pub kafka: KafkaArgs,
    /// Topic names (the stream reads `processed`).
    #[command(flatten)]
    pub topics: TopicArgs,
    /// Record types to stream (comma-separated).
    #[arg(
        long,
        env = "MINDY_STREAM_RECORDS",
        value_delimiter = ',',
        default_value = "email,calendar"
    )]
    pub records: Vec<RecordType>,
    /// The calendar's topics and settings.
    #[command(flatten)]
    pub calendar: calendar::CalendarStreamArgs,
    /// Spark Connect connection.
    #[command(flatten)]
    pub spark: SparkArgs,
    /// Data lake root.
    #[command(flatten)]
    pub lake: LakeArgs,
    /// Where the queries keep their checkpoints (default: `<lake root>/_checkpoints`).
    #[arg(long, env = "MINDY_CHECKPOINT_ROOT")]
    pub checkpoint_root: Option<String>,
    /// Micro-batch interval while running continuously, e.g. `30s`, `1s`, `2m`.
    #[arg(long, env = "MINDY_STREAM_TRIGGER", default_value = "30s", value_parser = mindy_core::config::parse_duration)]
    pub trigger_interval: Duration,
    /// Process everything available now, then stop (Airflow and tests use this).
    #[arg(long)]
    pub available_now: bool,
    /// Where a query with no checkpoint starts in the topic: `earliest`, `latest` or Spark's
    /// per-partition JSON. Ignored once a checkpoint exists.
    #[arg(
        long,
        env = "MINDY_STREAM_STARTING_OFFSETS",
        default_value = "earliest"
    )]
    pub starting_offsets: String,
    /// Upper bound on Kafka records per micro-batch (backpressure).
    #[arg(
        long,
        env = "MINDY_STREAM_MAX_OFFSETS_PER_TRIGGER",
        default_value_t = 20_000
    )]
    pub max_offsets_per_trigger: u64,
    /// Fail the query when Kafka has deleted offsets it had not read yet (retention passed while
    /// the stream was down). Off by default: the loss is logged by Spark and the stream goes on
    /// from the oldest available record, because the producers can re-sync from the source.
    #[arg(long, env = "MINDY_STREAM_FAIL_ON_DATA_LOSS")]
    pub fail_on_data_loss: bool,
    /// How long a message id is remembered to drop re-deliveries, by Kafka ingestion time.
    #[arg(long, env = "MINDY_STREAM_DEDUP_WINDOW", default_value = "24 hours")]
    pub dedup_window: String,
    /// How late (by the email's own time) a mail may arrive and still count in silver's hourly
    /// windows; later mail still lands in bronze, and the daily batch counts it.
    #[arg(long, env = "MINDY_STREAM_LATE_DATA_DELAY", default_value = "2 hours")]
    pub late_data_delay: String,
    /// Keywords that flag an email as important (whole words in subject or body, any case).
    #[arg(
        long,
        env = "MINDY_IMPORTANT_KEYWORDS",
        value_delimiter = ',',
        default_value = "urgent,asap,critical,deadline,escalation,escalate,immediately,emergency,action required,overdue,production issue"
    )]
    pub important_keywords: Vec<String>,
    /// The user's IANA timezone: `event_date` is the calendar day there.
    #[arg(long, env = "USER_TIMEZONE", default_value = "UTC", value_parser = parse_timezone)]
    pub timezone: String,
    /// How often to log each query's progress.
    #[arg(long, env = "MINDY_STREAM_PROGRESS_INTERVAL", default_value = "10s", value_parser = mindy_core::config::parse_duration)]
    pub progress_interval: Duration,
    /// Record each query's progress in PostgreSQL's `stream_progress` for the dashboard.
    #[arg(
        long = "progress-database-url",
        env = "DATABASE_URL",
        hide_env_values = true
    )]
    pub progress_database_url: Option<String>,
    /// Serve the queries' progress as Prometheus metrics ([`metrics`]) on this address while
    /// running continuously, e.g. `127.0.0.1:9465` (port 0 picks a free one). Off when unset, and
    /// with `--available-now`.
    #[arg(long, env = "MINDY_STREAM_METRICS_ADDR")]
    pub metrics_addr: Option<std::net::SocketAddr>,
}

/// Paths of the stream's tables and checkpoints.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamPaths {
    /// `<lake>/bronze/emails`.
    pub bronze: String,
    /// `<lake>/bronze/emails_quarantine`.
    pub quarantine: String,
    /// `<lake>/silver/email_stats`.
    pub silver: String,
    /// The checkpoint root.
    pub checkpoints: String,
}

impl StreamConfig {
    /// Where the stream reads and writes.
    pub fn paths(&self) -> StreamPaths {
        let checkpoints = self
            .checkpoint_root
            .clone()
            .unwrap_or_else(|| format!("{}/_checkpoints", self.lake.spark_root()));
        StreamPaths {
            bronze: self.lake.location(&lake::BRONZE_EMAILS),
            quarantine: self.lake.location(&lake::EMAILS_QUARANTINE),
            silver: self.lake.location(&lake::SILVER_EMAIL_STATS),
            checkpoints: checkpoints.trim_end_matches('/').to_string(),
        }
    }

    fn plan_settings(&self) -> PlanSettings {
        PlanSettings {
            timezone: self.timezone.clone(),
            important_keywords: self
                .important_keywords
                .iter()
                .map(|k| k.trim().to_string())
                .filter(|k| !k.is_empty())
                .collect(),
            dedup_window: self.dedup_window.clone(),
            late_data_delay: self.late_data_delay.clone(),
        }
    }

    pub(crate) fn trigger(&self) -> Trigger {
        if self.available_now {
            Trigger::AvailableNow
        } else {
            Trigger::ProcessingTime(self.trigger_interval)
        }
    }
}

/// Runs the stream until `shutdown` (or, with `--available-now`, until caught up). Running
/// continuously, a run lost with the Connect server is resubmitted ([`supervise::run`]).
pub async fn run(config: &StreamConfig, shutdown: Shutdown) -> Result<StreamReport> {
    metrics::get();
    if config.available_now {
        // Over before Prometheus would scrape it (and Airflow's runs must not take the
        // continuous driver's port).
        return run_once(config, &shutdown, 0).await;
    }
    crate::metrics::spawn(
        config.metrics_addr,
        crate::metrics::registry_render(),
        shutdown.clone(),
    )
    .await?;
    supervise::run(config, &shutdown).await
}

/// One run of every query, from their checkpoints, until `shutdown` (or caught up). `restarts`
/// is how many runs came before it, recorded with the progress. When the mail's part fails,
/// `shutdown` is triggered so the calendar's part stops too, and the mail's error is returned.
pub(crate) async fn run_once(
    config: &StreamConfig,
    shutdown: &Shutdown,
    restarts: u32,
) -> Result<StreamReport> {
    let calendar = calendar::spawn(config, shutdown, restarts).await?;
    if !config.records.contains(&RecordType::Email) {
        return calendar::join(calendar, StreamReport::default()).await;
    }
    match run_mail(config, shutdown, restarts).await {
        Ok(report) => calendar::join(calendar, report).await,
        Err(e) => {
            shutdown.trigger();
            if let Err(calendar_error) = calendar::join(calendar, StreamReport::default()).await {
                tracing::warn!(error = %calendar_error, "the calendar's queries ended with an error too");
            }
            Err(e)
        }
    }
}

/// The mail's queries: bronze and quarantine from Kafka, then silver from bronze.
async fn run_mail(
    config: &StreamConfig,
    shutdown: &Shutdown,
    restarts: u32,
) -> Result<StreamReport> {
    let session = SparkSession::builder()
        .remote(&config.spark.remote)
        .build()
        .await?;
    let paths = config.paths();
    let settings = config.plan_settings();
    let monitor = monitor::Monitor::new(
        config.progress_interval,
        config.progress_database_url.as_deref(),
        restarts,
    )?;
    tracing::info!(?paths, trigger = ?config.trigger(), topic = %config.topics.processed, "starting the stream");
    // The quarantine names a wrong-typed field by what the JSON parser kept of the others
    // ([`plan::parse`]); Spark 3.5's default, set so that a server configured otherwise cannot
    // change the reasons.
    session
        .conf()
        .set("spark.sql.json.enablePartialResults", "true")
        .await?;

    let parsed = plan::parse(&kafka_source(&session, config)?);
    let bronze = start(
        &session,
        plan::bronze(&parsed, &settings),
        config,
        "bronze",
        &paths.bronze,
        &paths,
        Some("event_date"),
    )
    .await?;
    let quarantine = start(
        &session,
        plan::quarantine(&parsed),
        config,
        "quarantine",
        &paths.quarantine,
        &paths,
        None,
    )
    .await?;
    let mut queries = vec![bronze, quarantine];

    if config.available_now {
        monitor.watch_until_done(&queries, shutdown).await?;
        // Silver reads what bronze committed, so it runs once bronze has caught up.
        if table_exists(&session, &paths.bronze).await {
            let silver = start_silver(&session, config, &settings, &paths).await?;
            queries.push(silver);
            monitor.watch_until_done(&queries[2..], shutdown).await?;
        }
    } else {
        let silver = tokio::select! {
            silver = wait_then_start_silver(&session, config, &settings, &paths, &monitor, &queries) => Some(silver?),
            _ = shutdown.wait() => None,
        };
        queries.extend(silver);
        monitor.watch_until(&queries, shutdown).await?;
    }
    stop_all(&queries).await;
    summary::report(&session, &queries).await
}

/// The Kafka source, with every option explicit.
fn kafka_source(session: &SparkSession, config: &StreamConfig) -> Result<DataFrame> {
    Ok(session
        .read_stream()
        .format("kafka")
        .option("kafka.bootstrap.servers", &config.kafka.bootstrap)
        .option("subscribe", &config.topics.processed)
        .option("startingOffsets", &config.starting_offsets)
        .option("maxOffsetsPerTrigger", config.max_offsets_per_trigger)
        .option("failOnDataLoss", config.fail_on_data_loss)
        // The validator writes in Kafka transactions: read only committed records.
        .option("kafka.isolation.level", "read_committed")
        .load()?)
}

async fn start(
    session: &SparkSession,
    df: DataFrame,
    config: &StreamConfig,
    name: &str,
    path: &str,
    paths: &StreamPaths,
    partition: Option<&str>,
) -> Result<StreamingQuery> {
    evolve::prepare(session, &df, path).await?;
    let mut writer = df
        .write_stream()
        .format("delta")
        // Additive schema evolution, on purpose: a column the plan gained (a field added to the
        // record) is added to the table by the first batch that has it. Delta still refuses a
        // column whose type changed; a column the plan lost is refused, and a new top-level column
        // added, before the query starts ([`evolve`]).
        .option("mergeSchema", "true")
        .output_mode(OutputMode::Append)
        .trigger(config.trigger())
        .query_name(format!("mindy_{name}"))
        .checkpoint_location(format!("{}/{name}", paths.checkpoints));
    if let Some(column) = partition {
        writer = writer.partition_by([column]);
    }
    let query = writer.start_path(path).await?;
    tracing::info!(query = name, id = query.id(), path, "query started");
    Ok(query)
}

async fn start_silver(
    session: &SparkSession,
    config: &StreamConfig,
    settings: &PlanSettings,
    paths: &StreamPaths,
) -> Result<StreamingQuery> {
    let bronze = session
        .read_stream()
        .format("delta")
        // `mindy lake retain` deletes old rows from bronze; silver has counted them already, so
        // commits that remove rows are skipped instead of stopping the query.
        .option("skipChangeCommits", "true")
        .load_path(paths.bronze.clone())?;
    start(
        session,
        plan::silver(&bronze, settings),
        config,
        "silver",
        &paths.silver,
        paths,
        None,
    )
    .await
}

/// Silver streams from the bronze table, which exists after bronze's first commit.
async fn wait_then_start_silver(
    session: &SparkSession,
    config: &StreamConfig,
    settings: &PlanSettings,
    paths: &StreamPaths,
    monitor: &monitor::Monitor,
    running: &[StreamingQuery],
) -> Result<StreamingQuery> {
    let mut logged = false;
    while !table_exists(session, &paths.bronze).await {
        if !logged {
            tracing::info!(path = %paths.bronze, "silver waits for bronze's first commit");
            logged = true;
        }
        monitor.check_alive(running).await?;
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    start_silver(session, config, settings, paths).await
}

/// True when `path` holds a Delta table: a commit in its transaction log, read from the log's
/// file names on a local lake (no Spark job: the calendar asks before each of its syncs and in
/// every round), from Spark for any other lake URL ([`crate::jobs::delta_log::latest_version`]).
pub async fn table_exists(session: &SparkSession, path: &str) -> bool {
    matches!(
        crate::jobs::delta_log::latest_version(session, path).await,
        Ok(Some(_))
    )
}

/// Stops every query, logging (not returning) a failure to stop one.
pub(crate) async fn stop_all(queries: &[StreamingQuery]) {
    for query in queries {
        if let Err(e) = query.stop().await {
            tracing::warn!(query = ?query.name(), error = %e, "stopping the query failed");
        }
    }
}

pub(crate) fn parse_timezone(text: &str) -> std::result::Result<String, String> {
    text.parse::<chrono_tz::Tz>()
        .map(|tz| tz.name().to_string())
        .map_err(|_| format!("{text:?} is not an IANA timezone name (e.g. Europe/Paris, UTC)"))
}

impl From<monitor::QueryFailed> for Error {
    fn from(e: monitor::QueryFailed) -> Error {
        Error::unexpected("spark", e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timezones_parse() {
        assert_eq!(parse_timezone("Europe/Paris").unwrap(), "Europe/Paris");
        assert!(parse_timezone("Mars/Olympus").is_err());
    }
}
