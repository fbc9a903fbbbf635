//! The pipeline library's error type: the core crate's errors (Kafka, PostgreSQL, Airflow, files)
//! plus what only the jobs meet (Spark Connect, Redis, the Gmail API and its OAuth2 flow).

use std::time::Duration;

pub use mindy_core::error::causes;

/// Result alias for the pipeline library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything a pipeline job can fail with; the binary adds context and maps it to an exit code.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Kafka, PostgreSQL, Airflow, a file, the user's input, a wait (see [`mindy_core::Error`]).
    #[error(transparent)]
    Core(#[from] mindy_core::Error),
    /// Spark Connect refused or failed a plan.
    #[error("spark: {0}")]
    Spark(#[from] spark_client::Error),
    /// Redis error.
    #[error("redis: {0}")]
    Redis(#[from] redis::RedisError),
    /// The Gmail API failed a call after its retries (boxed: the client's error is large).
    #[error("gmail: {0}")]
    Gmail(Box<google_gmail1::Error>),
    /// OAuth2 (the installed-app flow or a token refresh) failed.
    #[error("oauth2: {0}")]
    Auth(String),
}

impl Error {
    /// A local file could not be read or written.
    pub fn io(path: impl Into<std::path::PathBuf>, source: std::io::Error) -> Self {
        mindy_core::Error::io(path, source).into()
    }

    /// A service answered, but not what the job expected.
    pub fn unexpected(service: &'static str, message: impl Into<String>) -> Self {
        mindy_core::Error::unexpected(service, message).into()
    }

    /// The user's input (arguments, files) cannot be used.
    pub fn invalid(message: impl Into<String>) -> Self {
        mindy_core::Error::Invalid(message.into()).into()
    }

    /// A wait for `what` gave up after `timeout`.
    pub fn timeout(what: impl Into<String>, timeout: Duration) -> Self {
        mindy_core::Error::Timeout {
            what: what.into(),
            timeout,
        }
        .into()
    }
}

/// The clients' own errors convert through the core error, so `?` works on them in job code.
macro_rules! through_core {
    ($($source:ty),* $(,)?) => {$(
        impl From<$source> for Error {
            fn from(error: $source) -> Self {
                Error::Core(error.into())
            }
        }
    )*};
}

through_core!(
    rdkafka::error::KafkaError,
    sqlx::Error,
    sqlx::migrate::MigrateError,
    reqwest::Error,
);

impl From<mindy_google::Error> for Error {
    fn from(error: mindy_google::Error) -> Self {
        match error {
            mindy_google::Error::Auth(message) => Error::Auth(message),
            mindy_google::Error::Invalid(message) => Error::invalid(message),
            mindy_google::Error::Io { path, source } => Error::io(path, source),
        }
    }
}

impl From<google_gmail1::Error> for Error {
    fn from(error: google_gmail1::Error) -> Self {
        Error::Gmail(Box::new(error))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causes_skip_text_the_line_already_holds() {
        let kafka = Error::from(rdkafka::error::KafkaError::MessageProduction(
            rdkafka::types::RDKafkaErrorCode::UnknownTopicOrPartition,
        ));
        let wrapped = anyhow::Error::new(kafka).context("ingesting");
        assert_eq!(
            causes(&*wrapped),
            "ingesting: kafka: Message production error: UnknownTopicOrPartition \
             (Broker: Unknown topic or partition)"
        );
        let io = Error::io(
            "x.mbox",
            std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        );
        assert_eq!(causes(&io), "x.mbox: no such file");
    }
}
