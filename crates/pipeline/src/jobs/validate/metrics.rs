//! The validator's counters, for the dashboard: valid and invalid records (counted when their
//! transaction commits, so they match what downstream sees), rejections by rule, consumer lag,
//! and transactions committed or aborted. Served in the Prometheus text format on `/metrics` and
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

    /// The counters in Prometheus' text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(1024);
        let load = |c: &AtomicU64| c.load(Ordering::Relaxed);
        metric(
            &mut out,
            "mindy_validator_records_total",
            "counter",
            "Records committed by the validator, by outcome.",
        );
        let _ = writeln!(
            out,
            "mindy_validator_records_total{{outcome=\"valid\"}} {}",
            load(&self.valid)
        );
        let _ = writeln!(
            out,
            "mindy_validator_records_total{{outcome=\"invalid\"}} {}",
            load(&self.invalid)
        );
        metric(
            &mut out,
            "mindy_validator_rejections_total",
            "counter",
            "Committed rejections, by failed rule.",
        );
        for (rule, n) in self.rejections.lock().expect("counters lock").iter() {
            let _ = writeln!(
                out,
                "mindy_validator_rejections_total{{rule=\"{rule}\"}} {n}"
            );
        }
        metric(
            &mut out,
            "mindy_validator_consumer_lag",
            "gauge",
            "Records not yet consumed on the assigned partitions.",
        );
        let _ = writeln!(
            out,
            "mindy_validator_consumer_lag {}",
            self.lag.load(Ordering::Relaxed)
        );
        metric(
            &mut out,
            "mindy_validator_transactions_total",
            "counter",
            "Transactions (offset commits) by result.",
        );
        let _ = writeln!(
            out,
            "mindy_validator_transactions_total{{result=\"committed\"}} {}",
            load(&self.commits)
        );
        let _ = writeln!(
            out,
            "mindy_validator_transactions_total{{result=\"aborted\"}} {}",
            load(&self.aborts)
        );
        out
    }
}

fn metric(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

/// Serves `counters` on `listener` until `shutdown`.
pub async fn serve(listener: TcpListener, counters: Arc<Counters>, shutdown: Shutdown) {
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

async fn answer(mut stream: tokio::net::TcpStream, counters: &Counters) -> std::io::Result<()> {
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
        ("200 OK", "text/plain; version=0.0.4", counters.render())
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
        let counters = Counters::default();
        counters.add_batch(5, 2, &BTreeMap::from([("date", 2)]));
        let text = counters.render();
        assert!(text.contains("mindy_validator_records_total{outcome=\"valid\"} 5"));
        assert!(text.contains("mindy_validator_records_total{outcome=\"invalid\"} 2"));
        assert!(text.contains("mindy_validator_rejections_total{rule=\"date\"} 2"));
        assert!(text.contains("mindy_validator_transactions_total{result=\"committed\"} 1"));
    }

    #[tokio::test]
    async fn metrics_are_served_over_http() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let counters = Arc::new(Counters::default());
        counters.valid.store(3, Ordering::Relaxed);
        let shutdown = Shutdown::new();
        let server = tokio::spawn(serve(listener, Arc::clone(&counters), shutdown.clone()));
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        stream
            .write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).await.unwrap();
        assert!(response.starts_with("HTTP/1.1 200 OK"), "{response}");
        assert!(response.contains("mindy_validator_records_total{outcome=\"valid\"} 3"));
        shutdown.trigger();
        server.await.unwrap();
    }
}
