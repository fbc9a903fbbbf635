//! The spark-connect-rs 0.0.2 side of the spark-client benchmark, driven by `../bench.py` over
//! stdin/stdout with the same line protocol as `../src/main.rs`:
//!
//! - `collect`: `DataFrame::collect` of the benchmark query (the crate concatenates every batch
//!   into one `RecordBatch`; it has no streaming API).
//! - `latency N`: `N` times `spark.sql("SELECT 1").await?.collect()`.
//! - `version N`: `N` times `spark.version()` (one `AnalyzePlan` call).
//!
//! Each answer is one JSON line, timed here.

use std::io::Write;
use std::time::Instant;

use serde_json::{json, Value};
use spark_connect_rs::{DataFrame, SparkSession, SparkSessionBuilder};
use tokio::io::{AsyncBufReadExt, BufReader};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [remote, rows, partitions, exprs @ ..] = args.as_slice() else {
        return Err("usage: spark-connect-rs-bench REMOTE ROWS PARTITIONS EXPR...".into());
    };
    let (rows, partitions): (i64, i32) = (rows.parse()?, partitions.parse()?);
    let spark = SparkSessionBuilder::remote(remote).build().await?;
    let df = spark
        .range(Some(0), rows, 1, Some(partitions))
        .select_expr(exprs);
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    while let Some(line) = lines.next_line().await? {
        let answer = match run(&spark, &df, line.trim()).await {
            Ok(v) => v,
            Err(e) => json!({ "error": e.to_string() }),
        };
        let mut out = std::io::stdout().lock();
        writeln!(out, "{answer}")?;
        out.flush()?;
    }
    Ok(())
}

async fn run(spark: &SparkSession, df: &DataFrame, command: &str) -> Result<Value, BoxError> {
    let mut words = command.split_whitespace();
    match (words.next(), words.next()) {
        (Some("collect"), None) => collect(df.clone()).await,
        (Some("latency"), Some(n)) => latency(spark, n.parse()?).await,
        (Some("version"), Some(n)) => version(spark, n.parse()?).await,
        _ => Err(format!("unknown command {command:?}").into()),
    }
}

async fn collect(df: DataFrame) -> Result<Value, BoxError> {
    let start = Instant::now();
    let batch = df.collect().await?;
    let secs = start.elapsed().as_secs_f64();
    let (rows, columns) = (batch.num_rows(), batch.num_columns());
    Ok(json!({ "secs": secs, "rows": rows, "batches": 1, "columns": columns }))
}

async fn latency(spark: &SparkSession, n: usize) -> Result<Value, BoxError> {
    let mut secs = Vec::with_capacity(n);
    for _ in 0..n {
        let start = Instant::now();
        let batch = spark.sql("SELECT 1").await?.collect().await?;
        secs.push(start.elapsed().as_secs_f64());
        if batch.num_rows() != 1 {
            return Err("SELECT 1 did not return one row".into());
        }
    }
    Ok(json!({ "secs": secs }))
}

async fn version(spark: &SparkSession, n: usize) -> Result<Value, BoxError> {
    let mut secs = Vec::with_capacity(n);
    for _ in 0..n {
        let start = Instant::now();
        let version = spark.version().await?;
        secs.push(start.elapsed().as_secs_f64());
        if version.is_empty() {
            return Err("empty Spark version".into());
        }
    }
    Ok(json!({ "secs": secs }))
}
