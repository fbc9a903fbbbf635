//! The escape hatch: the generated Spark Connect protocol types, for plans this API does not cover.
//!
//! Everything else in the crate hides the protocol; this module is where it shows. Messages built
//! here must stick to what the server understands: a Spark 3.5 server ignores fields and rejects
//! oneof variants added in 4.x.
//!
//! ```no_run
//! # async fn run(spark: spark_client::SparkSession) -> spark_client::Result<()> {
//! use spark_client::raw::{self, proto};
//!
//! // A relation built by hand: `spark.range(3)`.
//! let rel = proto::Relation {
//!     common: None,
//!     rel_type: Some(proto::relation::RelType::Range(proto::Range {
//!         start: Some(0),
//!         end: 3,
//!         step: 1,
//!         num_partitions: None,
//!     })),
//! };
//! let df = raw::dataframe(&spark, rel);
//! assert_eq!(df.count().await?, 3);
//! # Ok(()) }
//! ```

pub use spark_connect_proto as proto;

use crate::column::Column;
use crate::dataframe::DataFrame;
use crate::errors::Result;
use crate::session::SparkSession;

/// A DataFrame over a hand-built relation. The relation gets a fresh plan id of the session (any
/// id it had is replaced), so `df.col(..)` binds to it.
pub fn dataframe(session: &SparkSession, relation: proto::Relation) -> DataFrame {
    session.adopt(relation)
}

/// The relation (plan) of a DataFrame; fails if an argument was rejected while building it.
pub fn relation(df: &DataFrame) -> Result<proto::Relation> {
    df.checked_relation().cloned()
}

/// A column over a hand-built expression.
pub fn column(expression: proto::Expression) -> Column {
    Column { expr: expression }
}

/// The expression of a column.
pub fn expression(column: &Column) -> proto::Expression {
    column.expr.clone()
}

/// Runs a hand-built command and returns the server's responses (without `ResultComplete`).
pub async fn execute_command(
    session: &SparkSession,
    command: proto::command::CommandType,
) -> Result<Vec<proto::execute_plan_response::ResponseType>> {
    session.execute_command(command).await
}

/// The server's responses to a DataFrame's plan, undecoded (Arrow batches stay IPC bytes), in
/// order and without `ResultComplete`; the execution is reattachable and released as any other.
/// For measuring or relaying results without decoding them.
pub struct Responses {
    inner: crate::client::ResponseStream,
}

impl Responses {
    /// The next response; `None` at the end of the result.
    pub async fn next(&mut self) -> Result<Option<proto::ExecutePlanResponse>> {
        self.inner.next_response().await
    }
}

/// Runs `df`'s plan and returns its raw [`Responses`].
pub fn execute(df: &DataFrame) -> Responses {
    let inner = match df.plan() {
        Ok(plan) => df.session().client().execute(plan, vec![]),
        Err(e) => crate::client::ResponseStream::failed(e),
    };
    Responses { inner }
}
