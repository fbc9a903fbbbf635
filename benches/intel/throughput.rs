//! Enrichment throughput on the cluster (issue 16): emails per second through one
//! `mindy enrich --available-now` pass over a large mailbox, then the time of the next pass when
//! a few more emails arrive (what a continuous run does for new mail on that mailbox).
//!
//! The mailbox is the demo persona's, window after window of 30 days going back from 6 Oct 2025
//! (seed 42), until it holds the requested number of emails (default 100,000): one person's mail
//! over a few years, each message with its own Message-ID. Bronze is written through the
//! stream's own plans without Kafka ([`mindy_pipeline::jobs::enrich::seed`]); the lake is a
//! fresh directory under the stack's `datalake/_tests`, removed at the end.
//!
//! Run with the stack up (`./stack up`): `source .stack/env && cargo run --release -p
//! mindy-pipeline --example intel_throughput -- [EMAILS] [LATE]` (LATE: the emails held back
//! for the second pass, default 100). Prints one line per step and the rates.

use std::time::Instant;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use mindy_core::config::{LakeArgs, SparkArgs};
use mindy_pipeline::jobs::enrich::{seed, EnrichConfig, Enricher, Paths};
use mindy_pipeline::persona::{self, PersonaOptions};

const TZ: &str = "America/New_York";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    rustls::crypto::ring::default_provider()
        .install_default()
        .map_err(|_| anyhow::anyhow!("a crypto provider was already installed"))?;
    let mut args = std::env::args().skip(1);
    let emails: usize = args
        .next()
        .map(|n| n.parse())
        .transpose()?
        .unwrap_or(100_000);
    let late: usize = args.next().map(|n| n.parse()).transpose()?.unwrap_or(100);
    anyhow::ensure!(late < emails, "LATE must be fewer than EMAILS");
    let stack = mindy_test::Stack::from_env();
    let lake = stack.lake_path("bench-intel");
    let result = run(&stack, &lake, emails, late).await;
    let _ = std::fs::remove_dir_all(&lake);
    result
}

async fn run(
    stack: &mindy_test::Stack,
    lake: &std::path::Path,
    emails: usize,
    late: usize,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let ingested = Utc.with_ymd_and_hms(2025, 10, 6, 13, 0, 0).unwrap();
    let mut records = Vec::with_capacity(emails);
    let mut until = NaiveDate::from_ymd_opt(2025, 10, 6).unwrap();
    while records.len() < emails {
        let opts = PersonaOptions {
            until,
            days: 30,
            tz: TZ.parse().map_err(|e| anyhow::anyhow!("{e}"))?,
            seed: 42,
            not_after: None,
        };
        records.extend(seed::demo_records(&persona::mailbox(&opts), ingested)?);
        until -= Duration::days(30);
    }
    records.truncate(emails);
    // The newest windows came first: the emails held back for the second pass are the oldest's
    // last ones, which no other email references.
    let held = records.split_off(emails - late);
    println!(
        "mailbox:  {} emails generated in {:.1} s ({} held back for the second pass)",
        emails,
        started.elapsed().as_secs_f64(),
        late
    );

    let config = EnrichConfig {
        spark: SparkArgs {
            remote: stack.spark_remote.clone(),
        },
        lake: LakeArgs {
            root: lake.to_string_lossy().into_owned(),
        },
        database_url: None,
        available_now: true,
        poll_interval: std::time::Duration::from_secs(1),
        gold_quiet: std::time::Duration::ZERO,
        gold_max_delay: std::time::Duration::ZERO,
        timezone: TZ.into(),
        user_addresses: Vec::new(),
        user_domains: Vec::new(),
        urgent_threshold: 60,
        as_of: NaiveDate::from_ymd_opt(2025, 10, 6),
        recompute: false,
    };
    let paths = Paths::new(&config.lake);
    let session = spark_client::SparkSession::builder()
        .remote(&stack.spark_remote)
        .build()
        .await?;
    let bronze_start = Instant::now();
    seed::write_bronze(&session, &records, &paths.bronze, TZ, ingested).await?;
    println!(
        "bronze:   {} rows written in {:.1} s",
        records.len(),
        bronze_start.elapsed().as_secs_f64()
    );

    let enricher = Enricher::connect(&config).await?;
    let first = enricher.pass().await?;
    println!("pass 1:   {first}");
    let rate = first.staged as f64 / first.total.as_secs_f64().max(1e-3);
    println!(
        "          {rate:.0} emails/s over the whole pass; per-email tables after {:.1} s ({:.0} emails/s)",
        first.per_email.as_secs_f64(),
        first.staged as f64 / first.per_email.as_secs_f64().max(1e-3)
    );

    seed::write_bronze(&session, &held, &paths.bronze, TZ, ingested).await?;
    let (second, due) = enricher.pass_deferring_gold().await?;
    println!("pass 2:   {second}");
    println!(
        "          {} new emails on a mailbox of {}: their insights written after {:.1} s",
        second.staged,
        records.len(),
        second.per_email.as_secs_f64()
    );
    if let Some(due) = due {
        let gold_start = Instant::now();
        enricher.deferred_gold(&due).await?;
        println!(
            "gold:     the deferred gold tables and compaction in {:.1} s",
            gold_start.elapsed().as_secs_f64()
        );
    }
    Ok(())
}
