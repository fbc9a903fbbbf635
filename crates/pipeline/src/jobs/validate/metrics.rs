//! The validator's counters, for the dashboard: valid and invalid records (counted when their
//! transaction commits, so they match what downstream sees), rejections by rule, consumer lag,
//! and transactions committed or aborted — one set per record type (`record="email"`,
//! `record="calendar"`), each kept by the processor of that type. Rendered in the Prometheus text
//! format for `/metrics` ([`crate::metrics`]) and logged periodically.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

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
}
