//! Integration tests against the real Spark Connect server of the local stack (`./stack up`).
//!
//! The server is found through `MINDY_SPARK_REMOTE` (default `sc://127.0.0.1:15002`); when it is not
//! reachable every test fails loudly. Tables and paths are unique per test so tests run in parallel.

mod proxy;
mod util;

mod batch;
mod dataframe;
mod io;
mod regression;
mod resilience;
mod streaming;
