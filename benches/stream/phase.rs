//! One benchmark run at one rate, on its own topic, lake directory and stream: start the stream,
//! warm it up, produce at a steady rate, let it drain, read every record's timestamps back from
//! bronze, then stop the stream and delete the topic and the directory (also after an error).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use clap::Parser;
use mindy_core::config::KafkaArgs;
use mindy_core::kafka;
use mindy_pipeline::arrow_rows::{required, Rows};
use mindy_pipeline::jobs::stream::{self, StreamConfig, StreamReport};
use mindy_pipeline::shutdown::Shutdown;
use spark_client::SparkSession;
use tokio::task::JoinHandle;

use crate::delta_log::{unix_ms, LogWatcher};
use crate::report::{PhaseReport, Sample};
use crate::workload::Producer;

/// How often the bronze log is checked for new commits: the resolution of the "observed" latency.
const POLL: Duration = Duration::from_millis(100);
/// How often the load average is sampled.
const LOAD_EVERY: u32 = 50;

/// What every phase shares.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Kafka connection.
    pub kafka: KafkaArgs,
    /// Spark Connect URL.
    pub spark_remote: String,
    /// `<lake root>/_bench/<run id>`: each phase's lake is a directory under it.
    pub bench_root: PathBuf,
    /// Prefix of every topic and directory this run creates.
    pub run_id: String,
    /// Partitions of each phase's topic (the stack's `processed-emails-topic` has 3).
    pub partitions: i32,
    /// The stream's trigger interval (`mindy stream --trigger-interval`).
    pub trigger: Duration,
    /// The stream's `--max-offsets-per-trigger`.
    pub max_offsets_per_trigger: u64,
    /// Records a second produced while the stream starts (not measured).
    pub warmup_rate: f64,
    /// How long the stream may take to start (first bronze commit and silver running).
    pub ready_timeout: Duration,
    /// How long to wait, after production ends, for the last records to become visible.
    pub drain_timeout: Duration,
    /// Start of the run left out of throughput and trend.
    pub settle: Duration,
    /// Largest growth of the median latency over a run that still counts as keeping up.
    pub growth_limit: Duration,
}

/// The topic, lake and stream of one phase.
struct Phase<'a> {
    /// Shared settings.
    settings: &'a Settings,
    /// Topic name, also the directory name under the bench root.
    name: String,
    /// The stream's settings, exactly as `mindy stream` would parse them.
    config: StreamConfig,
    /// Bronze's log and the load average, sampled in the background.
    probe: Arc<Probe>,
}

/// What the background poller collects.
#[derive(Debug)]
struct Probe {
    /// Bronze's commits.
    log: Mutex<LogWatcher>,
    /// (Unix ms, 1-minute load average) samples.
    load: Mutex<Vec<(i64, f64)>>,
}

/// What the producing part of a phase saw.
struct Produced {
    /// Measured records produced.
    count: u64,
    /// Unix ms when measured production started and ended.
    window: (i64, i64),
}

/// Runs one phase at `rate` records a second for `duration`.
pub async fn run(
    settings: &Settings,
    index: usize,
    rate: f64,
    duration: Duration,
    stop: &Shutdown,
) -> anyhow::Result<PhaseReport> {
    let name = format!("{}-p{index}-r{}", settings.run_id, rate as u64);
    let lake = settings.bench_root.join(&name);
    kafka::ensure_topic(&settings.kafka, &name, settings.partitions).await?;
    let phase = Phase {
        config: stream_config(settings, &name, &lake)?,
        probe: Arc::new(Probe {
            log: Mutex::new(LogWatcher::new(&lake.join("bronze/emails"))),
            load: Mutex::new(Vec::new()),
        }),
        settings,
        name,
    };
    let outcome = phase.measure(rate, duration, stop).await;
    let cleaned = phase.clean_up(&lake).await;
    let report = outcome?;
    cleaned?;
    Ok(report)
}

