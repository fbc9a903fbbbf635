//! The error type of the core crate: what talking to Kafka, PostgreSQL, Airflow and local files
//! can fail with. The pipeline and the API wrap it in their own errors.

use std::time::Duration;

/// Result alias for the core crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What the shared clients (Kafka, PostgreSQL, Airflow, files) can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Kafka client or broker error.
    #[error("kafka: {0}")]
    Kafka(#[from] rdkafka::error::KafkaError),
    /// PostgreSQL error.
    #[error("postgres: {0}")]
    Postgres(#[from] sqlx::Error),
    /// A migration could not be applied.
    #[error("migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// HTTP error talking to a service (Airflow, Spark's UIs).
    #[error("http: {0}")]
    Http(#[from] reqwest::Error),
    /// A local file could not be read or written (mailboxes, token and state files).
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: std::path::PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The user's input (arguments, files) cannot be used.
    #[error("invalid input: {0}")]
    Invalid(String),
    /// A service answered, but not what the job expected.
    #[error("{service}: {message}")]
    Unexpected {
        /// Which service.
        service: &'static str,
        /// What was wrong.
        message: String,
    },
    /// A service answered an HTTP request with a non-2xx status.
    #[error("{service}: HTTP {status}: {body}")]
    HttpStatus {
        /// Which service.
        service: &'static str,
        /// The status code.
        status: u16,
        /// The answer's body (its JSON, or `null`).
        body: String,
    },
    /// A wait gave up.
    #[error("{what}: no answer within {timeout:?}")]
    Timeout {
        /// What was awaited.
        what: String,
        /// How long we waited.
        timeout: Duration,
    },
}

impl Error {
    /// Shorthand for [`Error::Io`].
    pub fn io(path: impl Into<std::path::PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// Whether trying the same request again later may succeed: the service did not answer
    /// (connection refused or reset, a request timeout) or answered 5xx, 429 or 408 (it is
    /// restarting, overloaded or throttling). A 4xx refusal, a bad answer or bad input is not.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Http(e) => e.is_timeout() || e.is_connect() || e.is_request(),
            Error::HttpStatus { status, .. } => *status >= 500 || matches!(*status, 408 | 429),
            Error::Timeout { .. } => true,
            _ => false,
        }
    }

    /// Shorthand for [`Error::Unexpected`].
    pub fn unexpected(service: &'static str, message: impl Into<String>) -> Self {
        Error::Unexpected {
            service,
            message: message.into(),
        }
    }
}

/// An error and its causes on one line, `a: b: c`, leaving out a cause whose text the line
/// already holds. The library's errors (and rdkafka's, sqlx's, ...) put their source's text in
/// their own message, so a plain walk of the chain would print it two or three times.
pub fn causes(error: &(dyn std::error::Error + 'static)) -> String {
    let mut line = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !line.contains(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
        source = cause.source();
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causes_skip_text_the_line_already_holds() {
        let io = Error::io(
            "x.mbox",
            std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        );
        assert_eq!(causes(&io), "x.mbox: no such file");
        let kafka = Error::Kafka(rdkafka::error::KafkaError::MessageProduction(
            rdkafka::types::RDKafkaErrorCode::UnknownTopicOrPartition,
        ));
        assert_eq!(
            causes(&kafka),
            "kafka: Message production error: UnknownTopicOrPartition \
             (Broker: Unknown topic or partition)"
        );
    }
}
