//! Batch reads and writes: Delta by path and by table, partitioning, modes.

use spark_client::dataframe::SaveMode;
use spark_client::dataframe::Show;
use spark_client::functions::{col, lit};

use crate::util;

#[tokio::test]
async fn delta_by_path_with_partitions_round_trips() {
    let spark = util::session().await;
    let path = util::lake_path("delta_part");
    let df = spark
        .range(0, 100)
        .with_column("day", (col("id") % 4).cast("string"))
        .with_column("amount", col("id") * 10);
    df.write()
        .format("delta")
        .mode(SaveMode::Overwrite)
        .partition_by(["day"])
        .save(&path)
        .await
        .unwrap();

    let back = spark.read().delta(&path);
    assert_eq!(back.count().await.unwrap(), 100);
    assert_eq!(back.filter(col("day").eq("2")).count().await.unwrap(), 25);
    // The partition column is a directory level.
    assert!(std::path::Path::new(&path).join("day=2").is_dir());
    let detail = spark
        .sql(format!("DESCRIBE DETAIL delta.`{path}`"))
        .await
        .unwrap()
        .select(["partitionColumns"])
        .show_string_with(Show::rows(1).truncate(0))
        .await
        .unwrap();
    assert!(detail.contains("[day]"), "{detail}");

    // Append adds a Delta version; time travel still sees the first one.
    df.limit(10)
        .write()
        .format("delta")
        .mode(SaveMode::Append)
        .save(&path)
        .await
        .unwrap();
    assert_eq!(spark.read().delta(&path).count().await.unwrap(), 110);
    let v0 = spark
        .read()
        .format("delta")
        .option("versionAsOf", 0)
        .load_path(&path);
    assert_eq!(v0.count().await.unwrap(), 100);
}

#[tokio::test]
async fn delta_by_table_save_and_insert() {
    let spark = util::session().await;
    let table = util::unique("t_delta");
    let df = spark.range(0, 5).with_column("kind", lit("a"));
    // Not SaveMode::Overwrite: Spark 3.5 + Delta 3.3 reject saveAsTable(overwrite) with "does not
    // support truncate in batch mode" (PySpark too); the default mode creates the table.
    df.write()
        .format("delta")
        .save_as_table(&table)
        .await
        .unwrap();
    df.write().insert_into(&table).await.unwrap();
    assert_eq!(spark.table(&table).count().await.unwrap(), 10);
    assert!(spark.catalog().table_exists(&table).await.unwrap());
    let tables = spark.catalog().list_tables().await.unwrap();
    assert!(tables.iter().any(|t| t.name == table), "{tables:?}");
    spark.sql(format!("DROP TABLE {table}")).await.unwrap();
    assert!(!spark.catalog().table_exists(&table).await.unwrap());
}
