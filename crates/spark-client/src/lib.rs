//! An async client for [Spark Connect](https://spark.apache.org/docs/latest/spark-connect-overview.html)
//! (Spark 3.5; compatible with 4.x servers): DataFrames, SQL and Structured Streaming over gRPC, with
//! results as Arrow record batches. The Spark cluster behind the server does the compute.
//!
//! # Quick start
//!
//! ```no_run
//! use spark_client::functions::{col, count, lit, sum};
//! use spark_client::SparkSession;
//!
//! # async fn run() -> spark_client::Result<()> {
//! let spark = SparkSession::builder()
//!     .remote("sc://127.0.0.1:15002")
//!     .build()
//!     .await?;
//!
//! let orders = spark.range(0, 1_000).with_column("amount", col("id") % 7);
//! let totals = orders
//!     .group_by([(col("id") % 3).alias("bucket")])
//!     .agg([sum("amount").alias("total"), count(lit(1)).alias("n")])
//!     .order_by(["bucket"]);
//! println!("{}", totals.show_string(10).await?);
//! let batches: Vec<arrow_array::RecordBatch> = totals.collect().await?;
//! # Ok(()) }
//! ```
//!
//! # Layout
//!
//! - [`session`]: [`SparkSession`] and its builder (`sc://` URLs, auth hook, [`RetryPolicy`]), `sql`,
//!   `range`, `create_dataframe` from Arrow batches, `version`.
//! - [`dataframe`]: [`DataFrame`] transformations and actions, `group_by().agg()`, joins, the
//!   [`RecordBatchStream`](dataframe::RecordBatchStream) of results, batch reader and writer.
//! - [`column`], [`functions`], [`window`]: expressions, named like PySpark's.
//! - [`types`]: [`DataType`](types::DataType), the [`StructType`](types::StructType) builder
//!   (DDL and JSON schemas), literals, and [`SparkType`](types::SparkType) with its derive
//!   (`#[derive(spark_client::SparkType)]`: a Rust struct's schema).
//! - [`streaming`]: `read_stream`, `write_stream`, [`StreamingQuery`](streaming::StreamingQuery) with
//!   typed progress, the streams manager.
//! - [`rows`]: collected results read row by row as Rust types ([`Rows`](rows::Rows),
//!   [`Row::get`](rows::Row::get)).
//! - [`conf`], [`catalog`]: runtime configuration and catalog basics.
//! - [`errors`]: [`Error`] with a `#[non_exhaustive]` [`ErrorKind`]; server errors keep the error
//!   class, SQLSTATE and message parameters.
//! - [`raw`]: the generated protocol types, for plans the API does not cover.
//!
//! # Protocol notes
//!
//! Every query runs as a reattachable execution: if the response stream breaks before the result is
//! complete, the client reattaches where it stopped, and releases the operation when done. Calls
//! failing with `UNAVAILABLE` are retried with exponential backoff ([`RetryPolicy`]), so a server
//! restart between two calls is invisible to the caller. gRPC messages up to 128 MiB are accepted.
//! Only protocol fields Spark 3.5 knows are sent.
#![deny(missing_docs)]

// `#[derive(SparkType)]` names `::spark_client`, which must resolve inside this crate too.
extern crate self as spark_client;

mod arrow_util;
pub mod catalog;
mod client;
pub mod column;
pub mod conf;
pub mod dataframe;
pub mod errors;
pub mod functions;
pub mod raw;
pub mod rows;
pub mod session;
pub mod streaming;
pub mod types;
pub mod window;

pub use column::Column;
pub use dataframe::DataFrame;
pub use errors::{Error, ErrorKind, Result};
pub use session::{RetryPolicy, SparkSession};
/// `#[derive(SparkType)]`: a struct's Spark `STRUCT` type (its schema) derived from its fields and
/// their serde names; an enum of unit variants is a `STRING`. See [`types::SparkType`].
pub use spark_client_derive::SparkType;
pub use types::SparkType;
