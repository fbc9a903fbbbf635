//! Mini-Mindy's pipeline: the jobs behind the `mindy` binary. What they share with the API (the
//! records and their rules, the serving schema, the lake's tables, configuration, the Kafka,
//! PostgreSQL and Airflow clients) is in `mindy-core`.
//!
//! # Layout
//! - [`jobs`]: one module per job; each exposes `run(config, ...)`.
//! - [`ical`]: the iCalendar reader that turns `.ics` files into calendar records (time zones,
//!   recurrence).
//! - [`mime`]: the MIME parser that builds an email record from raw RFC 5322 bytes.
//! - [`persona`]: the deterministic demo persona (Sarah): her mailbox and calendar.
//! - [`metrics`]: the long-running jobs' Prometheus endpoint and registry.
//! - [`shutdown`]: the SIGTERM/Ctrl-C flag jobs poll or await.
//! - [`error`]: the jobs' error type (the core's errors plus Spark, Redis, Gmail).
//!
//! The binary (`src/main.rs`) only parses arguments, sets up logging and calls a job.

pub mod error;
pub mod ical;
pub mod jobs;
pub mod metrics;
pub mod mime;
pub mod persona;
pub mod shutdown;

pub use error::{Error, Result};
