//! Kafka → Delta with Structured Streaming: JSON events parsed with a typed schema, written to a
//! Delta table partitioned by day, run with an available-now trigger (re-run it: only new records
//! are processed, from the checkpoint).
//!
//! Run with the local stack up (`./stack up`):
//!
//! ```sh
//! source .stack/env
//! cargo run --manifest-path examples/Cargo.toml --bin kafka_to_delta
//! ```
//!
//! Environment: `MINDY_SPARK_REMOTE`, `MINDY_KAFKA_BOOTSTRAP`, `MINDY_LAKE_ROOT` (the Delta table
//! goes to `$MINDY_LAKE_ROOT/examples/events`).

use std::time::Duration;

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::ClientConfig;
use spark_client::dataframe::Show;
use spark_client::functions::*;
use spark_client::streaming::{OutputMode, Trigger};
use spark_client::types::{DataType, StructType};
use spark_client::SparkSession;

const TOPIC: &str = "spark-client-example-events";

#[tokio::main]
async fn main() -> spark_client::Result<()> {
    let remote = std::env::var("MINDY_SPARK_REMOTE").unwrap_or("sc://127.0.0.1:15002".into());
    let kafka = std::env::var("MINDY_KAFKA_BOOTSTRAP").unwrap_or("127.0.0.1:9092".into());
    let lake = std::env::var("MINDY_LAKE_ROOT").unwrap_or("/tmp/mindy-lake".into());
    let table = format!("{lake}/examples/events");
    let spark = SparkSession::builder().remote(&remote).build().await?;

    create_topic(&kafka).await;
    // Produce 1,000 JSON events with Spark's batch Kafka sink.
    spark
        .range(0, 1000)
        .select([
            col("id").cast("string").alias("key"),
            to_json(
                struct_([
                    col("id"),
                    concat([lit("user-"), (col("id") % 7).cast("string")]).alias("user"),
                    expr("current_timestamp() - make_interval(0,0,0,0,0,0, id * 90)").alias("ts"),
                ]),
                [],
            )
            .alias("value"),
        ])
        .write()
        .format("kafka")
        .option("kafka.bootstrap.servers", &kafka)
        .option("topic", TOPIC)
        .save_to_sink()
        .await?;

    let schema = StructType::new()
        .field("id", DataType::Long, true)
        .field("user", DataType::String, true)
        .field("ts", DataType::Timestamp, true);
    let events = spark
        .read_stream()
        .format("kafka")
        .option("kafka.bootstrap.servers", &kafka)
        .option("subscribe", TOPIC)
        .option("startingOffsets", "earliest")
        .option("maxOffsetsPerTrigger", 400)
        .load()?
        .select([from_json(col("value").cast("string"), schema, []).alias("e")])
        .select(["e.id", "e.user", "e.ts"])
        .with_column("day", to_date("ts"));

    let query = events
        .write_stream()
        .format("delta")
        .output_mode(OutputMode::Append)
        .trigger(Trigger::AvailableNow)
        .partition_by(["day"])
        .checkpoint_location(format!("{table}/_checkpoint"))
        .query_name("example_kafka_to_delta")
        .start_path(&table)
        .await?;
    println!("started query {} (run {})", query.id(), query.run_id());
    query
        .await_termination_for(Duration::from_secs(300))
        .await?;
    for p in query.recent_progress().await? {
        println!(
            "batch {}: {} rows in {:?} ms, end offsets {}",
            p.batch_id,
            p.num_input_rows,
            p.batch_duration_ms(),
            p.sources[0].end_offset.clone().unwrap_or_default()
        );
    }
    let delta = spark.read().delta(&table);
    println!("{table} now holds {} rows", delta.count().await?);
    println!(
        "{}",
        delta
            .group_by(["day"])
            .count()
            .order_by(["day"])
            .show_string_with(Show::rows(10).truncate(0))
            .await?
    );
    Ok(())
}

/// The stack disables topic auto-creation; create the topic unless it exists.
async fn create_topic(bootstrap: &str) {
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .create()
        .expect("Kafka admin client");
    let topic = NewTopic::new(TOPIC, 3, TopicReplication::Fixed(1));
    let opts = AdminOptions::new().operation_timeout(Some(Duration::from_secs(20)));
    match admin.create_topics([&topic], &opts).await {
        Ok(results) => {
            for r in results {
                if let Err((t, e)) = r {
                    println!("topic {t}: {e} (reusing it)");
                }
            }
        }
        Err(e) => panic!("Kafka at {bootstrap} is not reachable: {e}"),
    }
}
