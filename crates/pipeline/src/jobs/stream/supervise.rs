//! Keeping a continuous `mindy stream` running through a restart of the Spark Connect server.
//!
//! A Connect server that restarts comes back without the queries the driver submitted: the
//! driver's next look at them fails with `Streaming query <id> is not found`, and while the
//! server is down every call fails at the transport once the client's own retries are spent.
//! Neither is a fault of the queries: their checkpoints (Kafka offsets, the Delta sinks'
//! transaction logs) make a resubmission exactly-once. So a run that ends that way is
//! resubmitted: the driver waits for the server (a new session that answers `SELECT 1`, with a
//! growing delay, logging that it waits), then starts every query again from its checkpoint.
//! Any other failure (a plan the server refuses, a Delta protocol error, a query stopped by
//! someone else) still ends the driver with its error.
//!
//! Spark stops a run of the same query still active on the server when it is started again
//! (`spark.sql.streaming.stopActiveRunOnRestart`, on by default), so a driver that only lost its
//! connection does not end up with two runs of one query.

use std::time::{Duration, Instant};

use spark_client::SparkSession;

use super::{run_once, StreamConfig, StreamReport};
use crate::shutdown::Shutdown;
use crate::{Error, Result};

/// The first wait before a resubmission; it doubles up to [`MAX_WAIT`].
const FIRST_WAIT: Duration = Duration::from_secs(1);
/// The longest wait between two looks at the Connect server.
const MAX_WAIT: Duration = Duration::from_secs(30);
/// A run that lasted this long before it was lost starts the waits from [`FIRST_WAIT`] again.
const HEALTHY_RUN: Duration = Duration::from_secs(300);

/// Runs the stream until `shutdown`, resubmitting its queries whenever a run is lost with the
/// Connect server ([`restartable`]). Returns the last run's report, or the first error that is
/// not a lost server.
pub async fn run(config: &StreamConfig, shutdown: &Shutdown) -> Result<StreamReport> {
    let mut restarts = 0u32;
    let mut wait = FIRST_WAIT;
    loop {
        let attempt = shutdown.child();
        let started = Instant::now();
        let result = run_once(config, &attempt, restarts).await;
        attempt.trigger();
        if shutdown.is_triggered() {
            return result;
        }
        let error = match result {
            Err(e) if restartable(&e) => e,
            Err(e) => return Err(e),
            // A continuous run ends without an error only on shutdown.
            Ok(_) => {
                return Err(Error::unexpected(
                    "spark",
                    "the stream's run ended without an error and without a shutdown",
                ))
            }
        };
        if started.elapsed() >= HEALTHY_RUN {
            wait = FIRST_WAIT;
        }
        restarts += 1;
        tracing::warn!(
            error = %error,
            restarts,
            remote = %config.spark.remote,
            "the stream lost Spark Connect; waiting for it to resubmit the queries from their checkpoints"
        );
        if !wait_for_connect(&config.spark.remote, &mut wait, shutdown).await {
            return Ok(StreamReport::default());
        }
        tracing::info!(restarts, "Spark Connect answers: resubmitting the queries");
    }
}

/// Waits until a new session on `remote` answers a query, the delay between two tries growing
/// from `wait` (left where it got to). Returns false when `shutdown` came first.
async fn wait_for_connect(remote: &str, wait: &mut Duration, shutdown: &Shutdown) -> bool {
    loop {
        if shutdown.sleep(*wait).await {
            return false;
        }
        *wait = (*wait * 2).min(MAX_WAIT);
        match answers(remote).await {
            Ok(()) => return true,
            Err(e) => {
                tracing::info!(error = %e, next_try_in_s = wait.as_secs(), "waiting for Spark Connect")
            }
        }
    }
}

/// Whether a fresh session on `remote` runs `SELECT 1` (one try: the caller does the waiting).
async fn answers(remote: &str) -> Result<()> {
    let session = SparkSession::builder()
        .remote(remote)
        .with_retry_policy(spark_client::RetryPolicy::none())
        .build()
        .await?;
    session.sql("SELECT 1").await?.collect().await?;
    Ok(())
}

/// Whether a run that failed with `error` can be resubmitted from its checkpoints: the Connect
/// server was unreachable after the client's retries, or it answered without the session, the
/// operation or the queries this run had (it restarted); or a query died because its cluster
/// went away (the SparkContext shut down, its executors lost) or Kafka could not be reached in
/// time. A plan refused by the server, a Delta error, or a query that stopped without an
/// exception (someone else stopped it) are not: retrying would fail the same way.
pub fn restartable(error: &Error) -> bool {
    if let Error::Spark(e) = error {
        if e.is_retriable() {
            return true;
        }
    }
    const LOST: [&str; 7] = [
        "INVALID_HANDLE.SESSION_NOT_FOUND",
        "INVALID_HANDLE.SESSION_CHANGED",
        "INVALID_HANDLE.OPERATION_NOT_FOUND",
        "SparkContext was shut down",
        "SparkContext has been shutdown",
        "ExecutorLostFailure",
        "org.apache.kafka.common.errors.TimeoutException",
    ];
    let text = error.to_string();
    (text.contains("Streaming query") && text.contains("is not found"))
        || LOST.iter().any(|sign| text.contains(sign))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_that_lost_the_queries_is_restartable_and_a_refused_plan_is_not() {
        // What Spark Connect 3.5 answers for a query id it does not know (a restarted server).
        let lost = Error::unexpected(
            "spark",
            "java.lang.IllegalArgumentException: Streaming query 0b8e6f5c-7d5e-4c59-9f0b-7d8e2a1f4c3d is not found",
        );
        assert!(restartable(&lost));
        let executors = Error::unexpected(
            "spark",
            "streaming query mindy_bronze failed: org.apache.spark.SparkException: Job aborted due to stage failure: \
             ExecutorLostFailure (executor 1 exited caused by one of the running tasks)",
        );
        assert!(restartable(&executors));
        let refused = Error::unexpected(
            "spark",
            "streaming query mindy_bronze failed: [DELTA_PROTOCOL_CHANGED] The protocol version of the Delta table has been changed",
        );
        assert!(!restartable(&refused));
        let stopped = Error::unexpected(
            "spark",
            "streaming query mindy_bronze failed: terminated while the stream was running",
        );
        assert!(!restartable(&stopped));
    }
}
