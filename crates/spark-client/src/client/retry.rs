//! Retries with exponential backoff for calls that failed because the server was unavailable.

use std::future::Future;
use std::time::Duration;

use crate::errors::{Error, Result};

/// How calls are retried when the server is unavailable (gRPC `UNAVAILABLE`, or a reattach that raced
/// an open cursor). Plain data: copy it, change a field, pass it to
/// [`SparkSessionBuilder::retry_policy`](crate::session::SparkSessionBuilder::retry_policy).
///
/// The wait before retry `n` (0-based) is `min(initial_backoff * multiplier^n, max_backoff)`, plus up to
/// `jitter` of random delay once the wait reaches `min_jitter_threshold` (so many clients that lost the
/// same server do not come back in lockstep).
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// How many times a call is retried before its error is returned; 0 disables retries.
    pub max_retries: u32,
    /// Wait before the first retry.
    pub initial_backoff: Duration,
    /// Upper bound of any single wait.
    pub max_backoff: Duration,
    /// Growth factor of the wait between two retries.
    pub multiplier: f64,
    /// Maximum random delay added to a wait.
    pub jitter: Duration,
    /// Waits shorter than this get no jitter.
    pub min_jitter_threshold: Duration,
}

impl Default for RetryPolicy {
    /// PySpark 3.5's policy: 15 retries from 50 ms growing 4x up to 60 s, which rides out a server
    /// restart of several minutes.
    fn default() -> RetryPolicy {
        RetryPolicy {
            max_retries: 15,
            initial_backoff: Duration::from_millis(50),
            max_backoff: Duration::from_secs(60),
            multiplier: 4.0,
            jitter: Duration::from_millis(500),
            min_jitter_threshold: Duration::from_secs(2),
        }
    }
}

impl RetryPolicy {
    /// A policy for tests: retries quickly (10 ms doubling, capped at 250 ms) for about 5 seconds.
    pub fn for_tests() -> RetryPolicy {
        RetryPolicy {
            max_retries: 25,
            initial_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(250),
            multiplier: 2.0,
            jitter: Duration::ZERO,
            min_jitter_threshold: Duration::MAX,
        }
    }

    /// No retries: every error is returned at once.
    pub fn none() -> RetryPolicy {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        }
    }

    /// The wait before retry number `attempt` (0-based), without jitter.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = self.multiplier.max(1.0).powi(attempt.min(64) as i32);
        let wait = self.initial_backoff.as_secs_f64() * factor;
        let wait = wait.min(self.max_backoff.as_secs_f64());
        Duration::from_secs_f64(wait)
    }

    fn wait_with_jitter(&self, attempt: u32) -> Duration {
        let wait = self.backoff(attempt);
        if wait < self.min_jitter_threshold || self.jitter.is_zero() {
            return wait;
        }
        // uuid's v4 generator is the random source already in the tree.
        let fraction = (uuid::Uuid::new_v4().as_u128() % 1_000) as f64 / 1_000.0;
        wait + self.jitter.mul_f64(fraction)
    }
}

/// Tracks the retries of one logical call.
#[derive(Debug)]
pub(crate) struct Retrier<'a> {
    policy: &'a RetryPolicy,
    attempt: u32,
}

impl<'a> Retrier<'a> {
    pub(crate) fn new(policy: &'a RetryPolicy) -> Retrier<'a> {
        Retrier { policy, attempt: 0 }
    }

    /// Sleeps before the next attempt if `err` is retriable and retries are left; otherwise returns `err`.
    pub(crate) async fn on_error(&mut self, err: Error) -> Result<()> {
        if !err.is_retriable() || self.attempt >= self.policy.max_retries {
            return Err(err);
        }
        let wait = self.policy.wait_with_jitter(self.attempt);
        self.attempt += 1;
        tracing::debug!(attempt = self.attempt, ?wait, error = %err, "retrying Spark Connect call");
        tokio::time::sleep(wait).await;
        Ok(())
    }
}

/// Runs `call` until it succeeds, fails with a non-retriable error, or the policy gives up.
pub(crate) async fn with_retries<T, F, Fut>(policy: &RetryPolicy, mut call: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let mut retrier = Retrier::new(policy);
    loop {
        match call().await {
            Ok(v) => return Ok(v),
            Err(err) => retrier.on_error(err).await?,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[test]
    fn backoff_grows_and_caps() {
        let p = RetryPolicy::default();
        assert_eq!(p.backoff(0), Duration::from_millis(50));
        assert_eq!(p.backoff(1), Duration::from_millis(200));
        assert_eq!(p.backoff(2), Duration::from_millis(800));
        assert_eq!(p.backoff(10), Duration::from_secs(60));
        assert_eq!(p.backoff(200), Duration::from_secs(60));
    }

    #[tokio::test(start_paused = true)]
    async fn retries_unavailable_then_succeeds() {
        let calls = AtomicU32::new(0);
        let out = with_retries(&RetryPolicy::for_tests(), || async {
            if calls.fetch_add(1, Ordering::SeqCst) < 3 {
                Err(Error::from(tonic::Status::unavailable("down")))
            } else {
                Ok(7)
            }
        })
        .await
        .unwrap();
        assert_eq!(out, 7);
        assert_eq!(calls.load(Ordering::SeqCst), 4);
    }

    #[tokio::test(start_paused = true)]
    async fn does_not_retry_other_errors_and_gives_up() {
        let calls = AtomicU32::new(0);
        let err = with_retries(&RetryPolicy::for_tests(), || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err::<(), _>(Error::from(tonic::Status::invalid_argument("bad")))
        })
        .await
        .unwrap_err();
        assert_eq!(err.server().unwrap().grpc_code(), 3);
        assert_eq!(calls.load(Ordering::SeqCst), 1);

        let calls = AtomicU32::new(0);
        let policy = RetryPolicy {
            max_retries: 2,
            ..RetryPolicy::for_tests()
        };
        with_retries(&policy, || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err::<(), _>(Error::from(tonic::Status::unavailable("down")))
        })
        .await
        .unwrap_err();
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }
}
