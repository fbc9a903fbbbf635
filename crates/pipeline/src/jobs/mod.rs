//! One module per job of the `mindy` binary.

pub mod auth;
pub mod batch;
pub mod demo;
pub mod ingest;
pub mod smoke;
pub mod stream;
pub mod trigger;
pub mod validate;
