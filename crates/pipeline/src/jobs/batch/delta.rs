//! Writing Delta tables that other jobs write too: tables created before their first write, and
//! Delta's optimistic-concurrency conflicts retried with a short backoff.
//!
//! Delta commits optimistically: two writers that commit at once are checked against each other,
//! and the loser fails with one of `io.delta.exceptions.*` (`ConcurrentAppendException`,
//! `ProtocolChangedException`, …). Jobs for different days replace disjoint partitions of the
//! same table, so they rarely conflict; when they do (most often two writers creating a table in
//! an empty directory: "multiple writers are writing to an empty directory"), doing the same work
//! again on the new table version succeeds. Retrying here takes seconds; failing into Airflow's
//! retry took five minutes.

use std::future::Future;
use std::time::Duration;

use spark_client::SparkSession;

use crate::{Error, Result};

/// Spark error classes of Delta's concurrent-modification exceptions
/// (`DeltaConcurrentModificationException` and its subclasses, Delta 3.x).
const CONFLICT_CLASSES: &[&str] = &[
    "DELTA_CONCURRENT_APPEND",
    "DELTA_CONCURRENT_DELETE_DELETE",
    "DELTA_CONCURRENT_DELETE_READ",
    "DELTA_CONCURRENT_TRANSACTION",
    "DELTA_CONCURRENT_WRITE",
    "DELTA_METADATA_CHANGED",
    "DELTA_PROTOCOL_CHANGED",
];

/// JVM classes of the same exceptions, for servers that send the class but no error class.
const CONFLICT_EXCEPTIONS: &[&str] = &[
    "io.delta.exceptions.ConcurrentAppendException",
    "io.delta.exceptions.ConcurrentDeleteDeleteException",
    "io.delta.exceptions.ConcurrentDeleteReadException",
    "io.delta.exceptions.ConcurrentTransactionException",
    "io.delta.exceptions.ConcurrentWriteException",
    "io.delta.exceptions.MetadataChangedException",
    "io.delta.exceptions.ProtocolChangedException",
];

/// Backoff before each retry of a conflicting write: 0.5 s doubling to 8 s, about 30 s in all,
/// each delay plus up to 50% jitter so two losers do not collide again.
const BACKOFF: &[Duration] = &[
    Duration::from_millis(500),
    Duration::from_secs(1),
    Duration::from_secs(2),
    Duration::from_secs(4),
    Duration::from_secs(8),
    Duration::from_secs(8),
];

/// True when `error` is a Delta concurrent-modification conflict (worth redoing the write).
pub fn is_conflict(error: &Error) -> bool {
    let Error::Spark(spark) = error else {
        return false;
    };
    let Some(server) = spark.server() else {
        return false;
    };
    let class = server.error_class().unwrap_or("");
    CONFLICT_CLASSES.contains(&class)
        || server
            .reason()
            .is_some_and(|r| CONFLICT_EXCEPTIONS.contains(&r))
}

/// Runs `write` (which must be safe to repeat, as every batch write is) and repeats it after a
/// short backoff while it fails with a Delta conflict; other errors, and a conflict after the
/// last retry, are returned as they are.
pub async fn retry_conflicts<T, F, Fut>(what: &str, write: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    retry_while(what, is_conflict, write).await
}

/// [`retry_conflicts`] for creating a table that other jobs may be creating at the same moment:
/// also retries "not a Delta table" (see [`is_table_being_created`]); a directory that stays so
/// fails after the backoff.
pub async fn retry_creation<T, F, Fut>(what: &str, create: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    retry_while(
        what,
        |e| is_conflict(e) || is_table_being_created(e),
        create,
    )
    .await
}

/// True when `error` says the path holds no Delta table. Seen, besides where there is none, for
/// a moment while another writer creates the table: its `_delta_log` directory exists before its
/// first commit, and Spark then takes the path for a table that it cannot load.
fn is_table_being_created(error: &Error) -> bool {
    matches!(error, Error::Spark(spark) if crate::jobs::delta_log::is_missing_table(spark))
}

/// [`retry_conflicts`] for the errors that `retriable` picks.
async fn retry_while<T, F, Fut>(
    what: &str,
    retriable: impl Fn(&Error) -> bool,
    mut write: F,
) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let mut attempt = 0;
    loop {
        match write().await {
            Err(e) if retriable(&e) && attempt < BACKOFF.len() => {
                let delay = jittered(BACKOFF[attempt]);
                attempt += 1;
                tracing::info!(
                    what,
                    attempt,
                    delay_ms = delay.as_millis() as u64,
                    conflict = %first_line(&e),
                    "concurrent Delta commit; retrying"
                );
                tokio::time::sleep(delay).await;
            }
            other => return other,
        }
    }
}

fn jittered(delay: Duration) -> Duration {
    let random = uuid::Uuid::new_v4().as_u128() as u64;
    delay + Duration::from_millis(random % (delay.as_millis() as u64 / 2 + 1))
}

fn first_line(error: &Error) -> String {
    error.to_string().lines().next().unwrap_or("").to_string()
}

