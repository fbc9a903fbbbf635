//! [`SparkSession`]: the entry point, built from an `sc://` connection string.
//!
//! ```no_run
//! # async fn run() -> spark_client::Result<()> {
//! use spark_client::SparkSession;
//!
//! let spark = SparkSession::builder()
//!     .remote("sc://127.0.0.1:15002/;user_id=mindy")
//!     .build()
//!     .await?;
//! println!("Spark {}", spark.version().await?);
//! let df = spark.sql("SELECT 1 AS one").await?;
//! let batches = df.collect().await?;
//! # Ok(()) }
//! ```

use std::collections::HashMap;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use arrow_array::RecordBatch;
use spark_connect_proto as pb;
use spark_connect_proto::execute_plan_response::ResponseType;
use spark_connect_proto::relation::RelType;

use crate::catalog::Catalog;
use crate::client::url::ConnectionString;
use crate::client::{Client, ClientConfig};
use crate::conf::RuntimeConfig;
use crate::dataframe::{DataFrame, DataFrameReader};
use crate::errors::{Error, Result};
use crate::streaming::{DataStreamReader, StreamingQueryManager};
use crate::types::IntoLiteral;

pub use crate::client::{RetryPolicy, TokenProvider};

/// A connection to a Spark Connect server and one server-side session. Cheap to clone; clones
/// share the connection and the session.
#[derive(Clone)]
pub struct SparkSession {
    inner: Arc<SessionInner>,
}

struct SessionInner {
    client: Client,
    /// Source of the per-relation plan ids that let the server tell apart the two sides of a
    /// self-join (`df.col("x")`).
    next_plan_id: AtomicI64,
}

impl std::fmt::Debug for SparkSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SparkSession")
            .field("session_id", &self.session_id())
            .finish_non_exhaustive()
    }
}

/// The rows of [`SparkSession::range_with`]: `Range::new(0, 100).step(5).partitions(4)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub struct Range {
    start: i64,
    end: i64,
    step: i64,
    partitions: Option<i32>,
}

impl Range {
    /// From `start` (inclusive) to `end` (exclusive), step 1, the server's partition count.
    pub fn new(start: i64, end: i64) -> Range {
        Range {
            start,
            end,
            step: 1,
            partitions: None,
        }
    }

    /// Every `step`-th number (negative to count down).
    pub fn step(mut self, step: i64) -> Range {
        self.step = step;
        self
    }

    /// Split into `n` partitions.
    pub fn partitions(mut self, n: i32) -> Range {
        self.partitions = Some(n);
        self
    }
}

/// Builds a [`SparkSession`]; start with [`SparkSession::builder`].
#[must_use]
pub struct SparkSessionBuilder {
    remote: String,
    retry: RetryPolicy,
    token_provider: Option<TokenProvider>,
    headers: Vec<(String, String)>,
    connect_timeout: Duration,
    reattach: bool,
}

impl SparkSession {
    /// A builder connecting to `sc://127.0.0.1:15002` unless [`remote`](SparkSessionBuilder::remote)
    /// says otherwise.
    pub fn builder() -> SparkSessionBuilder {
        SparkSessionBuilder {
            remote: "sc://127.0.0.1:15002".into(),
            retry: RetryPolicy::default(),
            token_provider: None,
            headers: Vec::new(),
            connect_timeout: Duration::from_secs(10),
            reattach: true,
        }
    }

    /// The session id (a UUID) the server knows this session by.
    pub fn session_id(&self) -> &str {
        self.inner.client.session_id()
    }

    pub(crate) fn client(&self) -> &Client {
        &self.inner.client
    }

