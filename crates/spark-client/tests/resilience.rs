//! Retries, reattach, large results, interrupts.

use std::time::{Duration, Instant};

use arrow_array::RecordBatch;
use futures::StreamExt;
use spark_client::dataframe::Range;
use spark_client::functions::{col, concat, lit, lpad};

use crate::proxy::Proxy;
use crate::util;

/// A wide result: `rows` rows of ~45 bytes each (a bigint, a double and a 28-character string).
fn wide(spark: &spark_client::SparkSession, rows: i64) -> spark_client::DataFrame {
    spark
        .range_with(Range::new(0, rows).partitions(4))
        .with_column("x", col("id").cast("double") * 1.5)
        .with_column(
            "s",
            concat([lit("row-"), lpad(col("id").cast("string"), 24, "0")]),
        )
}

fn bytes_of(batches: &[RecordBatch]) -> usize {
    batches.iter().map(RecordBatch::get_array_memory_size).sum()
}

#[tokio::test]
async fn survives_the_server_going_away_between_two_calls() {
    let upstream = util::host_port(&util::require_server());
    let proxy = Proxy::start(&upstream).await;
    let spark = util::session_at(&proxy.url()).await;
    assert_eq!(spark.range(0, 10).count().await.unwrap(), 10);

    // The "restart": refuse connections and kill the live one for 1.5 s.
    proxy.down();
    let started = Instant::now();
    let restore = async {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        proxy.up();
    };
    let df = spark.range(0, 20);
    let (count, ()) = tokio::join!(df.count(), restore);
    assert_eq!(count.unwrap(), 20);
    assert!(
        started.elapsed() >= Duration::from_millis(1400),
        "the call cannot have succeeded while the proxy was down"
    );
    // Analyze and config calls retry too.
    proxy.down();
    let restore = async {
        tokio::time::sleep(Duration::from_millis(800)).await;
        proxy.up();
    };
    let (version, ()) = tokio::join!(spark.version(), restore);
    assert!(!version.unwrap().is_empty());
}

#[tokio::test]
async fn gives_up_after_the_retry_budget() {
    let upstream = util::host_port(&util::require_server());
    let proxy = Proxy::start(&upstream).await;
    let spark = spark_client::SparkSession::builder()
        .remote(proxy.url())
        .with_retry_policy(spark_client::RetryPolicy {
            max_retries: 2,
            ..spark_client::RetryPolicy::for_tests()
        })
        .build()
        .await
        .unwrap();
    proxy.down();
    let err = spark.range(0, 1).count().await.unwrap_err();
    assert!(err.is_retriable(), "{err:?}");
}

#[tokio::test]
async fn reattaches_when_the_stream_breaks_mid_result() {
    let upstream = util::host_port(&util::require_server());
    let proxy = Proxy::start(&upstream).await;
    let spark = util::session_at(&proxy.url()).await;
    let rows = 2_000_000;
    let mut stream = wide(&spark, rows).to_stream();
    let mut seen = 0usize;
    let mut cuts = 0;
    while let Some(batch) = stream.next().await {
        seen += batch.unwrap().num_rows();
        // Cut the connection twice while the result is flowing.
        if (seen > 300_000 && cuts == 0) || (seen > 1_200_000 && cuts == 1) {
            proxy.drop_connections();
            cuts += 1;
        }
    }
    assert_eq!(cuts, 2);
    assert_eq!(
        seen, rows as usize,
        "no row lost or duplicated across reattaches"
    );
}

#[tokio::test]
async fn result_larger_than_64_mib_collects_and_streams() {
    let spark = util::session().await;
    let rows = 2_500_000;
    let df = wide(&spark, rows);

    let batches = df.collect().await.unwrap();
    let total: usize = batches.iter().map(RecordBatch::num_rows).sum();
    assert_eq!(total, rows as usize);
    let bytes = bytes_of(&batches);
    assert!(bytes > 64 << 20, "only {bytes} bytes collected");
    drop(batches);

    let mut stream = df.to_stream();
    let (mut seen, mut largest) = (0usize, 0usize);
    while let Some(batch) = stream.next().await {
        let batch = batch.unwrap();
        seen += batch.num_rows();
        largest = largest.max(batch.get_array_memory_size());
    }
    assert_eq!(seen, rows as usize);
    assert!(
        largest < 32 << 20,
        "batches arrive in pieces, largest {largest}"
    );
}

#[tokio::test]
async fn without_reattach_a_broken_stream_fails_instead_of_resuming() {
    let upstream = util::host_port(&util::require_server());
    let proxy = Proxy::start(&upstream).await;
    let spark = spark_client::SparkSession::builder()
        .remote(proxy.url())
        .with_retry_policy(spark_client::RetryPolicy::for_tests())
        .with_reattach(false)
        .build()
        .await
        .unwrap();
    let mut stream = wide(&spark, 2_000_000).to_stream();
    let mut seen = 0usize;
    let mut cut = false;
    let mut failed = None;
    while let Some(batch) = stream.next().await {
        match batch {
            Ok(b) => seen += b.num_rows(),
            Err(e) => {
                failed = Some(e);
                break;
            }
        }
        if seen > 300_000 && !cut {
            proxy.drop_connections();
            cut = true;
        }
    }
    assert!(cut);
    let err = failed.unwrap_or_else(|| panic!("the stream ended quietly after {seen} rows"));
    assert!(seen < 2_000_000, "{err}");
    // A call that received nothing yet is still retried (by sending the plan again).
    proxy.down();
    let restore = async {
        tokio::time::sleep(Duration::from_millis(800)).await;
        proxy.up();
    };
    let df = spark.range(0, 20);
    let (count, ()) = tokio::join!(df.count(), restore);
    assert_eq!(count.unwrap(), 20);
}

#[tokio::test]
async fn interrupt_all_stops_a_running_query() {
    let spark = util::session().await;
    // A query that would run for minutes.
    let slow = spark
        .range_with(Range::new(0, 1_000_000_000_000).partitions(2))
        .filter(col("id").lt(0));
    let handle = tokio::spawn({
        let slow = slow.clone();
        async move { slow.count().await }
    });
    tokio::time::sleep(Duration::from_secs(2)).await;
    let interrupted = spark.interrupt_all().await.unwrap();
    assert!(!interrupted.is_empty(), "nothing was running");
    let result = tokio::time::timeout(Duration::from_secs(60), handle)
        .await
        .expect("the interrupted query returns")
        .unwrap();
    let err = result.unwrap_err();
    assert!(
        err.to_string().to_lowercase().contains("cancel") || err.to_string().contains("INTERRUPT"),
        "{err}"
    );
}
