//! Watching the running queries: progress to the log, to Prometheus ([`super::metrics`]) and to
//! PostgreSQL's `stream_progress` (for the dashboard), termination, and failures surfaced as
//! errors so a supervisor restarts the job.

use std::time::{Duration, Instant};

use spark_client::streaming::{StreamingQuery, StreamingQueryProgress};
use sqlx::postgres::{PgPool, PgPoolOptions};

use crate::shutdown::Shutdown;
use crate::Result;

/// How often termination is checked; progress is logged at the configured, slower interval.
const POLL: Duration = Duration::from_millis(500);

/// A query stopped with an exception.
#[derive(Debug, thiserror::Error)]
#[error("streaming query {query} failed: {message}")]
pub struct QueryFailed {
    /// The query's name.
    pub query: String,
    /// Spark's exception message.
    pub message: String,
}

/// Logs and records progress of a set of queries.
pub struct Monitor {
    interval: Duration,
    db: Option<PgPool>,
    /// How often the driver has resubmitted the queries since it started ([`super::supervise`]).
    restarts: u32,
}

impl Monitor {
    /// A monitor logging every `interval`, recording to PostgreSQL when `database_url` is given
    /// (connected when first used: the dashboard's table is not worth failing the stream for, so
    /// a PostgreSQL that is down or restarting costs log lines, not the stream). `restarts` is
    /// recorded with each query's progress.
    pub fn new(interval: Duration, database_url: Option<&str>, restarts: u32) -> Result<Self> {
        let db = match database_url {
            Some(url) => Some(
                PgPoolOptions::new()
                    .max_connections(1)
                    .acquire_timeout(Duration::from_secs(3))
                    .connect_lazy(url)?,
            ),
            None => None,
        };
        Ok(Monitor {
            interval,
            db,
            restarts,
        })
    }

    /// Returns when every query has terminated (available-now), or on shutdown.
    pub async fn watch_until_done(
        &self,
        queries: &[StreamingQuery],
        shutdown: &Shutdown,
    ) -> Result<()> {
        self.watch(queries, shutdown, true).await
    }

    /// Returns on shutdown; a query that terminates before is an error.
    pub async fn watch_until(&self, queries: &[StreamingQuery], shutdown: &Shutdown) -> Result<()> {
        self.watch(queries, shutdown, false).await
    }

    async fn watch(
        &self,
        queries: &[StreamingQuery],
        shutdown: &Shutdown,
        until_done: bool,
    ) -> Result<()> {
        let mut last_log = Instant::now();
        loop {
            let mut active = 0;
            for query in queries {
                if query.is_active().await? {
                    active += 1;
                } else {
                    fail_if_failed(query).await?;
                    if !until_done {
                        return Err(QueryFailed {
                            query: name(query),
                            message: "terminated while the stream was running".into(),
                        }
                        .into());
                    }
                }
            }
            if last_log.elapsed() >= self.interval || active == 0 {
                self.log_progress(queries).await?;
                last_log = Instant::now();
            }
            if active == 0 && until_done {
                return Ok(());
            }
            tokio::select! {
                _ = tokio::time::sleep(POLL) => {}
                _ = shutdown.wait() => {
                    tracing::info!("shutdown requested: stopping the queries");
                    return Ok(());
                }
            }
        }
    }

    /// Errors when a query has terminated with an exception.
    pub async fn check_alive(&self, queries: &[StreamingQuery]) -> Result<()> {
        for query in queries {
            if !query.is_active().await? {
                fail_if_failed(query).await?;
            }
        }
        Ok(())
    }

