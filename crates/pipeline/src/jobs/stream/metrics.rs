//! The streaming driver's Prometheus metrics, from Spark's query progress (`StreamingQueryProgress`,
//! the JSON Spark reports after each micro-batch), labelled by query name (`bronze`,
//! `quarantine`, `silver`, `calendar_bronze`, …).
//!
//! Counters add up every micro-batch the driver has seen a progress report of (the monitor reads
//! Spark's recent progress, up to its last 100 batches, at each `--progress-interval`, and counts
//! each query id's batch id once, so a batch re-run after a restart counts once); gauges hold the
//! latest batch. Batches that completed just before a lost Connect server and were not read yet
//! are not counted: the counters are a floor, the lake the truth. Names and units follow Prometheus' conventions
//! (`_total` counters, `_seconds`, `_timestamp_seconds`).
//!
//! | metric | kind | from the progress |
//! |---|---|---|
//! | `mindy_stream_batches_total` | counter | one per batch id |
//! | `mindy_stream_input_rows_total` | counter | `numInputRows` |
//! | `mindy_stream_output_rows_total` | counter | `sink.numOutputRows` (when the sink reports it) |
//! | `mindy_stream_late_rows_dropped_total` | counter | `stateOperators[].numRowsDroppedByWatermark`: mail too late for silver's windows (it stays in bronze) |
//! | `mindy_stream_batch_id` | gauge | `batchId` |
//! | `mindy_stream_batch_duration_seconds` | gauge | `batchDuration` |
//! | `mindy_stream_input_rows_per_second` | gauge | `inputRowsPerSecond` |
//! | `mindy_stream_processed_rows_per_second` | gauge | `processedRowsPerSecond` |
//! | `mindy_stream_offsets_behind_latest` | gauge | the Kafka sources' `maxOffsetsBehindLatest` (the stream's lag) |
//! | `mindy_stream_state_rows` | gauge | `stateOperators[].numRowsTotal` |
//! | `mindy_stream_watermark_timestamp_seconds` | gauge | `eventTime.watermark` |
//! | `mindy_stream_last_progress_timestamp_seconds` | gauge | `timestamp` (when the batch started) |
//! | `mindy_stream_restarts_total` | counter | resubmissions after a lost Connect server (no label) |

use std::collections::HashMap;
use std::sync::atomic::AtomicU64;
use std::sync::{LazyLock, Mutex};

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use spark_client::streaming::StreamingQueryProgress;

/// The `query` label.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct QueryLabels {
    query: String,
}

type Counters = Family<QueryLabels, Counter>;
type Gauges = Family<QueryLabels, Gauge<f64, AtomicU64>>;

/// The driver's metric families, registered in [`crate::metrics::registry`] when first used.
pub struct StreamMetrics {
    batches: Counters,
    input_rows: Counters,
    output_rows: Counters,
    late_rows: Counters,
    batch_id: Gauges,
    batch_duration: Gauges,
    input_rate: Gauges,
    processed_rate: Gauges,
    behind: Gauges,
    state_rows: Gauges,
    watermark: Gauges,
    progress_time: Gauges,
    restarts: Counter,
    /// The last batch id counted, by query id (stable across runs from one checkpoint; two
    /// queries of one name in one process, as in the tests, count apart).
    counted: Mutex<HashMap<String, i64>>,
}

static METRICS: LazyLock<StreamMetrics> = LazyLock::new(StreamMetrics::registered);

/// The process's stream metrics.
pub fn get() -> &'static StreamMetrics {
    &METRICS
}

