//! librdkafka's own log lines, with the transient ones kept quiet.
//!
//! At start-up a transactional producer asks the transaction coordinator for its producer id
//! (`GETPID`), and a consumer looks up its group coordinator; right after the broker starts, or
//! while it loads its internal topics, the answer is "Coordinator load in progress: retrying",
//! which librdkafka logs as a warning and then retries by itself, successfully. Those lines are
//! logged at DEBUG, unless the condition persists past [`PERSISTS_AFTER`]: then they are warnings
//! again, because a coordinator that never loads is a real problem. Every other line keeps
//! librdkafka's own level.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use rdkafka::config::RDKafkaLogLevel;

/// How long the transient start-up conditions may last before they are worth a warning.
pub const PERSISTS_AFTER: Duration = Duration::from_secs(30);

/// Texts of librdkafka messages that announce a condition it retries by itself.
const TRANSIENT: &[&str] = &[
    "Coordinator load in progress",
    "COORDINATOR_LOAD_IN_PROGRESS",
    "Coordinator not available",
    "COORDINATOR_NOT_AVAILABLE",
];

/// Remembers when a transient condition was first logged.
#[derive(Debug, Default)]
pub struct KafkaLog {
    /// When the first transient line of the current streak came.
    since: Mutex<Option<Instant>>,
}

impl KafkaLog {
    /// Logs one librdkafka line (a `ClientContext::log` implementation calls this).
    pub fn log(&self, level: RDKafkaLogLevel, facility: &str, message: &str) {
        let quiet =
            TRANSIENT.iter().any(|t| message.contains(t)) && !self.persisted(Instant::now());
        if quiet {
            tracing::debug!(target: "librdkafka", facility, "{message}");
            return;
        }
        match level {
            RDKafkaLogLevel::Emerg
            | RDKafkaLogLevel::Alert
            | RDKafkaLogLevel::Critical
            | RDKafkaLogLevel::Error => {
                tracing::error!(target: "librdkafka", facility, "{message}")
            }
            RDKafkaLogLevel::Warning => tracing::warn!(target: "librdkafka", facility, "{message}"),
            RDKafkaLogLevel::Notice | RDKafkaLogLevel::Info => {
                tracing::info!(target: "librdkafka", facility, "{message}")
            }
            RDKafkaLogLevel::Debug => tracing::debug!(target: "librdkafka", facility, "{message}"),
        }
    }

    /// True once transient lines have kept coming for longer than [`PERSISTS_AFTER`].
    fn persisted(&self, now: Instant) -> bool {
        let mut since = self.since.lock().unwrap_or_else(|e| e.into_inner());
        let first = *since.get_or_insert(now);
        now.duration_since(first) > PERSISTS_AFTER
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_transient_condition_is_quiet_until_it_persists() {
        let log = KafkaLog::default();
        let start = Instant::now();
        assert!(!log.persisted(start));
        assert!(!log.persisted(start + Duration::from_secs(10)));
        assert!(log.persisted(start + PERSISTS_AFTER + Duration::from_secs(1)));
    }
}
