//! Structured Streaming: rate/Kafka/table sources, Delta sinks, query handles, progress, manager.

use std::time::{Duration, Instant};

use spark_client::dataframe::SaveMode;
use spark_client::functions::*;
use spark_client::streaming::{OutputMode, StreamingQuery, Trigger};
use spark_client::types::{DataType, StructType};
use spark_client::{DataFrame, SparkSession};

use crate::util::{self, collect_rows};

/// Polls `check` every 250 ms until it returns `Some`, or panics after `timeout`.
async fn eventually<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Writes `(key, value)` rows to a Kafka topic with Spark's batch Kafka sink.
async fn produce(df: DataFrame, topic: &str) {
    df.write()
        .format("kafka")
        .option("kafka.bootstrap.servers", util::kafka_bootstrap())
        .option("topic", topic)
        .save_to_sink()
        .await
        .unwrap();
}

fn kafka_stream(spark: &SparkSession, topic: &str) -> DataFrame {
    spark
        .read_stream()
        .format("kafka")
        .option("kafka.bootstrap.servers", util::kafka_bootstrap())
        .option("subscribe", topic)
        .option("startingOffsets", "earliest")
        .option("failOnDataLoss", "false")
        .load()
        .unwrap()
}

fn event_schema() -> StructType {
    StructType::new()
        .field("id", DataType::Long, true)
        .field("user", DataType::String, true)
        .field("ts", DataType::Timestamp, true)
}

/// Parses the JSON `value` of Kafka records into `id, user, ts`.
fn parse_events(kafka: &DataFrame) -> DataFrame {
    kafka
        .select([from_json(col("value").cast("string"), event_schema(), []).alias("e")])
        .select(["e.id", "e.user", "e.ts"])
}

/// JSON events `id, user, ts` for ids in `lo..hi`, `ts` = base + id * step seconds.
fn events(spark: &SparkSession, lo: i64, hi: i64, base: &str, step_secs: i64) -> DataFrame {
    spark
        .range(lo, hi)
        .select([
            col("id"),
            concat([lit("user-"), (col("id") % 3).cast("string")]).alias("user"),
            (expr(&format!("timestamp'{base}'"))
                + expr(&format!("make_interval(0,0,0,0,0,0, id * {step_secs})")))
            .alias("ts"),
        ])
        .select([
            col("id").cast("string").alias("key"),
            to_json(struct_(["id", "user", "ts"]), []).alias("value"),
        ])
}

async fn finished(q: &StreamingQuery) {
    let done = q
        .await_termination_for(Duration::from_secs(180))
        .await
        .unwrap();
    assert!(done, "query {} still running", q.id());
    assert_eq!(q.exception().await.unwrap(), None);
}

#[tokio::test]
async fn rate_to_memory_query_lifecycle() {
    let spark = util::session().await;
    let name = util::unique("rate_q");
    let q = spark
        .read_stream()
        .format("rate")
        .option("rowsPerSecond", 100)
        .load()
        .unwrap()
        .write_stream()
        .format("memory")
        .query_name(&name)
        .output_mode(OutputMode::Append)
        .trigger(Trigger::ProcessingTime(Duration::from_millis(500)))
        .start()
        .await
        .unwrap();
    assert_eq!(q.name(), Some(name.as_str()));
    assert!(!q.id().is_empty() && !q.run_id().is_empty());

    let progress = eventually("a batch with rows", Duration::from_secs(60), || async {
        q.last_progress()
            .await
            .unwrap()
            .filter(|p| p.num_input_rows > 0)
    })
    .await;
    assert_eq!(progress.id, q.id());
    assert_eq!(progress.run_id, q.run_id());
    assert_eq!(progress.sources.len(), 1);
    assert!(
        progress.sources[0].description.contains("Rate"),
        "{progress:?}"
    );
    assert!(progress.batch_duration_ms().is_some());
    assert!(!q.recent_progress().await.unwrap().is_empty());

    let status = q.status().await.unwrap();
    assert!(status.is_active, "{status:?}");
    let active = spark.streams().active().await.unwrap();
    assert!(active.iter().any(|a| a.id() == q.id()));
    let found = spark
        .streams()
        .get(q.id())
        .await
        .unwrap()
        .expect("query by id");
    assert_eq!(found.run_id(), q.run_id());
    assert!(spark.table(&name).count().await.unwrap() > 0);
    assert!(q.explain(false).await.unwrap().contains("MicroBatchScan"));

    q.stop().await.unwrap();
    assert!(q
        .await_termination_for(Duration::from_secs(30))
        .await
        .unwrap());
    assert!(!q.is_active().await.unwrap());
    assert_eq!(q.exception().await.unwrap(), None);
    let still = spark.streams().active().await.unwrap();
    assert!(!still.iter().any(|a| a.id() == q.id()));
}

