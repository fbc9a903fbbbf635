//! Compaction's effect (issue 20): for each table, its data files and the time of a full read
//! before and after `mindy lake optimize`'s compaction, on the stack's lake.
//!
//! Run with the stack up and a lake that has seen the pipeline (e.g. after `./stack demo`):
//! `source .stack/env && cargo run --release -p mindy-pipeline --example lake_optimize --
//! bronze/emails silver/email_facts` (default: bronze/emails, silver/email_facts,
//! silver/email_insights). The read is `sum(length(to_json(struct(*))))` over the table — every
//! column of every row, so every file is opened (a `count(*)` would be answered from Delta's
//! statistics); its time is the median of 3 runs after one warm-up. The tables are compacted for
//! real: run it on a lake you mean to maintain.

use std::time::{Duration, Instant};

use mindy_core::config::LakeArgs;
use mindy_pipeline::jobs::lake::{self, LakeTargets};
use spark_client::SparkSession;

const RUNS: usize = 3;

async fn read_all(session: &SparkSession, path: &str) -> anyhow::Result<Duration> {
    let sql = format!("SELECT sum(length(to_json(struct(*)))) AS n FROM delta.`{path}`");
    session.sql(&sql).await?.collect().await?;
    let mut times = Vec::new();
    for _ in 0..RUNS {
        let started = Instant::now();
        session.sql(&sql).await?.collect().await?;
        times.push(started.elapsed());
    }
    times.sort();
    Ok(times[RUNS / 2])
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut names: Vec<String> = std::env::args().skip(1).collect();
    if names.is_empty() {
        names = [
            "bronze/emails",
            "silver/email_facts",
            "silver/email_insights",
        ]
        .map(String::from)
        .to_vec();
    }
    let stack = mindy_test::Stack::from_env();
    let lake_args = LakeArgs {
        root: stack.lake_root.to_string_lossy().to_string(),
    };
    let targets = LakeTargets {
        tables: names,
        spark: mindy_core::config::SparkArgs {
            remote: stack.spark_remote.clone(),
        },
        lake: lake_args.clone(),
    };
    let session = SparkSession::builder()
        .remote(&stack.spark_remote)
        .build()
        .await?;
    println!(
        "| table | files before → after | MB after | full read before | after | OPTIMIZE took |"
    );
    println!("| --- | --- | --- | --- | --- | --- |");
    for table in targets.selected()? {
        let path = lake_args.location(&table);
        let name = table.relative_path();
        if lake::detail(&session, &path).await?.is_none() {
            println!("| {name} | not created yet | | | | |");
            continue;
        }
        let before = read_all(&session, &path).await?;
        let done = lake::compact(&session, &path, &name)
            .await?
            .expect("the table exists");
        let after = read_all(&session, &path).await?;
        println!(
            "| {name} | {} → {} | {:.1} | {:.2} s | {:.2} s | {:.1} s |",
            done.before.files,
            done.after.files,
            done.after.bytes as f64 / 1e6,
            before.as_secs_f64(),
            after.as_secs_f64(),
            done.took.as_secs_f64()
        );
    }
    Ok(())
}
