//! What Mini-Mindy's pipeline (`mindy`) and API (`mindy-api`) share, so each contract is stated
//! once.
//!
//! # Layout
//! - [`email`]: the versioned email record on the Kafka topics, its Spark schema (derived from the
//!   Rust type) and the validation rules the validator, the stream's quarantine and the quality
//!   job all apply.
//! - [`calendar`]: the versioned calendar event record on the calendar topics, its Spark schema
//!   and its own validation rules (the validator applies the rules per record type).
//! - [`lake`]: the Delta tables of the lake, by layer, and where each lives under the root.
//! - [`serving`]: the PostgreSQL serving schema, read from the migrations (the one statement of it).
//! - [`db`]: the PostgreSQL pool and the sqlx migrations (`crates/core/migrations`).
//! - [`dlq`]: what a dead letter on `emails-dlq` carries.
//! - [`config`]: connection settings shared by every program, parsed by clap with env fallbacks.
//! - [`kafka`]: rdkafka client configuration and topic administration.
//! - [`airflow`]: a small client for Airflow 3's REST API (JWT from `/auth/token`).
//! - [`error`]: the error type of all of the above.

pub mod airflow;
pub mod calendar;
pub mod config;
pub mod db;
pub mod dlq;
pub mod email;
pub mod error;
pub mod kafka;
pub mod lake;
pub mod serving;

pub use error::{Error, Result};
