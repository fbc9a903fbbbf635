//! One module per job of the `mindy` binary.

pub mod auth;
pub mod backup;
pub mod batch;
pub mod connect;
pub mod delta_log;
pub mod enrich;
pub mod export;
pub mod ingest;
pub mod lake;
pub mod last_run;
pub mod persona;
pub mod smoke;
pub mod stream;
pub mod trigger;
pub mod validate;
