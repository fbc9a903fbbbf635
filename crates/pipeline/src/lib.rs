//! Mini-Mindy's pipeline: the jobs behind the `mindy` binary.
//!
//! # Layout
//! - [`config`]: connection settings shared by every job, parsed by clap with env fallbacks.
//! - [`db`]: the PostgreSQL pool and the sqlx migrations.
//! - [`kafka`]: rdkafka client configuration and topic administration.
//! - [`airflow`]: a small client for Airflow 3's REST API (JWT from `/auth/token`).
//! - [`jobs`]: one module per job; each exposes `run(config, ...)`.
//!
//! The binary (`src/main.rs`) only parses arguments, sets up logging and calls a job.

pub mod airflow;
pub mod config;
pub mod db;
pub mod error;
pub mod jobs;
pub mod kafka;

pub use error::{Error, Result};
