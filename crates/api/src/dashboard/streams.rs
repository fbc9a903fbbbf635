//! The streaming queries of `mindy stream`: the latest progress each recorded in PostgreSQL's
//! `stream_progress` (one row per query name, upserted every progress interval), with how often
//! the driver has resubmitted them after losing Spark Connect.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use sqlx::PgPool;
use utoipa::ToSchema;

/// Every query that has reported progress.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StreamsReport {
    /// One entry per query, by name.
    pub queries: Vec<StreamQuery>,
}

/// The latest progress of one streaming query.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StreamQuery {
    /// The query's name (`mindy_bronze`, `mindy_silver`, `mindy_calendar_changes`, ...).
    pub query_name: String,
    /// The query's id (stable across restarts: it lives in the checkpoint).
    pub query_id: String,
    /// The id of the run (new at every start or resubmission).
    pub run_id: String,
    /// The last micro-batch's id.
    pub batch_id: i64,
    /// Rows the last micro-batch read.
    pub num_input_rows: i64,
    /// Rows per second arriving at the source during the last micro-batch.
    pub input_rows_per_second: Option<f64>,
    /// Rows per second the last micro-batch processed.
    pub processed_rows_per_second: Option<f64>,
    /// How long the last micro-batch took, in milliseconds.
    pub batch_duration_ms: Option<i64>,
    /// The event-time watermark (RFC 3339), for queries with one.
    pub watermark: Option<String>,
    /// How often the driver has resubmitted its queries since it started (Spark Connect went
    /// away or came back without them).
    pub restarts: i32,
    /// When the progress was recorded (RFC 3339, UTC).
    pub updated_at: String,
}

/// The row as PostgreSQL returns it.
#[derive(sqlx::FromRow)]
struct Row {
    query_name: String,
    query_id: String,
    run_id: String,
    batch_id: i64,
    num_input_rows: i64,
    input_rows_per_second: Option<f64>,
    processed_rows_per_second: Option<f64>,
    batch_duration_ms: Option<i64>,
    watermark: Option<String>,
    restarts: i32,
    updated_at: DateTime<Utc>,
}

/// Every query's latest progress, by name.
pub async fn report(pool: &PgPool) -> Result<StreamsReport, sqlx::Error> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT query_name, query_id, run_id, batch_id, num_input_rows, input_rows_per_second, \
                processed_rows_per_second, batch_duration_ms, watermark, restarts, updated_at \
         FROM stream_progress ORDER BY query_name",
    )
    .fetch_all(pool)
    .await?;
    let queries = rows
        .into_iter()
        .map(|r| StreamQuery {
            query_name: r.query_name,
            query_id: r.query_id,
            run_id: r.run_id,
            batch_id: r.batch_id,
            num_input_rows: r.num_input_rows,
            input_rows_per_second: r.input_rows_per_second,
            processed_rows_per_second: r.processed_rows_per_second,
            batch_duration_ms: r.batch_duration_ms,
            watermark: r.watermark,
            restarts: r.restarts,
            updated_at: r.updated_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        })
        .collect();
    Ok(StreamsReport { queries })
}