impl StreamMetrics {
    fn registered() -> StreamMetrics {
        let m = StreamMetrics {
            batches: Counters::default(),
            input_rows: Counters::default(),
            output_rows: Counters::default(),
            late_rows: Counters::default(),
            batch_id: Gauges::default(),
            batch_duration: Gauges::default(),
            input_rate: Gauges::default(),
            processed_rate: Gauges::default(),
            behind: Gauges::default(),
            state_rows: Gauges::default(),
            watermark: Gauges::default(),
            progress_time: Gauges::default(),
            restarts: Counter::default(),
            counted: Mutex::new(HashMap::new()),
        };
        let mut r = crate::metrics::registry();
        // prometheus_client appends `_total` to counters.
        r.register(
            "mindy_stream_batches",
            "Micro-batches completed, by query.",
            m.batches.clone(),
        );
        r.register(
            "mindy_stream_input_rows",
            "Rows read by the query's micro-batches.",
            m.input_rows.clone(),
        );
        r.register(
            "mindy_stream_output_rows",
            "Rows written by the query's sink (when the sink reports it).",
            m.output_rows.clone(),
        );
        r.register(
            "mindy_stream_late_rows_dropped",
            "Rows dropped by the query's watermark: too late for its windows (kept in bronze).",
            m.late_rows.clone(),
        );
        r.register(
            "mindy_stream_batch_id",
            "The query's latest micro-batch id.",
            m.batch_id.clone(),
        );
        r.register(
            "mindy_stream_batch_duration_seconds",
            "Wall time of the query's latest micro-batch.",
            m.batch_duration.clone(),
        );
        r.register(
            "mindy_stream_input_rows_per_second",
            "Arrival rate of the query's latest micro-batch.",
            m.input_rate.clone(),
        );
        r.register(
            "mindy_stream_processed_rows_per_second",
            "Processing rate of the query's latest micro-batch.",
            m.processed_rate.clone(),
        );
        r.register(
            "mindy_stream_offsets_behind_latest",
            "Kafka records the query is behind the latest offsets (max over its partitions).",
            m.behind.clone(),
        );
        r.register(
            "mindy_stream_state_rows",
            "Rows the query keeps in its state stores.",
            m.state_rows.clone(),
        );
        r.register(
            "mindy_stream_watermark_timestamp_seconds",
            "The query's event-time watermark, as Unix time.",
            m.watermark.clone(),
        );
        r.register(
            "mindy_stream_last_progress_timestamp_seconds",
            "When the query's latest micro-batch started, as Unix time.",
            m.progress_time.clone(),
        );
        r.register(
            "mindy_stream_restarts",
            "Resubmissions of the queries after the Spark Connect server was lost.",
            m.restarts.clone(),
        );
        drop(r);
        m
    }

    /// Counts one resubmission of the queries.
    pub fn restarted(&self) {
        self.restarts.inc();
    }

    /// Records `query`'s recent progress (oldest first): counters for each batch not counted
    /// before, gauges from the newest.
    pub fn observe(&self, query: &str, recent: &[StreamingQueryProgress]) {
        let labels = QueryLabels {
            query: query.to_string(),
        };
        {
            let mut ordered: Vec<&StreamingQueryProgress> = recent.iter().collect();
            ordered.sort_by_key(|p| p.batch_id);
            let mut counted = self.counted.lock().unwrap_or_else(|e| e.into_inner());
            for p in ordered {
                let last = counted.entry(p.id.clone()).or_insert(-1);
                if p.batch_id <= *last {
                    continue;
                }
                self.batches.get_or_create(&labels).inc();
                self.input_rows
                    .get_or_create(&labels)
                    .inc_by(non_negative(p.num_input_rows));
                if let Some(sink) = &p.sink {
                    self.output_rows
                        .get_or_create(&labels)
                        .inc_by(non_negative(sink.num_output_rows));
                }
                let late: i64 = p
                    .state_operators
                    .iter()
                    .map(|s| s.num_rows_dropped_by_watermark)
                    .sum();
                self.late_rows
                    .get_or_create(&labels)
                    .inc_by(non_negative(late));
                *last = p.batch_id;
            }
        }
        let Some(p) = recent.iter().max_by_key(|p| p.batch_id) else {
            return;
        };
        self.batch_id.get_or_create(&labels).set(p.batch_id as f64);
        if let Some(ms) = p.batch_duration_ms() {
            self.batch_duration
                .get_or_create(&labels)
                .set(ms as f64 / 1000.0);
        }
        self.input_rate
            .get_or_create(&labels)
            .set(p.input_rows_per_second.unwrap_or(0.0));
        self.processed_rate
            .get_or_create(&labels)
            .set(p.processed_rows_per_second.unwrap_or(0.0));
        let behind = p
            .sources
            .iter()
            .filter_map(|s| s.metrics.get("maxOffsetsBehindLatest"))
            .filter_map(|v| v.parse::<f64>().ok())
            .fold(None, |max: Option<f64>, v| {
                Some(max.map_or(v, |m| m.max(v)))
            });
        if let Some(behind) = behind {
            self.behind.get_or_create(&labels).set(behind);
        }
        if !p.state_operators.is_empty() {
            let rows: i64 = p.state_operators.iter().map(|s| s.num_rows_total).sum();
            self.state_rows.get_or_create(&labels).set(rows as f64);
        }
        // Before its first event, a query reports the epoch as its watermark: no watermark yet.
        if let Some(t) = p.watermark().and_then(unix_seconds).filter(|t| *t > 0.0) {
            self.watermark.get_or_create(&labels).set(t);
        }
        if let Some(t) = unix_seconds(&p.timestamp) {
            self.progress_time.get_or_create(&labels).set(t);
        }
    }
}

