//! The Rust side of the spark-client benchmark: our client (`crates/spark-client`), driven by
//! `bench.py` over stdin/stdout so that every client is timed in one run, iterations interleaved.
//!
//! Run through `benches/spark-client/run.sh`, which builds this in release mode. By hand:
//!
//! ```text
//! spark-client-bench sc://127.0.0.1:15002 5000000 10 'id' 'CAST(id AS DOUBLE) * 1.5 AS d' ...
//! > collect
//! {"secs":0.61,"rows":5000000,"batches":24}
//! ```
//!
//! Commands, one a line; each answers one JSON line, timed here so that process and pipe costs are
//! not in the figures:
//! - `collect`: `DataFrame::collect` of the benchmark query (every batch held at the end).
//! - `stream`: `DataFrame::to_stream`, each batch dropped once counted (also answers when the first
//!   batch arrived).
//! - `drain`: the responses read and counted, Arrow IPC not decoded (`raw::execute`): this
//!   client's transport without its decoding.
//! - `noop`: the same plan written to Spark's `noop` sink (the server's floor: no transfer).
//! - `latency N`: `N` times `spark.sql("SELECT 1").collect()`; answers every time.
//! - `version N`: `N` times `spark.version()` (one `AnalyzePlan` call); answers every time.

use std::io::Write;
use std::time::Instant;

use futures::TryStreamExt;
use serde_json::{json, Value};
use spark_client::dataframe::SaveMode;
use spark_client::dataframe::Range;
use spark_client::{DataFrame, SparkSession};
use tokio::io::{AsyncBufReadExt, BufReader};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [remote, rows, partitions, exprs @ ..] = args.as_slice() else {
        return Err("usage: spark-client-bench REMOTE ROWS PARTITIONS EXPR...".into());
    };
    let (rows, partitions): (i64, i32) = (rows.parse()?, partitions.parse()?);
    let spark = SparkSession::builder().remote(remote).build().await?;
    let df = spark
        .range_with(Range::new(0, rows).partitions(partitions))
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
        (Some("collect"), None) => collect(df).await,
        (Some("stream"), None) => stream(df).await,
        (Some("noop"), None) => noop(df).await,
        (Some("drain"), None) => drain(df).await,
        (Some("latency"), Some(n)) => latency(spark, n.parse()?).await,
        (Some("version"), Some(n)) => version(spark, n.parse()?).await,
        _ => Err(format!("unknown command {command:?}").into()),
    }
}

async fn collect(df: &DataFrame) -> Result<Value, BoxError> {
    let start = Instant::now();
    let batches = df.collect().await?;
    let secs = start.elapsed().as_secs_f64();
    let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
    let columns = batches.first().map_or(0, |b| b.num_columns());
    Ok(json!({ "secs": secs, "rows": rows, "batches": batches.len(), "columns": columns }))
}

async fn stream(df: &DataFrame) -> Result<Value, BoxError> {
    let start = Instant::now();
    let mut stream = df.to_stream();
    let (mut rows, mut batches, mut first) = (0usize, 0usize, None);
    while let Some(batch) = stream.try_next().await? {
        first.get_or_insert_with(|| start.elapsed().as_secs_f64());
        rows += batch.num_rows();
        batches += 1;
    }
    let secs = start.elapsed().as_secs_f64();
    Ok(json!({ "secs": secs, "rows": rows, "batches": batches, "first_batch_secs": first }))
}

async fn drain(df: &DataFrame) -> Result<Value, BoxError> {
    use spark_client::raw::proto::execute_plan_response::ResponseType;
    let start = Instant::now();
    let mut responses = spark_client::raw::execute(df);
    let (mut rows, mut bytes, mut messages) = (0i64, 0usize, 0usize);
    while let Some(resp) = responses.next().await? {
        if let Some(ResponseType::ArrowBatch(b)) = resp.response_type {
            rows += b.row_count;
            bytes += b.data.len();
            messages += 1;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    Ok(json!({ "secs": secs, "rows": rows, "bytes": bytes, "messages": messages }))
}

async fn noop(df: &DataFrame) -> Result<Value, BoxError> {
    let start = Instant::now();
    df.write()
        .format("noop")
        .mode(SaveMode::Overwrite)
        .save_to_sink()
        .await?;
    Ok(json!({ "secs": start.elapsed().as_secs_f64() }))
}

async fn latency(spark: &SparkSession, n: usize) -> Result<Value, BoxError> {
    let mut secs = Vec::with_capacity(n);
    for _ in 0..n {
        let start = Instant::now();
        let batches = spark.sql("SELECT 1").await?.collect().await?;
        secs.push(start.elapsed().as_secs_f64());
        if batches.iter().map(|b| b.num_rows()).sum::<usize>() != 1 {
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
