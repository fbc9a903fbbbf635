//! Freshness benchmark of `mindy stream` (issue 5): how long a record takes from the producer to
//! visibility in bronze (through the Delta table's log) at a steady rate, and the highest rate
//! the stream keeps up with.
//!
//! Run with `source .stack/env && benches/stream/run.sh [--rate 100] [--duration 3m]`; the method
//! and the figures are in `benches/stream/README.md`.
//!
//! - [`phase`]: one run at one rate (topic, lake directory, stream, production, read-back, clean-up).
//! - [`workload`]: the mail and the paced producer.
//! - [`delta_log`]: when each bronze commit became visible and which files it added.
//! - [`report`]: percentiles, trend, throughput and the keeps-up verdict.

mod delta_log;
mod phase;
mod report;
mod workload;

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use mindy_core::config::{parse_duration, KafkaArgs, LakeArgs, SparkArgs};
use mindy_core::kafka;
use mindy_pipeline::shutdown::Shutdown;
use rdkafka::producer::{BaseProducer, Producer};

use phase::Settings;
use report::{secs, BatchCost, PhaseReport};

/// Freshness of `mindy stream`: produce → visible in bronze, and the highest rate that keeps up.
#[derive(Debug, Parser)]
struct Cli {
    /// Kafka connection.
    #[command(flatten)]
    kafka: KafkaArgs,
    /// Spark Connect connection.
    #[command(flatten)]
    spark: SparkArgs,
    /// Lake root; the benchmark writes only under `<root>/_bench/<run id>` (a local path: the
    /// commit files' times are read from the filesystem).
    #[command(flatten)]
    lake: LakeArgs,
    /// Prefix of the run's topics and directories (run.sh passes one so its trap can clean up).
    #[arg(long)]
    run_id: Option<String>,
    /// Only delete what a run with `--run-id` left behind (topics and lake directory), then exit.
    #[arg(long, requires = "run_id")]
    cleanup: bool,
    /// Records a second of the main run.
    #[arg(long, default_value_t = 100.0)]
    rate: f64,
    /// Length of the main run (`180s`, `3m`).
    #[arg(long, default_value = "3m", value_parser = parse_duration)]
    duration: Duration,
    /// Rates (records a second) tried, in increasing order, to find the highest that keeps up;
    /// the search stops at the first that does not.
    #[arg(long, value_delimiter = ',', default_value = "100,200,300,500,1000")]
    search_rates: Vec<f64>,
    /// Only the main run, no search.
    #[arg(long)]
    no_search: bool,
    /// Length of each search run.
    #[arg(long, default_value = "60s", value_parser = parse_duration)]
    search_duration: Duration,
    /// The stream's trigger interval.
    #[arg(long, default_value = "1s", value_parser = parse_duration)]
    trigger: Duration,
    /// Partitions of each run's topic (like the stack's processed-emails-topic).
    #[arg(long, default_value_t = 3)]
    partitions: i32,
    /// The stream's maxOffsetsPerTrigger (`mindy stream`'s default).
    #[arg(long, default_value_t = 20_000)]
    max_offsets_per_trigger: u64,
    /// Records a second while the stream starts (not measured).
    #[arg(long, default_value_t = 20.0)]
    warmup_rate: f64,
    /// How long the stream may take to start.
    #[arg(long, default_value = "5m", value_parser = parse_duration)]
    ready_timeout: Duration,
    /// How long the last records may take to become visible after production ends.
    #[arg(long, default_value = "60s", value_parser = parse_duration)]
    drain_timeout: Duration,
    /// Start of each run left out of the throughput and the trend.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    settle: Duration,
    /// Largest growth of the median latency (first third → last third of a run) that still
    /// counts as keeping up.
    #[arg(long, default_value = "1s", value_parser = parse_duration)]
    growth_limit: Duration,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("MINDY_LOG")
                .unwrap_or_else(|_| "warn,rdkafka=error".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let stop = Shutdown::on_signals();
    let result = if cli.cleanup {
        clean_up_run(&settings(&cli)).await.map(|()| true)
    } else {
        run(&cli, &stop).await
    };
    match result {
        _ if stop.is_triggered() => {
            eprintln!("interrupted: the stream was stopped, the run's topic and directory deleted");
            ExitCode::from(130)
        }
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(2),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn settings(cli: &Cli) -> Settings {
    let run_id = cli.run_id.clone().unwrap_or_else(|| {
        let id = uuid::Uuid::new_v4().simple().to_string();
        format!("bench-stream-{}", &id[..8])
    });
    Settings {
        kafka: cli.kafka.clone(),
        spark_remote: cli.spark.remote.clone(),
        bench_root: std::path::PathBuf::from(cli.lake.spark_root())
            .join("_bench")
            .join(&run_id),
        run_id,
        partitions: cli.partitions,
        trigger: cli.trigger,
        max_offsets_per_trigger: cli.max_offsets_per_trigger,
        warmup_rate: cli.warmup_rate,
        ready_timeout: cli.ready_timeout,
        drain_timeout: cli.drain_timeout,
        settle: cli.settle,
        growth_limit: cli.growth_limit,
    }
}

/// The main run, then the search. Ok(false) when the main run did not keep up.
async fn run(cli: &Cli, stop: &Shutdown) -> anyhow::Result<bool> {
    let settings = settings(cli);
    println!(
        "run {}: trigger {:?}, {} partitions, {} CPUs, load average {}",
        settings.run_id,
        settings.trigger,
        settings.partitions,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        phase::load_average().map_or("n/a".into(), |l| format!("{l:.2}"))
    );
    let main = phase::run(&settings, 0, cli.rate, cli.duration, stop).await?;
    println!("\nmain run\n{main}");
    let mut reports = vec![main.clone()];
    let best = search(cli, &settings, &main, &mut reports, stop).await;
    println!("\n{}", table(&reports));
    let batches: Vec<(u64, i64)> = reports.iter().flat_map(PhaseReport::batches).collect();
    if let Some(cost) = BatchCost::fit(&batches) {
        println!("micro-batch cost (batch start → commit): {cost}");
    }
    match best {
        Some(r) => println!(
            "highest rate that keeps up: {}/s{} (sustained {:.1} rows/s; latency {})",
            r.rate,
            if Some(&r.rate) == cli.search_rates.iter().max_by(|a, b| a.total_cmp(b)) {
                " (the highest tried)"
            } else {
                ""
            },
            r.throughput(),
            r.latency().map_or("n/a".into(), |q| q.to_string())
        ),
        None if !cli.no_search => println!("none of the tried rates kept up"),
        None => {}
    }
    Ok(main.keeps_up())
}

/// Tries the search rates in increasing order until one does not keep up; returns the report of
/// the highest that did. The main run stands in for a search rate equal to its own.
async fn search(
    cli: &Cli,
    settings: &Settings,
    main: &PhaseReport,
    reports: &mut Vec<PhaseReport>,
    stop: &Shutdown,
) -> Option<PhaseReport> {
    let mut rates = if cli.no_search {
        vec![]
    } else {
        cli.search_rates.clone()
    };
    rates.sort_by(|a, b| a.total_cmp(b));
    let mut best = None;
    for (i, rate) in rates.into_iter().enumerate() {
        let report = if rate == main.rate {
            main.clone()
        } else {
            match phase::run(settings, i + 1, rate, cli.search_duration, stop).await {
                Ok(report) => {
                    println!("\nsearch\n{report}");
                    reports.push(report.clone());
                    report
                }
                Err(e) => {
                    println!("\nsearch at {rate}/s failed: {e:#}");
                    break;
                }
            }
        };
        if !report.keeps_up() || stop.is_triggered() {
            break;
        }
        best = Some(report);
    }
    best
}

/// The runs as a Markdown table (for the README).
fn table(reports: &[PhaseReport]) -> String {
    let mut out = String::from(
        "| offered rate | run | records | p50 | p95 | max | batch p50 | throughput | median latency 1st → last third | keeps up | load avg (1 min) |\n\
         | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: | ---: |\n",
    );
    for r in reports {
        let (p50, p95, max) = r
            .latency()
            .map_or(("n/a".into(), "n/a".into(), "n/a".into()), |q| {
                (secs(q.p50), secs(q.p95), secs(q.max))
            });
        let trend = r.trend().map_or("n/a".into(), |(a, b)| {
            format!("{} → {} s", secs(a), secs(b))
        });
        out.push_str(&format!(
            "| {}/s | {:.0} s | {} | {p50} s | {p95} s | {max} s | {} s | {:.1}/s | {trend} | {} | {:.1} |\n",
            r.rate,
            r.seconds,
            r.samples.len(),
            r.batch().map_or("n/a".into(), |q| secs(q.p50)),
            r.throughput(),
            if r.keeps_up() { "yes" } else { "no" },
            r.mean_load()
        ));
    }
    out
}

/// Deletes a run's leftover topics and its lake directory (run.sh's trap calls this).
async fn clean_up_run(settings: &Settings) -> anyhow::Result<()> {
    let client: BaseProducer = kafka::client_config(&settings.kafka).create()?;
    let metadata = client
        .client()
        .fetch_metadata(None, Duration::from_secs(10))?;
    for topic in metadata.topics() {
        if topic.name().starts_with(&format!("{}-", settings.run_id)) {
            kafka::delete_topic(&settings.kafka, topic.name()).await?;
            println!("deleted leftover topic {}", topic.name());
        }
    }
    match std::fs::remove_dir_all(&settings.bench_root) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_has_sane_defaults() {
        let cli = Cli::try_parse_from(["freshness", "--lake-root", "/tmp/lake"]).unwrap();
        assert_eq!(cli.rate, 100.0);
        assert_eq!(cli.search_rates, vec![100.0, 200.0, 300.0, 500.0, 1000.0]);
        assert!(settings(&cli).bench_root.starts_with("/tmp/lake/_bench"));
    }
}
