//! Core batch calls: version, sql, collect, stream, count, show, schema, errors.

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::RecordBatch;
use futures::StreamExt;
use spark_client::dataframe::Range;
use spark_client::functions::{col, lit};
use spark_client::types::DataType;

use crate::util;

fn total_rows(batches: &[RecordBatch]) -> usize {
    batches.iter().map(RecordBatch::num_rows).sum()
}

#[tokio::test]
async fn version_is_3_5_or_later() {
    let spark = util::session().await;
    let v = spark.version().await.unwrap();
    assert!(v.starts_with("3.5") || v.starts_with('4'), "version {v}");
}

#[tokio::test]
async fn sql_collects_arrow_batches() {
    let spark = util::session().await;
    let df = spark
        .sql("SELECT id, CAST(id * 2 AS BIGINT) AS twice FROM range(5)")
        .await
        .unwrap();
    let batches = df.collect().await.unwrap();
    assert_eq!(total_rows(&batches), 5);
    let twice: Vec<i64> = batches
        .iter()
        .flat_map(|b| {
            b.column_by_name("twice")
                .unwrap()
                .as_primitive::<Int64Type>()
                .values()
                .to_vec()
        })
        .collect();
    assert_eq!(twice, vec![0, 2, 4, 6, 8]);
}

#[tokio::test]
async fn sql_with_named_and_positional_args() {
    let spark = util::session().await;
    let df = spark
        .sql("SELECT * FROM range(10) WHERE id >= :lo AND id < :hi")
        .arg("lo", 3i64)
        .arg("hi", 6i64)
        .await
        .unwrap();
    assert_eq!(df.count().await.unwrap(), 3);
    let df = spark
        .sql("SELECT ? AS a, ? AS b")
        .pos_arg("x")
        .pos_arg(2.5f64)
        .await
        .unwrap();
    assert_eq!(df.count().await.unwrap(), 1);
}

#[tokio::test]
async fn range_count_and_stream() {
    let spark = util::session().await;
    let df = spark.range_with(Range::new(0, 100_000).partitions(4));
    assert_eq!(df.count().await.unwrap(), 100_000);
    let mut stream = df.to_stream();
    let mut rows = 0;
    while let Some(batch) = stream.next().await {
        rows += batch.unwrap().num_rows();
    }
    assert_eq!(rows, 100_000);
    assert_eq!(stream.rows_so_far(), 100_000);
}

#[tokio::test]
async fn show_string_renders_a_table() {
    let spark = util::session().await;
    let df = spark
        .range(0, 3)
        .with_column("label", lit("row"))
        .with_column("double", col("id") * 2);
    let shown = df.show_string(10).await.unwrap();
    assert!(shown.contains("|label|double|"), "{shown}");
    assert!(shown.contains("|  2|  row|     4|"), "{shown}");
}

#[tokio::test]
async fn schema_via_analyze() {
    let spark = util::session().await;
    let df = spark
        .range(0, 1)
        .select([col("id"), col("id").cast("string").alias("s")]);
    let schema = df.schema().await.unwrap();
    assert_eq!(schema.names(), vec!["id", "s"]);
    assert_eq!(schema.fields[0].data_type, DataType::Long);
    assert_eq!(schema.fields[1].data_type, DataType::String);
    let dtypes = df.dtypes().await.unwrap();
    assert_eq!(dtypes[0], ("id".to_string(), "bigint".to_string()));
    let plan = df
        .explain(spark_client::dataframe::ExplainMode::Simple)
        .await
        .unwrap();
    assert!(plan.contains("Range"), "{plan}");
}

#[tokio::test]
async fn bad_column_surfaces_error_class_and_message() {
    let spark = util::session().await;
    let err = spark
        .range(0, 3)
        .select([col("idd")])
        .collect()
        .await
        .unwrap_err();
    let server = err
        .server()
        .unwrap_or_else(|| panic!("not a server error: {err:?}"));
    assert_eq!(
        server.error_class(),
        Some("UNRESOLVED_COLUMN.WITH_SUGGESTION"),
        "{err}"
    );
    assert!(server.message().contains("idd"), "{err}");
    assert!(
        err.to_string().contains("`id`"),
        "suggestion missing: {err}"
    );
}
