//! The Gmail and Calendar API clients: google-gmail1's and google-calendar3's hubs on one rustls
//! (ring) HTTPS client, a retry delegate that honours `Retry-After` on 429/5xx (and on 403
//! rate-limit errors), and a quota limiter.
//!
//! The crypto provider is passed explicitly to the connector, so the process-wide rustls
//! provider question (docs/architecture.md) never arises here. Plain `http://` is accepted too: that is
//! how the tests point the production client at a local server speaking Gmail's JSON.

use std::time::Duration;

use google_calendar3::CalendarHub;
use google_gmail1::common::{Delegate, Response, Retry};
use google_gmail1::Gmail;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::{Error, Result};

/// The connector every Google API and OAuth request uses.
pub type Connector = HttpsConnector<HttpConnector>;

/// Gmail's per-user quota (units per minute), from Google's published Gmail API limits.
pub const DEFAULT_QUOTA_PER_MINUTE: u32 = 15_000;
/// Quota cost of `messages.get`.
pub const COST_GET: u32 = 5;
/// Quota cost of `messages.list`.
pub const COST_LIST: u32 = 5;
/// Quota cost of `history.list`.
pub const COST_HISTORY: u32 = 2;
/// Quota cost of `users.getProfile`.
pub const COST_PROFILE: u32 = 1;

/// A hyper client with the ring provider and the system's roots; HTTP/1.1.
pub fn https_client<B>() -> Result<Client<Connector, B>>
where
    B: hyper::body::Body + Send + 'static,
    B::Data: Send,
{
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_provider_and_native_roots(rustls::crypto::ring::default_provider())
        .map_err(|e| Error::Invalid(format!("loading the system's TLS roots: {e}")))?
        .https_or_http()
        .enable_http1()
        .build();
    Ok(Client::builder(TokioExecutor::new()).build(connector))
}

fn with_slash(url: &str) -> String {
    if url.ends_with('/') {
        url.to_string()
    } else {
        format!("{url}/")
    }
}

/// The Gmail hub pointed at `base_url` (`https://gmail.googleapis.com/` in production, a local
/// server in tests).
pub fn gmail_hub<A>(auth: A, base_url: &str) -> Result<Gmail<Connector>>
where
    A: google_gmail1::common::GetToken + 'static,
{
    let mut hub = Gmail::new(https_client()?, auth);
    let base = with_slash(base_url);
    hub.base_url(base.clone());
    hub.root_url(base);
    Ok(hub)
}

/// The Calendar hub pointed at `root_url` (`https://www.googleapis.com/` in production, a local
/// server in tests); its calls go to `{root_url}calendar/v3/`.
pub fn calendar_hub<A>(auth: A, root_url: &str) -> Result<CalendarHub<Connector>>
where
    A: google_calendar3::common::GetToken + 'static,
{
    let mut hub = CalendarHub::new(https_client()?, auth);
    let root = with_slash(root_url);
    hub.base_url(format!("{root}calendar/v3/"));
    hub.root_url(root);
    Ok(hub)
}

/// Retries with backoff on connection errors, 429, 5xx and 403 rate-limit answers, waiting what
/// `Retry-After` asks when the server says; gives up after `max_retries`.
#[derive(Debug, Clone)]
pub struct Retrying {
    /// Retries so far for the current call.
    attempts: u32,
    /// Retries allowed per call.
    max_retries: u32,
    /// First backoff; doubled each retry.
    base: Duration,
    /// False for calls that must not run twice (a mail send): then only answers saying the
    /// call was refused before it was taken (429, 403 rate limits) are retried, never a 5xx or
    /// a broken connection, after which the call may have taken effect.
    repeatable: bool,
}

/// The longest wait honoured from a `Retry-After` header.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);

impl Retrying {
    /// A delegate for one call.
    pub fn new(max_retries: u32, base: Duration) -> Self {
        Retrying {
            attempts: 0,
            max_retries,
            base,
            repeatable: true,
        }
    }

    /// A delegate for a call that must not take effect twice: it retries only refusals (429 and
    /// 403 rate limits), never a 5xx or a connection error.
    pub fn refused_only(max_retries: u32, base: Duration) -> Self {
        Retrying {
            repeatable: false,
            ..Retrying::new(max_retries, base)
        }
    }

    fn backoff(&self) -> Duration {
        let exp = self.base * 2u32.saturating_pow(self.attempts.min(10));
        // Up to 25% jitter so concurrent fetches do not retry in lockstep.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        exp + exp.mul_f64(f64::from(nanos % 1000) / 4000.0)
    }

    fn next(&mut self, wait: Option<Duration>) -> Retry {
        if self.attempts >= self.max_retries {
            return Retry::Abort;
        }
        let delay = wait.unwrap_or_else(|| self.backoff());
        self.attempts += 1;
        Retry::After(delay)
    }
}

impl Delegate for Retrying {
    fn http_error(&mut self, err: &hyper_util::client::legacy::Error) -> Retry {
        if !self.repeatable {
            tracing::warn!(error = %err, "google api: connection error on a call that must not repeat");
            return Retry::Abort;
        }
        tracing::warn!(error = %err, attempt = self.attempts + 1, "google api: connection error, retrying");
        self.next(None)
    }

