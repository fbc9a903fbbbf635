//! Throughput benchmark of `mindy ingest mbox` (issue 14): generates an mbox of the demo
//! persona's mail (several seeds until it reaches `--size-mb`), runs one or more `mindy`
//! binaries on it against the stack's Kafka (fresh topics per run, deleted afterwards) and
//! prints MB/s and messages/s per run.
//!
//! Run with `source .stack/env && benches/ingest/run.sh [--size-mb 100] [--runs 3]
//! [--mindy OTHER_BINARY]...`; the generated mbox is removed at the end (`--keep` keeps it).

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use chrono::NaiveDate;
use clap::Parser;
use mindy_core::config::KafkaArgs;
use mindy_core::kafka;
use mindy_pipeline::persona::{self, PersonaOptions};

/// Throughput of `mindy ingest mbox` on a generated mbox.
#[derive(Debug, Parser)]
struct Cli {
    /// Kafka connection.
    #[command(flatten)]
    kafka: KafkaArgs,
    /// `mindy` binaries to measure, each in turn (e.g. a build before and after a change).
    #[arg(long, required = true)]
    mindy: Vec<PathBuf>,
    /// Size of the generated mbox, in MB (10^6 bytes).
    #[arg(long, default_value_t = 100)]
    size_mb: u64,
    /// Runs per binary.
    #[arg(long, default_value_t = 3)]
    runs: u32,
    /// Where to write the mbox (default: a file in the temporary directory).
    #[arg(long)]
    mbox: Option<PathBuf>,
    /// Keep the mbox afterwards.
    #[arg(long)]
    keep: bool,
}

/// Writes the persona's mailbox, seed after seed, until `bytes` are written; returns the
/// number of messages.
fn generate(path: &Path, bytes: u64) -> std::io::Result<u64> {
    let mut out = BufWriter::new(std::fs::File::create(path)?);
    let (mut written, mut messages, mut seed) = (0u64, 0u64, 1u64);
    while written < bytes {
        let opts = PersonaOptions {
            until: NaiveDate::from_ymd_opt(2025, 10, 8).expect("a date"),
            days: 30,
            tz: chrono_tz::America::New_York,
            seed,
            not_after: None,
        };
        let mut chunk = Vec::new();
        persona::write_mbox(&persona::mailbox(&opts), &mut chunk)?;
        messages += chunk
            .split(|b| *b == b'\n')
            .filter(|l| l.starts_with(b"From MAILER-DAEMON "))
            .count() as u64;
        out.write_all(&chunk)?;
        written += chunk.len() as u64;
        seed += 1;
    }
    out.flush()?;
    Ok(messages)
}

/// One timed `mindy ingest mbox` run on fresh topics; returns seconds and the summary line.
async fn run_once(cli: &Cli, mindy: &Path, mbox: &Path) -> Result<(f64, String), String> {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let (emails, dlq) = (
        format!("bench-ingest-{}", &id[..8]),
        format!("bench-ingest-{}-dlq", &id[..8]),
    );
    for (topic, partitions) in [(&emails, 3), (&dlq, 1)] {
        kafka::ensure_topic(&cli.kafka, topic, partitions)
            .await
            .map_err(|e| e.to_string())?;
    }
    let started = Instant::now();
    let output = Command::new(mindy)
        .args(["ingest", "mbox"])
        .arg(mbox)
        .env("MINDY_KAFKA_BOOTSTRAP", &cli.kafka.bootstrap)
        .env("MINDY_TOPIC_EMAILS", &emails)
        .env("MINDY_TOPIC_DLQ", &dlq)
        .env("MINDY_LOG", "warn")
        .output()
        .map_err(|e| format!("{}: {e}", mindy.display()))?;
    let secs = started.elapsed().as_secs_f64();
    for topic in [&emails, &dlq] {
        kafka::delete_topic(&cli.kafka, topic)
            .await
            .map_err(|e| e.to_string())?;
    }
    if !output.status.success() {
        return Err(format!(
            "{} failed: {}",
            mindy.display(),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let summary = String::from_utf8_lossy(&output.stdout).trim().to_string();
    Ok((secs, summary))
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let mbox = cli.mbox.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("bench-ingest-{}.mbox", std::process::id()))
    });
    let started = Instant::now();
    let messages = match generate(&mbox, cli.size_mb * 1_000_000) {
        Ok(n) => n,
        Err(e) => {
            eprintln!("writing {}: {e}", mbox.display());
            return ExitCode::FAILURE;
        }
    };
    let bytes = std::fs::metadata(&mbox).map(|m| m.len()).unwrap_or(0);
    let mb = bytes as f64 / 1e6;
    println!(
        "mbox: {} ({mb:.1} MB, {messages} messages, generated in {:.1} s)",
        mbox.display(),
        started.elapsed().as_secs_f64()
    );
    let mut failed = false;
    for mindy in &cli.mindy {
        for run in 1..=cli.runs {
            match run_once(&cli, mindy, &mbox).await {
                Ok((secs, summary)) => println!(
                    "{} run {run}: {secs:.1} s, {:.1} MB/s, {:.0} messages/s\n    {summary}",
                    mindy.display(),
                    mb / secs,
                    messages as f64 / secs
                ),
                Err(e) => {
                    eprintln!("{e}");
                    failed = true;
                }
            }
        }
    }
    if !cli.keep {
        let _ = std::fs::remove_file(&mbox);
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
