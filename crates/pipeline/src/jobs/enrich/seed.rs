//! Bronze rows from email records without Kafka, for the tests and benchmarks of `mindy enrich`:
//! the records go through the validator's rules (as `mindy validate` forwards them) and then
//! through the stream's own plans ([`crate::jobs::stream::plan`]) on a batch of Kafka-shaped rows,
//! so the table has exactly the shape `mindy stream` writes.

use std::sync::Arc;

use arrow_array::{
    ArrayRef, BinaryArray, Int32Array, Int64Array, RecordBatch, StringArray,
    TimestampMicrosecondArray,
};
use chrono::{DateTime, Utc};
use mindy_core::email::{self, EmailRecord};
use spark_client::dataframe::SaveMode;
use spark_client::SparkSession;

use crate::jobs::stream::plan::{self, PlanSettings};
use crate::mime::{self, SourceMeta};
use crate::persona::DemoEmail;
use crate::{Error, Result};

/// Rows per Arrow batch sent to Spark (a `LocalRelation` each; Spark Connect's message limit
/// is 128 MiB, demo mail is ~1 KB a record).
const CHUNK: usize = 5_000;

/// The demo mailbox's messages as validated records, as `mindy ingest demo` and
/// `mindy validate` would produce them (the ingestion time is `ingested_at`).
pub fn demo_records(emails: &[DemoEmail], ingested_at: DateTime<Utc>) -> Result<Vec<EmailRecord>> {
    emails
        .iter()
        .map(|e| {
            let meta = SourceMeta {
                thread_id: Some(e.thread_id.clone()),
                labels: e.labels.clone(),
                ..SourceMeta::new(email::Source::Demo)
            };
            let record = mime::parse(&e.raw, &meta, ingested_at)
                .map_err(|err| Error::invalid(format!("demo mail {}: {err}", e.message_id)))?;
            email::rules::validate_at(&record.to_json(), ingested_at)
                .map(|valid| valid.record)
                .map_err(|r| Error::invalid(format!("demo mail {}: {r:?}", e.message_id)))
        })
        .collect()
}

/// Appends `records` to the bronze table at `bronze`, partitioned by `event_date` in
/// `timezone`, as the stream writes them; Kafka offsets count from `first_offset` and Kafka
/// times are `kafka_time`.
pub async fn write_bronze(
    session: &SparkSession,
    records: &[EmailRecord],
    bronze: &str,
    timezone: &str,
    kafka_time: DateTime<Utc>,
) -> Result<()> {
    let settings = PlanSettings {
        timezone: timezone.to_string(),
        important_keywords: vec!["urgent".into(), "asap".into()],
        dedup_window: "24 hours".into(),
        late_data_delay: "2 hours".into(),
    };
    for (n, chunk) in records.chunks(CHUNK).enumerate() {
        let offset = (n * CHUNK) as i64;
        let values: Vec<Vec<u8>> = chunk.iter().map(EmailRecord::to_json).collect();
        let batch = kafka_batch(&values, offset, kafka_time)?;
        let kafka = session.create_dataframe(&[batch])?;
        plan::bronze_unchecked(&plan::parse(&kafka), &settings)
            .write()
            .format("delta")
            .mode(SaveMode::Append)
            .partition_by(["event_date"])
            .save(bronze)
            .await?;
    }
    Ok(())
}

/// The rows Spark's Kafka source would give for these record `values` (value, topic,
/// partition, offset, timestamp). The calendar's seed ([`crate::jobs::stream::calendar::seed`])
/// uses it too.
pub(crate) fn kafka_batch(
    values: &[Vec<u8>],
    first_offset: i64,
    at: DateTime<Utc>,
) -> Result<RecordBatch> {
    let n = values.len();
    let micros = at.timestamp_micros();
    RecordBatch::try_from_iter([
        (
            "value",
            Arc::new(BinaryArray::from_iter_values(
                values.iter().map(Vec::as_slice),
            )) as ArrayRef,
        ),
        (
            "topic",
            Arc::new(StringArray::from(vec!["seed"; n])) as ArrayRef,
        ),
        (
            "partition",
            Arc::new(Int32Array::from(vec![0; n])) as ArrayRef,
        ),
        (
            "offset",
            Arc::new(Int64Array::from_iter_values(
                first_offset..first_offset + n as i64,
            )) as ArrayRef,
        ),
        (
            "timestamp",
            Arc::new(TimestampMicrosecondArray::from(vec![micros; n]).with_timezone("UTC"))
                as ArrayRef,
        ),
    ])
    .map_err(|e| Error::invalid(format!("bronze seed batch: {e}")))
}