#[tokio::test]
async fn kafka_to_delta_available_now_twice_without_duplicates() {
    let spark = util::session().await;
    let topic = util::kafka_topic("events", 3).await;
    let path = util::lake_path("kafka_delta");
    let checkpoint = format!("{path}/_checkpoint");
    let table_path = format!("{path}/table");

    let run = || async {
        let q = parse_events(&kafka_stream(&spark, &topic))
            .with_column("day", to_date("ts"))
            .write_stream()
            .format("delta")
            .output_mode(OutputMode::Append)
            .trigger(Trigger::AvailableNow)
            .checkpoint_location(&checkpoint)
            .partition_by(["day"])
            .query_name(util::unique("kafka_delta"))
            .start_path(&table_path)
            .await
            .unwrap();
        finished(&q).await;
        q
    };

    produce(events(&spark, 0, 100, "2024-01-01 00:00:00", 60), &topic).await;
    let q = run().await;
    let delta = spark.read().delta(&table_path);
    assert_eq!(delta.count().await.unwrap(), 100);

    // Typed progress of the finished query: Kafka offsets per partition.
    let progress = q.recent_progress().await.unwrap();
    let rows: i64 = progress.iter().map(|p| p.num_input_rows).sum();
    assert_eq!(rows, 100, "{progress:?}");
    let last = progress.last().unwrap();
    let end = last.sources[0].end_offset.as_ref().unwrap();
    let offsets: i64 = end[&topic]
        .as_object()
        .unwrap_or_else(|| panic!("{end:?}"))
        .values()
        .map(|v| v.as_i64().unwrap())
        .sum();
    assert_eq!(offsets, 100);

    // Second run from the same checkpoint reads only the new records.
    produce(events(&spark, 100, 150, "2024-01-02 00:00:00", 60), &topic).await;
    run().await;
    let delta = spark.read().delta(&table_path);
    assert_eq!(delta.count().await.unwrap(), 150);
    assert_eq!(delta.select(["id"]).distinct().count().await.unwrap(), 150);
    let days = collect_rows(
        &delta
            .group_by(["day"])
            .count()
            .select([col("day").cast("string"), col("count")])
            .order_by(["day"]),
    )
    .await;
    assert_eq!(days, [["2024-01-01", "100"], ["2024-01-02", "50"]]);
}