fn non_negative(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// Spark's progress timestamps (`2026-11-29T10:00:05.123Z`) as Unix seconds.
fn unix_seconds(timestamp: &str) -> Option<f64> {
    chrono::DateTime::parse_from_rfc3339(timestamp)
        .ok()
        .map(|t| t.timestamp_millis() as f64 / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn progress(batch: i64, rows: i64, dropped: i64) -> StreamingQueryProgress {
        StreamingQueryProgress::from_json(&format!(
            r#"{{"id":"q","runId":"r","name":"silver","timestamp":"2026-11-29T10:00:05.500Z",
               "batchId":{batch},"numInputRows":{rows},"inputRowsPerSecond":2.0,"processedRowsPerSecond":4.0,
               "durationMs":{{"triggerExecution":1500}},"eventTime":{{"watermark":"2026-11-29T08:00:00.000Z"}},
               "stateOperators":[{{"operatorName":"stateStoreSave","numRowsTotal":7,"numRowsUpdated":1,
                 "numRowsRemoved":0,"numRowsDroppedByWatermark":{dropped},"memoryUsedBytes":10}}],
               "sources":[{{"description":"KafkaV2","numInputRows":{rows},
                 "metrics":{{"maxOffsetsBehindLatest":"12","avgOffsetsBehindLatest":"6.0"}}}}],
               "sink":{{"description":"DeltaSink","numOutputRows":{rows}}}}}"#
        ))
        .unwrap()
    }

    fn line<'a>(page: &'a str, prefix: &str) -> &'a str {
        page.lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix} in\n{page}"))
    }

    #[test]
    fn each_batch_counts_once_and_gauges_hold_the_newest() {
        let m = get();
        let q = "test_each_batch_counts_once";
        m.observe(q, &[progress(3, 10, 1), progress(4, 5, 2)]);
        // The next look overlaps the last: batch 4 is not counted again.
        m.observe(q, &[progress(4, 5, 2), progress(5, 1, 0)]);
        m.observe(q, &[]);
        let page = crate::metrics::render_registry();
        let l = format!("{{query=\"{q}\"}}");
        assert_eq!(
            line(&page, &format!("mindy_stream_batches_total{l}")),
            format!("mindy_stream_batches_total{l} 3")
        );
        assert!(line(&page, &format!("mindy_stream_input_rows_total{l}")).ends_with(" 16"));
        assert!(line(&page, &format!("mindy_stream_output_rows_total{l}")).ends_with(" 16"));
        assert!(line(&page, &format!("mindy_stream_late_rows_dropped_total{l}")).ends_with(" 3"));
        assert!(line(&page, &format!("mindy_stream_batch_id{l}")).ends_with(" 5.0"));
        assert!(line(&page, &format!("mindy_stream_batch_duration_seconds{l}")).ends_with(" 1.5"));
        assert!(line(&page, &format!("mindy_stream_offsets_behind_latest{l}")).ends_with(" 12.0"));
        assert!(line(&page, &format!("mindy_stream_state_rows{l}")).ends_with(" 7.0"));
        let watermark = chrono::DateTime::parse_from_rfc3339("2026-11-29T08:00:00Z")
            .unwrap()
            .timestamp();
        assert!(line(
            &page,
            &format!("mindy_stream_watermark_timestamp_seconds{l}")
        )
        .ends_with(&format!(" {watermark}.0")));
        assert!(line(
            &page,
            &format!("mindy_stream_last_progress_timestamp_seconds{l}")
        )
        .ends_with(".5"));
        assert!(
            page.contains("# TYPE mindy_stream_restarts counter"),
            "{page}"
        );
    }
}