/// `mindy stream --trigger-interval <t> --lake-root <dir> --topic-processed <topic> ...`, parsed
/// by the binary's own clap definition so every other setting is the binary's default (or env).
fn stream_config(settings: &Settings, topic: &str, lake: &Path) -> anyhow::Result<StreamConfig> {
    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        stream: StreamConfig,
    }
    let trigger = format!("{}ms", settings.trigger.as_millis());
    let lake = lake.to_string_lossy();
    let max_offsets = settings.max_offsets_per_trigger.to_string();
    let args = [
        "mindy-stream",
        "--kafka-bootstrap",
        &settings.kafka.bootstrap,
        "--spark-remote",
        &settings.spark_remote,
        "--lake-root",
        &lake,
        "--topic-processed",
        topic,
        "--trigger-interval",
        &trigger,
        "--max-offsets-per-trigger",
        &max_offsets,
        "--starting-offsets",
        "earliest",
        "--records",
        "email",
    ];
    let mut config = Cli::try_parse_from(args)?.stream;
    // Benchmark queries must not show up on the dashboard's progress panel.
    config.progress_database_url = None;
    Ok(config)
}

impl Phase<'_> {
    async fn measure(
        &self,
        rate: f64,
        duration: Duration,
        stop: &Shutdown,
    ) -> anyhow::Result<PhaseReport> {
        let stream_stop = Shutdown::new();
        let stream = tokio::spawn({
            let (config, stop) = (self.config.clone(), stream_stop.clone());
            async move { stream::run(&config, stop).await }
        });
        let poller = spawn_poller(self.probe.clone(), stream_stop.clone());
        let produced = self.produce(&stream, rate, duration, stop).await;
        stream_stop.trigger();
        let _ = poller.await;
        let stopped = stop_stream(stream).await;
        let produced = produced?;
        stopped?;
        self.read_back(rate, duration, produced).await
    }

    /// Warm-up, drain, measured production at `rate`, drain.
    async fn produce(
        &self,
        stream: &JoinHandle<mindy_pipeline::Result<StreamReport>>,
        rate: f64,
        duration: Duration,
        stop: &Shutdown,
    ) -> anyhow::Result<Produced> {
        let producer = Producer::new(&self.settings.kafka, &self.name)?;
        let silver_started = Path::new(&self.config.paths().checkpoints).join("silver/offsets/0");
        let ready = || self.rows() > 0 && silver_started.exists();
        let gone = || stream.is_finished();
        let s = self.settings;
        let warmup = producer
            .steady(
                &format!("{}-w", self.name),
                s.warmup_rate,
                s.ready_timeout,
                || ready() || gone(),
                stop,
            )
            .await?;
        if !ready() {
            bail!(
                "the stream was not ready (bronze committed, silver running) within {:?}",
                s.ready_timeout
            );
        }
        // Measuring starts with no backlog: the warm-up rows are all visible.
        self.wait_for_rows(warmup, s.drain_timeout, &gone, stop)
            .await?;
        let start = unix_ms(std::time::SystemTime::now());
        let count = producer
            .steady(&format!("{}-m", self.name), rate, duration, gone, stop)
            .await?;
        let window = (start, unix_ms(std::time::SystemTime::now()));
        if !self
            .wait_for_rows(warmup + count, s.drain_timeout, &gone, stop)
            .await?
        {
            eprintln!(
                "  (not every record was visible {:?} after production ended)",
                s.drain_timeout
            );
        }
        Ok(Produced { count, window })
    }

    /// Waits until bronze holds `rows` rows; false after `timeout`. Fails if the stream stops or
    /// the benchmark is interrupted.
    async fn wait_for_rows(
        &self,
        rows: u64,
        timeout: Duration,
        gone: &impl Fn() -> bool,
        stop: &Shutdown,
    ) -> anyhow::Result<bool> {
        let deadline = Instant::now() + timeout;
        while self.rows() < rows {
            if gone() {
                bail!("the stream stopped on its own (see its error above)");
            }
            if stop.is_triggered() {
                bail!("interrupted");
            }
            if Instant::now() > deadline {
                return Ok(false);
            }
            tokio::time::sleep(POLL).await;
        }
        Ok(true)
    }

    fn rows(&self) -> u64 {
        self.probe.log.lock().expect("log lock").rows()
    }

    /// Every measured record's produce and batch times from bronze, joined with the commit that
    /// added its data file.
    async fn read_back(
        &self,
        rate: f64,
        duration: Duration,
        produced: Produced,
    ) -> anyhow::Result<PhaseReport> {
        let session = SparkSession::builder()
            .remote(&self.settings.spark_remote)
            .build()
            .await?;
        let sql = format!(
            "SELECT unix_millis(kafka_timestamp) AS produced_ms, unix_millis(processed_at) AS batch_ms, \
             _metadata.file_name AS file FROM delta.`{}` WHERE startswith(id, '{}-m-')",
            self.config.paths().bronze,
            self.name
        );
        let rows = Rows::new(session.sql(sql).await?.collect().await?);
        let log = self.probe.log.lock().expect("log lock");
        let commit_of = log.commit_of_file();
        let mut samples = Vec::with_capacity(rows.len());
        for row in rows.iter() {
            let file = required(row.str("file")?, "file")?;
            let commit = commit_of
                .get(file.as_str())
                .with_context(|| format!("no commit added {file}"))?;
            samples.push(Sample {
                produced_ms: required(row.i64("produced_ms")?, "produced_ms")?,
                batch_ms: required(row.i64("batch_ms")?, "batch_ms")?,
                written_ms: commit.written_ms,
                observed_ms: commit.observed_ms,
            });
        }
        let (start, end) = produced.window;
        let commits = log
            .commits()
            .iter()
            .filter(|c| c.written_ms > start)
            .map(|c| (c.written_ms, c.files.iter().map(|f| f.1).sum()))
            .collect();
        let load = self.probe.load.lock().expect("load lock");
        Ok(PhaseReport {
            rate,
            seconds: duration.as_secs_f64(),
            produced: produced.count,
            samples,
            commits,
            window_ms: produced.window,
            settle_ms: self.settings.settle.as_millis() as i64,
            load: load
                .iter()
                .filter(|(at, _)| *at >= start && *at <= end)
                .map(|l| l.1)
                .collect(),
            growth_limit_ms: self.settings.growth_limit.as_millis() as i64,
        })
    }

    /// Deletes the phase's topic and lake directory.
    async fn clean_up(&self, lake: &Path) -> anyhow::Result<()> {
        let topic = kafka::delete_topic(&self.settings.kafka, &self.name).await;
        match tokio::fs::remove_dir_all(lake).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(e).with_context(|| format!("removing {}", lake.display()))?
            }
            _ => {}
        }
        Ok(topic?)
    }
}

