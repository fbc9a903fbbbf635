//! Typed streaming progress, decoded from the JSON Spark reports (`StreamingQueryProgress.json`).

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::errors::{Error, Result};

/// One micro-batch's progress report.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct StreamingQueryProgress {
    /// The query id (stable across restarts from the same checkpoint).
    pub id: String,
    /// The id of this run of the query.
    pub run_id: String,
    /// The query name, if one was given.
    #[serde(default)]
    pub name: Option<String>,
    /// When the trigger started (ISO-8601, UTC).
    pub timestamp: String,
    /// The micro-batch number.
    pub batch_id: i64,
    /// Wall time of the batch in ms (Spark 3.5 sends it; older servers only `durationMs`).
    #[serde(default)]
    pub batch_duration: Option<i64>,
    /// Rows read in this batch from all sources. Spark's JSON leaves the totals out (PySpark
    /// sums the sources); [`from_json`](Self::from_json) does the same when they are absent.
    #[serde(default)]
    pub num_input_rows: i64,
    /// Input rate over all sources, rows per second (None when undefined, e.g. the first batch).
    #[serde(default)]
    pub input_rows_per_second: Option<f64>,
    /// Processing rate over all sources, rows per second.
    #[serde(default)]
    pub processed_rows_per_second: Option<f64>,
    /// Time spent per phase in ms (`triggerExecution`, `addBatch`, `getBatch`, `queryPlanning`, ...).
    #[serde(default)]
    pub duration_ms: BTreeMap<String, i64>,
    /// Event-time statistics (`min`, `max`, `avg`, `watermark`), when the query has an event time.
    #[serde(default)]
    pub event_time: BTreeMap<String, String>,
    /// Stateful operators' state sizes.
    #[serde(default)]
    pub state_operators: Vec<StateOperatorProgress>,
    /// Per-source progress, offsets included.
    #[serde(default)]
    pub sources: Vec<SourceProgress>,
    /// The sink's progress.
    #[serde(default)]
    pub sink: Option<SinkProgress>,
}

/// Progress of one source in a micro-batch.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SourceProgress {
    /// e.g. `KafkaV2[Subscribe[events]]`.
    pub description: String,
    /// Offsets at the batch start (source-specific JSON; Kafka: `{"topic":{"0":42}}`).
    #[serde(default)]
    pub start_offset: Option<serde_json::Value>,
    /// Offsets at the batch end.
    #[serde(default)]
    pub end_offset: Option<serde_json::Value>,
    /// The latest offsets available at the source.
    #[serde(default)]
    pub latest_offset: Option<serde_json::Value>,
    /// Rows read from this source.
    #[serde(default)]
    pub num_input_rows: i64,
    /// Input rate of this source.
    #[serde(default)]
    pub input_rows_per_second: Option<f64>,
    /// Processing rate of this source.
    #[serde(default)]
    pub processed_rows_per_second: Option<f64>,
    /// Source-specific metrics (Kafka: `avgOffsetsBehindLatest`, ...).
    #[serde(default)]
    pub metrics: BTreeMap<String, String>,
}

/// Progress of the sink in a micro-batch.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SinkProgress {
    /// e.g. `DeltaSink[/lake/events]`.
    pub description: String,
    /// Rows written (-1 when the sink does not report it).
    #[serde(default)]
    pub num_output_rows: i64,
}

/// State of one stateful operator (aggregation, deduplication, join).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct StateOperatorProgress {
    /// e.g. `stateStoreSave`.
    #[serde(default)]
    pub operator_name: String,
    /// Rows kept in state.
    #[serde(default)]
    pub num_rows_total: i64,
    /// Rows updated in this batch.
    #[serde(default)]
    pub num_rows_updated: i64,
    /// Rows removed from state in this batch (e.g. windows past the watermark).
    #[serde(default)]
    pub num_rows_removed: i64,
    /// Rows dropped because they arrived after the watermark.
    #[serde(default)]
    pub num_rows_dropped_by_watermark: i64,
    /// Memory used by the state store.
    #[serde(default)]
    pub memory_used_bytes: i64,
}

impl StreamingQueryProgress {
    /// Parses one progress JSON document, filling the totals from the sources when absent.
    pub fn from_json(json: &str) -> Result<StreamingQueryProgress> {
        let raw: serde_json::Value = serde_json::from_str(json).map_err(Error::json)?;
        let has = |key: &str| raw.get(key).is_some_and(|v| !v.is_null());
        let (has_rows, has_in, has_proc) = (
            has("numInputRows"),
            has("inputRowsPerSecond"),
            has("processedRowsPerSecond"),
        );
        let mut p: StreamingQueryProgress = serde_json::from_value(raw).map_err(Error::json)?;
        for source in &mut p.sources {
            for offset in [
                &mut source.start_offset,
                &mut source.end_offset,
                &mut source.latest_offset,
            ] {
                unquote_json(offset);
            }
        }
        if !has_rows {
            p.num_input_rows = p.sources.iter().map(|s| s.num_input_rows).sum();
        }
        if !has_in {
            p.input_rows_per_second = sum_rates(p.sources.iter().map(|s| s.input_rows_per_second));
        }
        if !has_proc {
            p.processed_rows_per_second =
                sum_rates(p.sources.iter().map(|s| s.processed_rows_per_second));
        }
        Ok(p)
    }

