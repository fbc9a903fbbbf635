//! An async client for Spark Connect (Spark 3.5).
#![deny(missing_docs)]
