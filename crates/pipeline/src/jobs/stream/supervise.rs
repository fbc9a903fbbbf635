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

use super::{run_once, StreamConfig, StreamReport};
use crate::jobs::connect::{self, restartable, FIRST_WAIT};
use crate::shutdown::Shutdown;
use crate::{Error, Result};

/// A run that lasted this long before it was lost starts the waits from [`FIRST_WAIT`] again.
const HEALTHY_RUN: Duration = Duration::from_secs(300);

/// Runs the stream until `shutdown`, resubmitting its queries whenever a run is lost with the
/// Connect server ([`connect::restartable`]). Returns the last run's report, or the first error that is
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
        super::metrics::get().restarted();
        tracing::warn!(
            error = %error,
            restarts,
            remote = %config.spark.remote,
            "the stream lost Spark Connect; waiting for it to resubmit the queries from their checkpoints"
        );
        if !connect::wait_for(&config.spark.remote, &mut wait, shutdown).await {
            return Ok(StreamReport::default());
        }
        tracing::info!(restarts, "Spark Connect answers: resubmitting the queries");
    }
}
