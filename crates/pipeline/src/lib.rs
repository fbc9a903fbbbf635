//! Mini-Mindy's pipeline: the jobs behind the `mindy` binary.
//!
//! # Layout
//! - [`config`]: connection settings shared by every job, parsed by clap with env fallbacks.
//! - [`db`]: the PostgreSQL pool and the sqlx migrations.
//! - [`kafka`]: rdkafka client configuration and topic administration.
//! - [`airflow`]: a small client for Airflow 3's REST API (JWT from `/auth/token`).
//! - [`arrow_rows`]: reading small Spark results (Arrow) by column name.
//! - [`jobs`]: one module per job; each exposes `run(config, ...)`.
//! - [`email`]: the versioned email record and the MIME parser that builds it.
//! - [`dlq`]: what a dead letter on `emails-dlq` carries.
//! - [`demo`]: the deterministic demo persona's mailbox and calendar.
//! - [`shutdown`]: the SIGTERM/Ctrl-C flag jobs poll or await.
//!
//! The binary (`src/main.rs`) only parses arguments, sets up logging and calls a job.

pub mod airflow;
pub mod arrow_rows;
pub mod config;
pub mod db;
pub mod demo;
pub mod dlq;
pub mod email;
pub mod error;
pub mod jobs;
pub mod kafka;
pub mod shutdown;

pub use error::{Error, Result};