    /// Wall time of the batch in ms (`batchDuration`, else `durationMs.triggerExecution`).
    pub fn batch_duration_ms(&self) -> Option<i64> {
        self.batch_duration
            .or_else(|| self.duration_ms.get("triggerExecution").copied())
    }

    /// The event-time watermark after this batch, if the query has one.
    pub fn watermark(&self) -> Option<&str> {
        self.event_time.get("watermark").map(String::as_str)
    }
}

/// Spark 3.5 sends some offsets (Kafka's) as a JSON document inside a string; parse it so callers
/// can index it (`end_offset["topic"]["0"]`). Plain strings (the rate source's `"2"`) stay.
fn unquote_json(offset: &mut Option<serde_json::Value>) {
    if let Some(serde_json::Value::String(text)) = offset {
        if text.starts_with('{') || text.starts_with('[') {
            if let Ok(parsed) = serde_json::from_str(text) {
                *offset = Some(parsed);
            }
        }
    }
}

fn sum_rates(rates: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    rates.fold(None, |acc, r| match (acc, r) {
        (None, r) => r,
        (Some(a), Some(r)) => Some(a + r),
        (a, None) => a,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const KAFKA_PROGRESS: &str = r#"{
      "id" : "6f3c6a2e-6a3c-4c43-9a5a-1d3c1e0e7c11",
      "runId" : "0b6c1a9e-3d0f-4bb5-8e0c-3a0c7e0d9f12",
      "name" : "events_to_delta",
      "timestamp" : "2024-05-01T10:00:00.000Z",
      "batchId" : 3,
      "numInputRows" : 120,
      "inputRowsPerSecond" : 12.0,
      "processedRowsPerSecond" : 240.5,
      "durationMs" : { "addBatch" : 400, "triggerExecution" : 499 },
      "eventTime" : { "max" : "2024-05-01T09:59:00.000Z", "watermark" : "2024-05-01T09:49:00.000Z" },
      "stateOperators" : [ { "operatorName" : "stateStoreSave", "numRowsTotal" : 5, "numRowsUpdated" : 2,
                             "numRowsRemoved" : 1, "numRowsDroppedByWatermark" : 0, "memoryUsedBytes" : 1024,
                             "customMetrics" : { "loadedMapCacheHitCount" : 0 } } ],
      "sources" : [ {
        "description" : "KafkaV2[Subscribe[events]]",
        "startOffset" : { "events" : { "0" : 10 } },
        "endOffset" : { "events" : { "0" : 130 } },
        "latestOffset" : { "events" : { "0" : 130 } },
        "numInputRows" : 120,
        "inputRowsPerSecond" : 12.0,
        "processedRowsPerSecond" : 240.5,
        "metrics" : { "avgOffsetsBehindLatest" : "0.0" }
      } ],
      "sink" : { "description" : "DeltaSink[/lake/events]", "numOutputRows" : -1 }
    }"#;

    #[test]
    fn parses_kafka_progress() {
        let p = StreamingQueryProgress::from_json(KAFKA_PROGRESS).unwrap();
        assert_eq!(p.batch_id, 3);
        assert_eq!(p.name.as_deref(), Some("events_to_delta"));
        assert_eq!(p.batch_duration_ms(), Some(499));
        assert_eq!(p.processed_rows_per_second, Some(240.5));
        assert_eq!(p.watermark(), Some("2024-05-01T09:49:00.000Z"));
        assert_eq!(
            p.sources[0].end_offset.as_ref().unwrap()["events"]["0"],
            130
        );
        assert_eq!(p.state_operators[0].num_rows_removed, 1);
        assert_eq!(p.sink.unwrap().num_output_rows, -1);
    }

    #[test]
    fn totals_come_from_the_sources_when_absent() {
        // The shape Spark 3.5 sends: no top-level numInputRows or rates.
        let p = StreamingQueryProgress::from_json(
            r#"{"id":"a","runId":"b","name":"q","timestamp":"t","batchId":2,"batchDuration":172,
                "durationMs":{"triggerExecution":172},"eventTime":{},"stateOperators":[],
                "sources":[{"description":"RateStreamV2","startOffset":"1","endOffset":"2",
                  "numInputRows":100,"inputRowsPerSecond":200.5,"processedRowsPerSecond":581.0},
                  {"description":"other","numInputRows":5}],
                "sink":{"description":"MemorySink","numOutputRows":105}}"#,
        )
        .unwrap();
        assert_eq!(p.num_input_rows, 105);
        assert_eq!(p.input_rows_per_second, Some(200.5));
        assert_eq!(p.processed_rows_per_second, Some(581.0));
        assert_eq!(p.batch_duration_ms(), Some(172));
        assert_eq!(p.sources[0].end_offset, Some(serde_json::json!("2")));
        let kafka = StreamingQueryProgress::from_json(
            r#"{"id":"a","runId":"b","timestamp":"t","batchId":0,
                "sources":[{"description":"KafkaV2","endOffset":"{\"t\":{\"0\":45}}"}]}"#,
        )
        .unwrap();
        assert_eq!(kafka.sources[0].end_offset.as_ref().unwrap()["t"]["0"], 45);
    }

    #[test]
    fn tolerates_missing_rates() {
        let p = StreamingQueryProgress::from_json(
            r#"{"id":"a","runId":"b","name":null,"timestamp":"t","batchId":0,"numInputRows":0,
                "durationMs":{},"sources":[],"sink":{"description":"x"}}"#,
        )
        .unwrap();
        assert_eq!(p.input_rows_per_second, None);
        assert!(p.name.is_none());
    }
}