/// Polls bronze's log every [`POLL`] and the load average every few seconds until `stop`.
fn spawn_poller(probe: Arc<Probe>, stop: Shutdown) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = 0u32;
        while !stop.is_triggered() {
            if let Err(e) = probe.log.lock().expect("log lock").poll() {
                eprintln!("  reading bronze's log: {e}");
            }
            if ticks.is_multiple_of(LOAD_EVERY) {
                if let Some(load) = load_average() {
                    let now = unix_ms(std::time::SystemTime::now());
                    probe.load.lock().expect("load lock").push((now, load));
                }
            }
            ticks = ticks.wrapping_add(1);
            tokio::time::sleep(POLL).await;
        }
    })
}

/// Stops the stream the way SIGTERM stops `mindy stream` (its queries are stopped on the
/// server), waiting at most two minutes.
async fn stop_stream(
    stream: JoinHandle<mindy_pipeline::Result<StreamReport>>,
) -> anyhow::Result<()> {
    match tokio::time::timeout(Duration::from_secs(120), stream).await {
        Ok(Ok(Ok(_report))) => Ok(()),
        Ok(Ok(Err(e))) => bail!("the stream failed: {e}"),
        Ok(Err(e)) => bail!("the stream task panicked: {e}"),
        Err(_) => bail!("the stream did not stop within 2 minutes; its queries may still run on the Connect server"),
    }
}

/// The 1-minute load average (`/proc/loadavg`).
pub fn load_average() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    text.split_whitespace().next()?.parse().ok()
}