/// The table property that makes Delta record row-level changes (the change data feed), which
/// incremental readers of the table use.
pub const CHANGE_DATA_FEED: &str = "delta.enableChangeDataFeed";

/// Creates the Delta table at `path` with the schema of the temp view `view`, partitioned by
/// `partition`, with the change data feed on — unless a table is there already; then only turns
/// the change data feed on if it is off. Safe to run from several jobs at once: conflicts are
/// retried (a retry finds the table), and so is "not a Delta table", which Spark answers while
/// another job's creation is under way; a directory that stays so fails after the backoff.
pub async fn create_table(
    session: &SparkSession,
    path: &str,
    view: &str,
    partition: &str,
) -> Result<()> {
    let table = quoted_path(path);
    retry_creation("creating the table", || async {
        session
            .sql(format!(
                "CREATE TABLE IF NOT EXISTS {table} USING delta PARTITIONED BY ({partition}) \
                 TBLPROPERTIES ('{CHANGE_DATA_FEED}' = 'true') AS SELECT * FROM {view} WHERE false"
            ))
            .await?;
        if !change_data_feed_on(session, &table).await? {
            tracing::info!(path, "turning the change data feed on");
            session
                .sql(format!(
                    "ALTER TABLE {table} SET TBLPROPERTIES ('{CHANGE_DATA_FEED}' = 'true')"
                ))
                .await?;
        }
        Ok(())
    })
    .await
}

async fn change_data_feed_on(session: &SparkSession, table: &str) -> Result<bool> {
    let batches = session
        .sql(format!("SHOW TBLPROPERTIES {table} ('{CHANGE_DATA_FEED}')"))
        .await?
        .collect()
        .await?;
    let rows = spark_client::rows::Rows::new(batches);
    let value = match rows.iter().next() {
        Some(row) => row.get::<Option<String>>("value")?,
        None => None,
    };
    Ok(value.is_some_and(|v| v.eq_ignore_ascii_case("true")))
}

/// `delta.`<path>``, with backticks in the path doubled.
pub fn quoted_path(path: &str) -> String {
    format!("delta.`{}`", path.replace('`', "``"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_short_and_grows() {
        let total: Duration = BACKOFF.iter().sum();
        assert!(total <= Duration::from_secs(30), "{total:?}");
        assert!(BACKOFF.windows(2).all(|w| w[0] <= w[1]));
        let d = jittered(Duration::from_secs(2));
        assert!(d >= Duration::from_secs(2) && d <= Duration::from_secs(3));
    }

    /// A server error as Spark Connect 3.5 sends it (the class only in the message).
    fn server_error(message: &str) -> Error {
        Error::Spark(spark_client::Error::from(tonic::Status::internal(message)))
    }

    /// The error the issue met when two runs created the gold table at once.
    const EMPTY_DIRECTORY: &str =
        "[DELTA_PROTOCOL_CHANGED] The protocol version of the Delta table \
        has been changed by a concurrent update. This happens when multiple writers are writing to \
        an empty directory. Creating the table ahead of time will avoid this conflict.";

    #[test]
    fn only_delta_conflicts_count() {
        assert!(is_conflict(&server_error(EMPTY_DIRECTORY)));
        assert!(is_conflict(&server_error(
            "[DELTA_CONCURRENT_APPEND] ConcurrentAppendException: Files were added to partition \
             [date=2026-11-28] by a concurrent update."
        )));
        assert!(!is_conflict(&server_error(
            "[PATH_NOT_FOUND] Path does not exist: file:/lake/bronze/emails."
        )));
        assert!(!is_conflict(&Error::invalid("nope")));
        // What a job met while another job's creation of the same table was under way.
        let being_created = server_error(
            "[DELTA_MISSING_DELTA_TABLE] `/lake/gold/daily_summary` is not a Delta table.",
        );
        assert!(is_table_being_created(&being_created));
        assert!(!is_conflict(&being_created));
        assert!(!is_table_being_created(&server_error(EMPTY_DIRECTORY)));
        assert_eq!(quoted_path("/lake/gold/x"), "delta.`/lake/gold/x`");
        assert_eq!(quoted_path("/a`b"), "delta.`/a``b`");
    }

    #[tokio::test(start_paused = true)]
    async fn conflicts_are_retried_until_the_write_goes_through() {
        let mut calls = 0;
        let result = retry_conflicts("x", || {
            calls += 1;
            let n = calls;
            async move {
                if n < 3 {
                    Err(server_error(EMPTY_DIRECTORY))
                } else {
                    Ok(n)
                }
            }
        })
        .await;
        assert_eq!(result.unwrap(), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn other_errors_and_endless_conflicts_are_returned() {
        let mut calls = 0;
        let result: Result<()> = retry_conflicts("x", || {
            calls += 1;
            async { Err(Error::invalid("bad")) }
        })
        .await;
        assert!(result.is_err());
        assert_eq!(calls, 1);
        let mut calls = 0;
        let result: Result<()> = retry_conflicts("x", || {
            calls += 1;
            async { Err(server_error(EMPTY_DIRECTORY)) }
        })
        .await;
        assert!(is_conflict(&result.unwrap_err()));
        assert_eq!(calls, BACKOFF.len() + 1);
    }
}
