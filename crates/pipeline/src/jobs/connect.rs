//! Long-running jobs and a Spark Connect server that restarts: telling a lost server from a
//! failed plan ([`restartable`]), waiting for it to come back ([`wait_for`]), and noticing that
//! the server no longer holds a session's state ([`SessionMark`]).
//!
//! A Spark 3.5 Connect server keeps each session's state (settings, temporary views, streaming
//! queries) in memory. When it restarts, a client that reuses its session id gets a new, empty
//! session under the same id without being told: settings such as the session's timezone are
//! back to their defaults, temporary views are gone. So after a lost server, a job starts over
//! with a new session of its own rather than carrying on with the old one.

use std::time::Duration;

use spark_client::SparkSession;

use crate::shutdown::Shutdown;
use crate::{Error, Result};

/// The first wait before a new try; it doubles up to [`MAX_WAIT`].
pub const FIRST_WAIT: Duration = Duration::from_secs(1);
/// The longest wait between two looks at the Connect server.
pub const MAX_WAIT: Duration = Duration::from_secs(30);

/// The message of the error [`SessionMark::check`] returns (one of [`restartable`]'s signs).
const SESSION_RESET: &str = "the Spark Connect server no longer holds this session";

/// Whether a job that failed with `error` can start over on a new session: the Connect server
/// was unreachable after the client's retries, or it answered without the session, the
/// operation or the queries the job had (it restarted); or a query died because its cluster
/// went away (the SparkContext shut down, its executors lost) or Kafka could not be reached in
/// time. A plan refused by the server, a Delta error, or a streaming query stopped without an
/// exception (someone else stopped it) are not: starting over would fail the same way.
pub fn restartable(error: &Error) -> bool {
    if let Error::Spark(e) = error {
        if e.is_retriable() {
            return true;
        }
    }
    const LOST: [&str; 9] = [
        SESSION_RESET,
        "INVALID_HANDLE.SESSION_NOT_FOUND",
        "INVALID_HANDLE.SESSION_CHANGED",
        "INVALID_HANDLE.OPERATION_NOT_FOUND",
        "SparkContext was shut down",
        "SparkContext has been shutdown",
        // A batch that was being planned when the server stopped (seen in CI, 2 Dec 2026).
        "Cannot call methods on a stopped SparkContext",
        "ExecutorLostFailure",
        "org.apache.kafka.common.errors.TimeoutException",
    ];
    let text = error.to_string();
    // What Spark Connect 3.5 answers for a streaming query id it does not know.
    (text.contains("Streaming query") && text.contains("is not found"))
        || LOST.iter().any(|sign| text.contains(sign))
}

/// Waits until a new session on `remote` answers a query, the delay between two tries growing
/// from `wait` (left where it got to, for the caller's next wait). Returns false when
/// `shutdown` came first.
pub async fn wait_for(remote: &str, wait: &mut Duration, shutdown: &Shutdown) -> bool {
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

/// A random value kept in a session's settings: while the server returns it, the server still
/// holds the session as the job set it up.
#[derive(Debug, Clone)]
pub struct SessionMark {
    value: String,
}

impl SessionMark {
    /// The setting that holds the mark.
    pub const KEY: &'static str = "spark.mindy.session.mark";

    /// Sets a new mark in `session`.
    pub async fn set(session: &SparkSession) -> Result<SessionMark> {
        let value = uuid::Uuid::new_v4().to_string();
        session.conf().set(Self::KEY, &value).await?;
        Ok(SessionMark { value })
    }

    /// Errors (restartably) when the server does not hold the session as it was set up, or
    /// cannot be asked.
    pub async fn check(&self, session: &SparkSession) -> Result<()> {
        match session.conf().get_option(Self::KEY).await? {
            Some(value) if value == self.value => Ok(()),
            _ => Err(Error::unexpected("spark", SESSION_RESET)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_that_lost_the_queries_is_restartable_and_a_refused_plan_is_not() {
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
        let context_stopped = Error::unexpected(
            "spark",
            "streaming query mindy_bronze failed: [STREAM_FAILED] org.apache.spark.sql.streaming.StreamingQueryException: \
             Job aborted due to stage failure: Task serialization failed: java.lang.IllegalStateException: \
             Cannot call methods on a stopped SparkContext.",
        );
        assert!(restartable(&context_stopped));
        assert!(restartable(&Error::unexpected("spark", SESSION_RESET)));
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
