//! Delta read + Arrow export: write a small Delta table, read it back filtered (with time travel),
//! and stream the result batch by batch into an Arrow IPC file, never holding it whole.
//!
//! Run with the local stack up (`./stack up`):
//!
//! ```sh
//! source .stack/env
//! cargo run --manifest-path examples/Cargo.toml --bin delta_to_arrow -- /tmp/readings.arrow
//! ```

use futures::StreamExt;
use spark_client::dataframe::Range;
use spark_client::dataframe::SaveMode;
use spark_client::dataframe::Show;
use spark_client::functions::*;
use spark_client::SparkSession;

#[tokio::main]
async fn main() -> spark_client::Result<()> {
    let remote = std::env::var("MINDY_SPARK_REMOTE").unwrap_or("sc://127.0.0.1:15002".into());
    let lake = std::env::var("MINDY_LAKE_ROOT").unwrap_or("/tmp/mindy-lake".into());
    let out = std::env::args()
        .nth(1)
        .unwrap_or("/tmp/readings.arrow".into());
    let table = format!("{lake}/examples/readings");
    let spark = SparkSession::builder().remote(&remote).build().await?;

    // Version 0: 200k sensor readings, partitioned by sensor group; version 1 appends more.
    let readings = spark
        .range_with(Range::new(0, 200_000).partitions(4))
        .with_column("sensor", (col("id") % 50).cast("int"))
        .with_column("group", (col("id") % 5).cast("string"))
        .with_column("value", sqrt(col("id").cast("double")));
    readings
        .write()
        .format("delta")
        .mode(SaveMode::Overwrite)
        .partition_by(["group"])
        .save(&table)
        .await?;
    readings
        .limit(1000)
        .write()
        .format("delta")
        .mode(SaveMode::Append)
        .save(&table)
        .await?;

    let latest = spark.read().delta(&table);
    let v0 = spark
        .read()
        .format("delta")
        .option("versionAsOf", 0)
        .load_path(&table);
    println!(
        "rows: latest {}, version 0 {}",
        latest.count().await?,
        v0.count().await?
    );
    let history = spark
        .sql(format!("DESCRIBE HISTORY delta.`{table}`"))
        .await?
        .select(["version", "operation"]);
    println!(
        "{}",
        history.show_string_with(Show::rows(10).truncate(0)).await?
    );

    // Stream the filtered result into an Arrow IPC file, one batch at a time.
    let selected = latest
        .filter(col("group").eq("3"))
        .select(["id", "sensor", "value"]);
    let mut stream = selected.to_stream();
    let mut writer: Option<arrow_ipc::writer::FileWriter<std::fs::File>> = None;
    while let Some(batch) = stream.next().await {
        let batch = batch?;
        let w = match &mut writer {
            Some(w) => w,
            None => {
                let file = std::fs::File::create(&out).expect("create output file");
                writer.insert(arrow_ipc::writer::FileWriter::try_new(
                    file,
                    &batch.schema(),
                )?)
            }
        };
        w.write(&batch)?;
    }
    if let Some(mut w) = writer {
        w.finish()?;
    }
    let size = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
    println!(
        "wrote {} rows to {out} ({size} bytes)",
        stream.rows_so_far()
    );
    Ok(())
}