    async fn log_progress(&self, queries: &[StreamingQuery]) -> Result<()> {
        for query in queries {
            let recent = query.recent_progress().await?;
            super::metrics::get().observe(&name(query), &recent);
            let Some(progress) = recent.into_iter().max_by_key(|p| p.batch_id) else {
                continue;
            };
            tracing::info!(
                query = %name(query),
                batch = progress.batch_id,
                input_rows = progress.num_input_rows,
                input_rows_per_s = progress.input_rows_per_second.unwrap_or(0.0),
                processed_rows_per_s = progress.processed_rows_per_second.unwrap_or(0.0),
                batch_ms = progress.batch_duration_ms().unwrap_or(0),
                watermark = progress.watermark().unwrap_or("-"),
                "progress"
            );
            if let Some(db) = &self.db {
                if let Err(e) = record(db, &name(query), &progress, self.restarts).await {
                    tracing::warn!(query = %name(query), error = %e, "recording the progress in PostgreSQL failed; the stream goes on");
                }
            }
        }
        Ok(())
    }
}

fn name(query: &StreamingQuery) -> String {
    query.name().unwrap_or(query.id()).to_string()
}

/// Where Spark's exception message goes on from the cause to the query's ids, offsets and plan.
const DETAILS: &str = "\n=== Streaming Query ===";

/// The cause part of a query exception's message: what the error says; the rest goes to the log.
fn cause(message: &str) -> &str {
    message.split(DETAILS).next().unwrap_or(message).trim_end()
}

async fn fail_if_failed(query: &StreamingQuery) -> Result<()> {
    match query.exception().await? {
        Some(e) => {
            let class = e.error_class.map(|c| format!("[{c}] ")).unwrap_or_default();
            let short = cause(&e.message);
            let message = if short.len() < e.message.len() {
                tracing::error!(query = %name(query), details = %e.message, "streaming query failed");
                format!("{class}{short} (the query's offsets and plan are logged above)")
            } else {
                format!("{class}{}", e.message)
            };
            Err(QueryFailed {
                query: name(query),
                message,
            }
            .into())
        }
        None => Ok(()),
    }
}

/// Upserts the query's latest progress (one row per query name).
async fn record(db: &PgPool, query: &str, p: &StreamingQueryProgress, restarts: u32) -> Result<()> {
    sqlx::query(
        "INSERT INTO stream_progress (query_name, query_id, run_id, batch_id, num_input_rows, \
             input_rows_per_second, processed_rows_per_second, batch_duration_ms, watermark, restarts, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now()) \
         ON CONFLICT (query_name) DO UPDATE SET query_id = EXCLUDED.query_id, run_id = EXCLUDED.run_id, \
             batch_id = EXCLUDED.batch_id, num_input_rows = EXCLUDED.num_input_rows, \
             input_rows_per_second = EXCLUDED.input_rows_per_second, \
             processed_rows_per_second = EXCLUDED.processed_rows_per_second, \
             batch_duration_ms = EXCLUDED.batch_duration_ms, watermark = EXCLUDED.watermark, \
             restarts = EXCLUDED.restarts, updated_at = now()",
    )
    .bind(query)
    .bind(&p.id)
    .bind(&p.run_id)
    .bind(p.batch_id)
    .bind(p.num_input_rows)
    .bind(p.input_rows_per_second)
    .bind(p.processed_rows_per_second)
    .bind(p.batch_duration_ms())
    .bind(p.watermark())
    .bind(i32::try_from(restarts).unwrap_or(i32::MAX))
    .execute(db)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_exception_is_cut_to_its_cause_before_the_plan() {
        let spark = "org.apache.spark.sql.streaming.StreamingQueryException: \
            org.apache.kafka.common.errors.UnknownTopicOrPartitionException: This server does not host \
            this topic-partition.\n=== Streaming Query ===\nIdentifier: mindy_bronze [id = 1]\n\
            Current Optimized Plan:\nWriteToMicroBatchDataSourceV1 ...";
        assert_eq!(
            cause(spark),
            "org.apache.spark.sql.streaming.StreamingQueryException: \
             org.apache.kafka.common.errors.UnknownTopicOrPartitionException: This server does not \
             host this topic-partition."
        );
        assert_eq!(cause("no plan here"), "no plan here");
    }
}