    pub(crate) fn next_plan_id(&self) -> i64 {
        self.inner.next_plan_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Wraps a relation type into a relation with a fresh plan id.
    pub(crate) fn relation(&self, rel: RelType) -> pb::Relation {
        pb::Relation {
            common: Some(pb::RelationCommon {
                plan_id: Some(self.next_plan_id()),
                ..Default::default()
            }),
            rel_type: Some(rel),
        }
    }

    pub(crate) fn dataframe(&self, rel: RelType) -> DataFrame {
        DataFrame::new(self.clone(), self.relation(rel))
    }

    /// A DataFrame over a relation built elsewhere (the server's answer to a SQL command, a
    /// hand-built plan), with a fresh plan id of this session so that `df.col(..)` binds to it,
    /// as PySpark does for the relation `spark.sql` returns.
    pub(crate) fn adopt(&self, mut relation: pb::Relation) -> DataFrame {
        relation.common.get_or_insert_with(Default::default).plan_id = Some(self.next_plan_id());
        DataFrame::new(self.clone(), relation)
    }

    /// Runs a SQL statement. Statements with side effects (DDL, `INSERT`, `MERGE`) run now, as in
    /// PySpark; queries return a lazy DataFrame. Add parameters with
    /// [`arg`](SqlBuilder::arg) (`:name` markers) or [`pos_arg`](SqlBuilder::pos_arg) (`?` markers).
    pub fn sql(&self, query: impl Into<String>) -> SqlBuilder {
        SqlBuilder {
            session: self.clone(),
            query: query.into(),
            args: HashMap::new(),
            pos_args: Vec::new(),
            invalid: None,
        }
    }

    /// A DataFrame with one `BIGINT` column `id` from `start` (inclusive) to `end` (exclusive).
    pub fn range(&self, start: i64, end: i64) -> DataFrame {
        self.range_with(Range::new(start, end))
    }

    /// A DataFrame with one `BIGINT` column `id` as [`Range`] says (step, partitions).
    pub fn range_with(&self, range: Range) -> DataFrame {
        self.dataframe(RelType::Range(pb::Range {
            start: Some(range.start),
            end: range.end,
            step: range.step,
            num_partitions: range.partitions,
        }))
    }

    /// The table or view `name` (e.g. `"db.events"`).
    pub fn table(&self, name: &str) -> DataFrame {
        self.read().table(name)
    }

    /// Reads batch data sources (`parquet`, `delta`, `json`, ...).
    pub fn read(&self) -> DataFrameReader {
        DataFrameReader::new(self.clone())
    }

    /// Reads streaming sources (`kafka`, `rate`, Delta tables, ...).
    pub fn read_stream(&self) -> DataStreamReader {
        DataStreamReader::new(self.clone())
    }

    /// A DataFrame holding `batches` (sent to the server inline as Arrow IPC; a `LocalRelation`).
    /// All batches must share one schema; at least one batch is needed to carry it.
    pub fn create_dataframe(&self, batches: &[RecordBatch]) -> Result<DataFrame> {
        let first = batches
            .first()
            .ok_or_else(|| Error::invalid_argument("create_dataframe needs at least one batch"))?;
        let mut buf = Vec::new();
        {
            let mut writer = arrow_ipc::writer::StreamWriter::try_new(&mut buf, &first.schema())?;
            for batch in batches {
                writer.write(batch)?;
            }
            writer.finish()?;
        }
        Ok(self.dataframe(RelType::LocalRelation(pb::LocalRelation {
            data: Some(buf.into()),
            schema: None,
        })))
    }

    /// The server's Spark version, e.g. `3.5.7`.
    pub async fn version(&self) -> Result<String> {
        use pb::analyze_plan_request::{Analyze, SparkVersion};
        use pb::analyze_plan_response::Result as R;
        match self
            .client()
            .analyze(Analyze::SparkVersion(SparkVersion {}))
            .await?
        {
            R::SparkVersion(v) => Ok(v.version),
            other => Err(Error::protocol(format!(
                "expected a version, got {other:?}"
            ))),
        }
    }

    /// Runtime configuration (`spark.sql.*` and friends) of this session.
    pub fn conf(&self) -> RuntimeConfig {
        RuntimeConfig::new(self.clone())
    }

    /// Tables, databases and views.
    pub fn catalog(&self) -> Catalog {
        Catalog::new(self.clone())
    }

    /// The streaming queries of this session.
    pub fn streams(&self) -> StreamingQueryManager {
        StreamingQueryManager::new(self.clone())
    }

    /// Ends this session (and its clones): later calls fail with `InvalidArgument`. On a Spark 4
    /// server the server-side session is released now (`ReleaseSession`, which also stops its
    /// operations); Spark 3.5 has no such call, so its running operations are interrupted and the
    /// idle session expires on the server, as after PySpark 3.5's `stop()`. When the server cannot be
    /// reached (after the retry policy), the session is closed on this side only. Stopping twice does
    /// nothing.
    pub async fn stop(&self) -> Result<()> {
        if self.client().check_open().is_err() {
            return Ok(());
        }
        let release = match self.version().await {
            Ok(v) => !v.starts_with("3."),
            Err(e) => {
                tracing::debug!(error = %e, "stop: server unreachable, closing locally");
                return self.client().close(false).await;
            }
        };
        if !release {
            self.interrupt_all().await?;
        }
        self.client().close(release).await
    }

    /// Interrupts every running operation of this session; returns their operation ids.
    pub async fn interrupt_all(&self) -> Result<Vec<String>> {
        use pb::interrupt_request::InterruptType;
        self.client().interrupt(InterruptType::All, None).await
    }

    /// Interrupts one operation (see [`RecordBatchStream::operation_id`](crate::dataframe::RecordBatchStream::operation_id)).
    pub async fn interrupt_operation(&self, operation_id: &str) -> Result<Vec<String>> {
        use pb::interrupt_request::{Interrupt, InterruptType};
        let target = Interrupt::OperationId(operation_id.to_string());
        self.client()
            .interrupt(InterruptType::OperationId, Some(target))
            .await
    }

    /// Runs a command plan and returns its non-batch responses.
    pub(crate) async fn execute_command(
        &self,
        command: pb::command::CommandType,
    ) -> Result<Vec<ResponseType>> {
        let plan = pb::Plan {
            op_type: Some(pb::plan::OpType::Command(pb::Command {
                command_type: Some(command),
            })),
        };
        let responses = self.client().execute_command(plan).await?;
        Ok(responses
            .into_iter()
            .filter_map(|r| r.response_type)
            .collect())
    }
}

impl SparkSessionBuilder {
    /// The server, as `sc://host:port/;token=...;user_id=...;session_id=...;use_ssl=...`.
    pub fn remote(mut self, url: impl Into<String>) -> Self {
        self.remote = url.into();
        self
    }