    fn http_failure(&mut self, response: &Response, error: Option<&serde_json::Value>) -> Retry {
        let status = response.status().as_u16();
        if !retryable(status, error) || (!self.repeatable && (500..600).contains(&status)) {
            return Retry::Abort;
        }
        let wait = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        tracing::warn!(
            status,
            ?wait,
            attempt = self.attempts + 1,
            "google api: retryable answer"
        );
        self.next(wait)
    }
}

fn retryable(status: u16, error: Option<&serde_json::Value>) -> bool {
    if status == 429 || (500..600).contains(&status) {
        return true;
    }
    // Gmail reports some per-user rate limits as 403 with a reason.
    status == 403
        && error
            .and_then(|e| e.pointer("/error/errors/0/reason"))
            .and_then(|r| r.as_str())
            .is_some_and(|r| r == "rateLimitExceeded" || r == "userRateLimitExceeded")
}

/// `Retry-After` as seconds or an HTTP date, capped at [`MAX_RETRY_AFTER`].
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    let wait = match value.parse::<u64>() {
        Ok(secs) => Duration::from_secs(secs),
        Err(_) => {
            let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
            (at.with_timezone(&chrono::Utc) - chrono::Utc::now())
                .to_std()
                .unwrap_or(Duration::ZERO)
        }
    };
    Some(wait.min(MAX_RETRY_AFTER))
}

/// The HTTP status of a failed call, when the server answered.
pub fn status_of(error: &google_gmail1::Error) -> Option<u16> {
    match error {
        google_gmail1::Error::BadRequest(value) => value
            .pointer("/error/code")
            .and_then(|c| c.as_u64())
            .map(|c| c as u16),
        google_gmail1::Error::Failure(response) => Some(response.status().as_u16()),
        _ => None,
    }
}

/// A token bucket over quota units: refills at the per-minute rate and holds at most ten
/// seconds' worth, so bursts stay well under Google's per-minute window.
#[derive(Debug)]
pub struct Quota {
    /// Units per second.
    rate: f64,
    /// Bucket size.
    capacity: f64,
    /// Units available and when that was computed.
    state: Mutex<(f64, Instant)>,
}

impl Quota {
    /// A full bucket for `per_minute` units a minute.
    pub fn new(per_minute: u32) -> Self {
        let rate = f64::from(per_minute.max(1)) / 60.0;
        let capacity = (rate * 10.0).max(f64::from(COST_GET));
        Quota {
            rate,
            capacity,
            state: Mutex::new((capacity, Instant::now())),
        }
    }

    /// Waits until `units` are available and takes them.
    pub async fn acquire(&self, units: u32) {
        let units = f64::from(units).min(self.capacity);
        loop {
            let wait = {
                let mut state = self.state.lock().await;
                let now = Instant::now();
                let available = (state.0 + now.duration_since(state.1).as_secs_f64() * self.rate)
                    .min(self.capacity);
                if available >= units {
                    *state = (available - units, now);
                    return;
                }
                *state = (available, now);
                Duration::from_secs_f64((units - available) / self.rate)
            };
            tokio::time::sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_takes_seconds_and_dates() {
        assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after("99999"), Some(MAX_RETRY_AFTER));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn only_transient_statuses_retry_and_attempts_are_bounded() {
        assert!(
            retryable(429, None)
                && retryable(503, None)
                && !retryable(404, None)
                && !retryable(403, None)
        );
        let rate = serde_json::json!({"error": {"errors": [{"reason": "userRateLimitExceeded"}]}});
        assert!(retryable(403, Some(&rate)));
        let mut delegate = Retrying::new(2, Duration::from_millis(1));
        assert!(matches!(delegate.next(None), Retry::After(_)));
        assert!(
            matches!(delegate.next(Some(Duration::from_secs(1))), Retry::After(d) if d == Duration::from_secs(1))
        );
        assert!(matches!(delegate.next(None), Retry::Abort));
    }

    #[test]
    fn an_unrepeatable_call_retries_refusals_only() {
        let response = |status: u16| {
            hyper::Response::builder()
                .status(status)
                .body(google_gmail1::common::Body::default())
                .unwrap()
        };
        let mut send = Retrying::refused_only(3, Duration::from_millis(1));
        assert!(matches!(
            send.http_failure(&response(503), None),
            Retry::Abort
        ));
        assert!(matches!(
            send.http_failure(&response(429), None),
            Retry::After(_)
        ));
        let mut get = Retrying::new(3, Duration::from_millis(1));
        assert!(matches!(
            get.http_failure(&response(503), None),
            Retry::After(_)
        ));
    }

    #[tokio::test(start_paused = true)]
    async fn quota_waits_when_the_bucket_is_empty() {
        let quota = Quota::new(60); // 1 unit/s, bucket of 10
        let start = tokio::time::Instant::now();
        quota.acquire(10).await;
        assert!(start.elapsed() < Duration::from_millis(1));
        quota.acquire(5).await;
        assert!(
            start.elapsed() >= Duration::from_secs(4),
            "{:?}",
            start.elapsed()
        );
    }
}