#[tokio::test]
async fn hourly_windows_with_watermark_close_in_append_mode() {
    let spark = util::session().await;
    spark
        .conf()
        .set("spark.sql.session.timeZone", "UTC")
        .await
        .unwrap();
    let topic = util::kafka_topic("clicks", 1).await;
    let path = util::lake_path("windows");
    let out = format!("{path}/table");

    let q = parse_events(&kafka_stream(&spark, &topic))
        .with_watermark("ts", "10 minutes")
        .group_by([window("ts", "1 hour")])
        .agg([
            count(lit(1)).alias("n"),
            approx_count_distinct("user").alias("users"),
        ])
        .select([
            col("window.start").alias("start"),
            col("window.end").alias("end"),
            col("n"),
            col("users"),
        ])
        .write_stream()
        .format("delta")
        .output_mode(OutputMode::Append)
        .trigger(Trigger::ProcessingTime(Duration::from_millis(500)))
        .checkpoint_location(format!("{path}/_checkpoint"))
        .start_path(&out)
        .await
        .unwrap();

    // Hour 0: 6 events (00:00..00:50); hour 1: 3 events (01:00..01:40).
    produce(events(&spark, 0, 9, "2024-01-01 00:00:00", 600), &topic).await;
    q.process_all_available().await.unwrap();
    // Event time jumps to 03:30: the watermark (max event time - 10 min) passes 02:00, which
    // closes hours 0 and 1; hour 3 stays open.
    produce(events(&spark, 100, 101, "2024-01-01 03:30:00", 0), &topic).await;
    q.process_all_available().await.unwrap();
    let closed = |n: usize| {
        let spark = spark.clone();
        let out = out.clone();
        async move {
            let df = spark
                .read()
                .delta(&out)
                .select([col("start").cast("string"), col("n"), col("users")])
                .order_by(["start"]);
            let rows = df.collect().await.ok().map(|b| util::rows(&b))?;
            (rows.len() >= n).then_some(rows)
        }
    };
    let windows = eventually("hours 0 and 1 closed", Duration::from_secs(90), || {
        closed(2)
    })
    .await;
    assert_eq!(
        windows,
        [
            ["2024-01-01 00:00:00", "6", "3"],
            ["2024-01-01 01:00:00", "3", "3"]
        ]
    );
    // 05:00 moves the watermark to 04:50: hour 3 closes, hour 5 stays open.
    produce(events(&spark, 200, 201, "2024-01-01 05:00:00", 0), &topic).await;
    q.process_all_available().await.unwrap();
    let windows = eventually("hour 3 closed", Duration::from_secs(90), || closed(3)).await;
    assert_eq!(windows.len(), 3, "{windows:?}");
    assert_eq!(windows[2], ["2024-01-01 03:00:00", "1", "1"]);
    let last = q.last_progress().await.unwrap().unwrap();
    assert!(
        last.watermark().unwrap() >= "2024-01-01T03:20:00",
        "{last:?}"
    );
    q.stop().await.unwrap();
}

#[tokio::test]
async fn delta_table_source_to_table_sink() {
    let spark = util::session().await;
    let src = util::unique("stream_src");
    let dst = util::unique("stream_dst");
    spark
        .range(0, 20)
        .write()
        .format("delta")
        .save_as_table(&src)
        .await
        .unwrap();
    let checkpoint = util::lake_path("table_cp");
    let q = spark
        .read_stream()
        .table(&src)
        .with_column("double", col("id") * 2)
        .write_stream()
        .format("delta")
        .trigger(Trigger::AvailableNow)
        .checkpoint_location(&checkpoint)
        .to_table(&dst)
        .await
        .unwrap();
    finished(&q).await;
    assert_eq!(spark.table(&dst).count().await.unwrap(), 20);
    spark
        .range(20, 25)
        .write()
        .format("delta")
        .mode(SaveMode::Append)
        .save_as_table(&src)
        .await
        .unwrap();
    let q = spark
        .read_stream()
        .table(&src)
        .with_column("double", col("id") * 2)
        .write_stream()
        .format("delta")
        .trigger(Trigger::Once)
        .checkpoint_location(&checkpoint)
        .to_table(&dst)
        .await
        .unwrap();
    finished(&q).await;
    assert_eq!(spark.table(&dst).count().await.unwrap(), 25);
    for t in [src, dst] {
        spark.sql(format!("DROP TABLE {t}")).await.unwrap();
    }
}

#[tokio::test]
async fn failed_query_reports_its_exception() {
    let spark = util::session().await;
    // A Kafka topic that does not exist with assign: the query fails at its first batch.
    let q = spark
        .read_stream()
        .format("rate")
        .option("rowsPerSecond", 10)
        .load()
        .unwrap()
        .select([expr("assert_true(value < 0, 'boom from the test')").alias("x")])
        .write_stream()
        .format("memory")
        .query_name(util::unique("failing"))
        .start()
        .await
        .unwrap();
    let err = q
        .await_termination_for(Duration::from_secs(60))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("boom from the test"), "{err}");
    let ex = q.exception().await.unwrap().expect("an exception");
    assert!(ex.message.contains("boom from the test"), "{ex:?}");
}