    /// How calls are retried while the server is unavailable (default: [`RetryPolicy::default`]).
    pub fn with_retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// An auth hook: called before every request, its token is sent as `authorization: Bearer`.
    pub fn with_token_provider(
        mut self,
        provider: impl Fn() -> Option<String> + Send + Sync + 'static,
    ) -> Self {
        self.token_provider = Some(Arc::new(provider));
        self
    }

    /// A gRPC metadata header sent with every request.
    pub fn with_header(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((key.into(), value.into()));
        self
    }

    /// Whether executions are reattachable (default: yes, as PySpark's). When a result stream
    /// breaks, a reattachable execution resumes after the last response received; without it the
    /// call fails (or sends the plan again when nothing had arrived yet).
    ///
    /// Turn it off for a server whose `ReattachExecute` resumes elsewhere: Sail 0.7.2 resumes
    /// after the last response *it sent*, so responses in flight when a connection drops are lost
    /// without an error (20,480 of 2,000,000 rows in `tests/resilience.rs`).
    pub fn with_reattach(mut self, reattach: bool) -> Self {
        self.reattach = reattach;
        self
    }

    /// How long dialling the server may take (default 10 s).
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Builds the session. The connection is opened by the first call and reopened as needed, so
    /// this fails only on a malformed URL or header.
    pub async fn build(self) -> Result<SparkSession> {
        let conn = ConnectionString::parse(&self.remote)?;
        let client = Client::new(ClientConfig {
            conn,
            retry: self.retry,
            token_provider: self.token_provider,
            extra_headers: self.headers,
            connect_timeout: self.connect_timeout,
            reattach: self.reattach,
        })?;
        Ok(SparkSession {
            inner: Arc::new(SessionInner {
                client,
                next_plan_id: AtomicI64::new(1),
            }),
        })
    }
}

/// A SQL statement with its parameters; `.await` it to run it.
#[must_use = "a SQL statement does nothing until awaited"]
pub struct SqlBuilder {
    session: SparkSession,
    query: String,
    args: HashMap<String, pb::expression::Literal>,
    pos_args: Vec<pb::expression::Literal>,
    /// The first parameter that cannot be sent; awaiting the statement fails with it.
    invalid: Option<Error>,
}

impl SqlBuilder {
    /// Binds the named parameter `:name`.
    ///
    /// Parameters travel as literals (Spark 3.5 takes nothing else), so an array, map or struct
    /// holding a null is refused when the statement is awaited: the server would read the null
    /// as `0` or `""`. Scalars, typed nulls and containers without nulls are exact.
    pub fn arg(mut self, name: impl Into<String>, value: impl IntoLiteral) -> Self {
        let name = name.into();
        match value.into_literal().to_proto() {
            Ok(v) => {
                self.args.insert(name, v);
            }
            Err(e) => self.reject(format!("SQL parameter :{name}: {e}")),
        }
        self
    }

    /// Binds the next positional parameter `?` (see [`arg`](Self::arg) for what can be sent).
    pub fn pos_arg(mut self, value: impl IntoLiteral) -> Self {
        match value.into_literal().to_proto() {
            Ok(v) => self.pos_args.push(v),
            Err(e) => {
                let n = self.pos_args.len() + 1;
                self.reject(format!("SQL parameter {n}: {e}"))
            }
        }
        self
    }

    fn reject(&mut self, reason: String) {
        self.invalid.get_or_insert(Error::invalid_argument(reason));
    }

    /// The command this statement sends (Spark 3.5's `sql`/`args`/`pos_args` fields).
    #[allow(deprecated)] // `sql` and `pos_args` are deprecated in 4.x protos but are what 3.5 reads.
    pub(crate) fn command(&self) -> pb::command::CommandType {
        pb::command::CommandType::SqlCommand(pb::SqlCommand {
            sql: self.query.clone(),
            args: self.args.clone(),
            pos_args: self.pos_args.clone(),
            ..Default::default()
        })
    }

    async fn run(mut self) -> Result<DataFrame> {
        if let Some(e) = self.invalid.take() {
            return Err(e);
        }
        let responses = self.session.execute_command(self.command()).await?;
        let relation = responses.into_iter().find_map(|r| match r {
            ResponseType::SqlCommandResult(r) => r.relation,
            _ => None,
        });
        let relation =
            relation.ok_or_else(|| Error::protocol("SQL command returned no relation"))?;
        Ok(self.session.adopt(relation))
    }
}

impl IntoFuture for SqlBuilder {
    type Output = Result<DataFrame>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<DataFrame>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.run())
    }
}
