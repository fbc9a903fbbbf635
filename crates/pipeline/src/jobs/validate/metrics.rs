//! The validator's counters, for the dashboard: valid and invalid records (counted when their
//! transaction commits, so they match what downstream sees), rejections by rule, consumer lag,
//! and transactions committed or aborted — one set per record type (`record="email"`,
//! `record="calendar"`), each kept by the processor of that type. Served in the Prometheus text format on `/metrics` and
//! logged periodically.
//!
//! The HTTP side is a few lines on a `TcpListener` rather than a web framework: it answers
//! `GET /metrics` and `GET /healthz`, one request per connection.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::shutdown::Shutdown;

/// Counters shared by the processing loop and the HTTP server.
#[derive(Debug, Default)]
pub struct Counters {
    /// Records forwarded to the processed topic (committed).
    pub valid: AtomicU64,
    /// Records sent to the DLQ (committed).
    pub invalid: AtomicU64,
    /// Messages behind the end of the assigned partitions, at the last check.
    pub lag: AtomicI64,
    /// Transactions (or, without transactions, offset commits) that succeeded.
    pub commits: AtomicU64,
    /// Transactions aborted (their records will be processed again).
    pub aborts: AtomicU64,
    /// Committed rejections by rule.
    pub rejections: Mutex<BTreeMap<&'static str, u64>>,
}

impl Counters {
    /// Adds a committed batch's outcome.
    pub fn add_batch(&self, valid: u64, invalid: u64, rules: &BTreeMap<&'static str, u64>) {
        self.valid.fetch_add(valid, Ordering::Relaxed);
        self.invalid.fetch_add(invalid, Ordering::Relaxed);
        self.commits.fetch_add(1, Ordering::Relaxed);
        let mut rejections = self.rejections.lock().expect("counters lock");
        for (rule, n) in rules {
            *rejections.entry(rule).or_default() += n;
        }
    }
}

/// The counters of every record type the validator handles, by record type name.
pub type Registry = Vec<(&'static str, Arc<Counters>)>;

/// Every record type's counters in Prometheus' text exposition format.
pub fn render(registry: &Registry) -> String {
    let mut out = String::with_capacity(1024);
    let load = |c: &AtomicU64| c.load(Ordering::Relaxed);
    metric(
        &mut out,
        "mindy_validator_records_total",
        "counter",
        "Records committed by the validator, by record type and outcome.",
    );
    for (record, c) in registry {
        for (outcome, n) in [("valid", load(&c.valid)), ("invalid", load(&c.invalid))] {
            let _ = writeln!(
                out,
                "mindy_validator_records_total{{record=\"{record}\",outcome=\"{outcome}\"}} {n}"
            );
        }
    }
    metric(
        &mut out,
        "mindy_validator_rejections_total",
        "counter",
        "Committed rejections, by record type and failed rule.",
    );
    for (record, c) in registry {
        for (rule, n) in c.rejections.lock().expect("counters lock").iter() {
            let _ = writeln!(
                out,
                "mindy_validator_rejections_total{{record=\"{record}\",rule=\"{rule}\"}} {n}"
            );
        }
    }
    metric(
        &mut out,
        "mindy_validator_consumer_lag",
        "gauge",
        "Records not yet consumed on the assigned partitions.",
    );
    for (record, c) in registry {
        let _ = writeln!(
            out,
            "mindy_validator_consumer_lag{{record=\"{record}\"}} {}",
            c.lag.load(Ordering::Relaxed)
        );
    }
    metric(
        &mut out,
        "mindy_validator_transactions_total",
        "counter",
        "Transactions (offset commits) by record type and result.",
    );
    for (record, c) in registry {
        for (result, n) in [
            ("committed", load(&c.commits)),
            ("aborted", load(&c.aborts)),
        ] {
            let _ = writeln!(
                out,
                "mindy_validator_transactions_total{{record=\"{record}\",result=\"{result}\"}} {n}"
            );
        }
    }
    out
}

fn metric(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

/// Serves the registry's counters on `listener` until `shutdown`.
pub async fn serve(listener: TcpListener, counters: Arc<Registry>, shutdown: Shutdown) {
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = shutdown.wait() => return,
        };
        let Ok((stream, _)) = accepted else { continue };
        let counters = Arc::clone(&counters);
        tokio::spawn(async move {
            if let Err(e) = answer(stream, &counters).await {
                tracing::debug!(error = %e, "metrics request failed");
            }
        });
    }
}

async fn answer(mut stream: tokio::net::TcpStream, counters: &Registry) -> std::io::Result<()> {
    let mut request = Vec::with_capacity(512);
    let mut buf = [0u8; 512];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 8192 {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        request.extend_from_slice(&buf[..n]);
    }
    let line = request.split(|b| *b == b'\r').next().unwrap_or_default();
    let (status, content_type, body) = if line.starts_with(b"GET /metrics") {
        ("200 OK", "text/plain; version=0.0.4", render(counters))
    } else if line.starts_with(b"GET /healthz") {
        ("200 OK", "text/plain", "ok\n".to_string())
    } else {
        ("404 Not Found", "text/plain", "not found\n".to_string())
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body.as_bytes()).await?;
    stream.shutdown().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rendering_has_each_counter() {
        let email = Arc::new(Counters::default());
        email.add_batch(5, 2, &BTreeMap::from([("date", 2)]));
        let calendar = Arc::new(Counters::default());
        calendar.add_batch(1, 1, &BTreeMap::from([("time", 1)]));
        let text = render(&vec![("email", email), ("calendar", calendar)]);
        assert!(
            text.contains("mindy_validator_records_total{record=\"email\",outcome=\"valid\"} 5")
        );
        assert!(
            text.contains("mindy_validator_records_total{record=\"email\",outcome=\"invalid\"} 2")
        );
        assert!(text.contains("mindy_validator_rejections_total{record=\"email\",rule=\"date\"} 2"));
        assert!(
            text.contains("mindy_validator_rejections_total{record=\"calendar\",rule=\"time\"} 1")
        );
        assert!(text.contains(
            "mindy_validator_transactions_total{record=\"calendar\",result=\"committed\"} 1"
        ));
    }

    #[tokio::test]
    async fn metrics_are_served_over_http() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let counters = Arc::new(Counters::default());
        counters.valid.store(3, Ordering::Relaxed);
        let shutdown = Shutdown::new();
        let registry = Arc::new(vec![("email", counters)]);
        let server = tokio::spawn(serve(listener, registry, shutdown.clone()));
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        stream
            .write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).await.unwrap();
        assert!(response.starts_with("HTTP/1.1 200 OK"), "{response}");
        assert!(response
            .contains("mindy_validator_records_total{record=\"email\",outcome=\"valid\"} 3"));
        shutdown.trigger();
        server.await.unwrap();
    }
}
