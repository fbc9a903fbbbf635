//! Structured Streaming: [`DataStreamReader`] (`read_stream`), [`DataStreamWriter`] (`write_stream`),
//! [`StreamingQuery`] and the [`StreamingQueryManager`].
//!
//! ```no_run
//! # async fn run(spark: spark_client::SparkSession) -> spark_client::Result<()> {
//! use spark_client::functions::col;
//! use spark_client::streaming::{OutputMode, Trigger};
//!
//! let events = spark
//!     .read_stream()
//!     .format("kafka")
//!     .option("kafka.bootstrap.servers", "127.0.0.1:9092")
//!     .option("subscribe", "events")
//!     .option("startingOffsets", "earliest")
//!     .load()?;
//! let query = events
//!     .select([col("value").cast("string").alias("json")])
//!     .write_stream()
//!     .format("delta")
//!     .output_mode(OutputMode::Append)
//!     .trigger(Trigger::AvailableNow)
//!     .checkpoint_location("/lake/_checkpoints/events")
//!     .query_name("events_raw")
//!     .start_path("/lake/events")
//!     .await?;
//! query.await_termination().await?;
//! # Ok(()) }
//! ```
//!
//! `foreachBatch` / `foreach` are not available from Rust (they carry Python or Scala code); write
//! to Delta and `MERGE` through `sql` instead.

mod progress;
mod query;

use std::collections::HashMap;
use std::time::Duration;

use spark_connect_proto as pb;
use spark_connect_proto::execute_plan_response::ResponseType;
use spark_connect_proto::read::{DataSource, NamedTable, ReadType};
use spark_connect_proto::relation::RelType;
use spark_connect_proto::write_stream_operation_start::{SinkDestination, Trigger as TriggerProto};

use crate::dataframe::DataFrame;
use crate::errors::{Error, Result};
use crate::functions::JsonSchema;
use crate::session::SparkSession;

pub use progress::{SinkProgress, SourceProgress, StateOperatorProgress, StreamingQueryProgress};
pub use query::{
    StreamingQuery, StreamingQueryException, StreamingQueryManager, StreamingQueryStatus,
};

/// Reads a streaming source: `session.read_stream().format("kafka").option(...).load()`.
#[derive(Debug, Clone)]
#[must_use]
pub struct DataStreamReader {
    session: SparkSession,
    format: Option<String>,
    schema: Option<String>,
    options: HashMap<String, String>,
}

impl DataStreamReader {
    pub(crate) fn new(session: SparkSession) -> Self {
        DataStreamReader {
            session,
            format: None,
            schema: None,
            options: HashMap::new(),
        }
    }

    /// The source format: `kafka`, `rate`, `delta`, `json`, `parquet`, ...
    pub fn format(mut self, format: impl Into<String>) -> Self {
        self.format = Some(format.into());
        self
    }

    /// A source option (Kafka: `kafka.bootstrap.servers`, `subscribe`, `startingOffsets`,
    /// `maxOffsetsPerTrigger`, `failOnDataLoss`; rate: `rowsPerSecond`).
    pub fn option(mut self, key: impl Into<String>, value: impl ToString) -> Self {
        self.options.insert(key.into(), value.to_string());
        self
    }

    /// Several source options.
    pub fn options<K: Into<String>, V: ToString>(
        self,
        options: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        options
            .into_iter()
            .fold(self, |builder, (k, v)| builder.option(k, v))
    }

    /// The schema of file sources (streams cannot infer it).
    pub fn schema(mut self, schema: impl Into<JsonSchema>) -> Self {
        self.schema = Some(schema.into().into_ddl());
        self
    }

    /// A streaming DataFrame over the source. Fails early when a Kafka source lacks
    /// `kafka.bootstrap.servers` or a topic option.
    pub fn load(self) -> Result<DataFrame> {
        self.load_paths(Vec::new())
    }

    /// A streaming DataFrame over the source at `path` (file sources, Delta by path).
    pub fn load_path(self, path: impl Into<String>) -> Result<DataFrame> {
        self.load_paths(vec![path.into()])
    }

    fn load_paths(self, paths: Vec<String>) -> Result<DataFrame> {
        self.validate()?;
        let source = DataSource {
            format: self.format,
            schema: self.schema,
            options: self.options,
            paths,
            ..Default::default()
        };
        Ok(self.session.dataframe(RelType::Read(pb::Read {
            is_streaming: true,
            read_type: Some(ReadType::DataSource(source)),
        })))
    }

    /// Streams the catalog table `name` (e.g. a Delta table: new commits become micro-batches).
    pub fn table(self, name: &str) -> DataFrame {
        self.session.dataframe(RelType::Read(pb::Read {
            is_streaming: true,
            read_type: Some(ReadType::NamedTable(NamedTable {
                unparsed_identifier: name.to_string(),
                options: self.options,
            })),
        }))
    }

    fn validate(&self) -> Result<()> {
        if self.format.as_deref() != Some("kafka") {
            return Ok(());
        }
        if !self.options.contains_key("kafka.bootstrap.servers") {
            return Err(Error::invalid_argument(
                "a kafka source needs the option kafka.bootstrap.servers",
            ));
        }
        let topics = ["subscribe", "subscribePattern", "assign"];
        if !topics.iter().any(|k| self.options.contains_key(*k)) {
            return Err(Error::invalid_argument(
                "a kafka source needs one of the options subscribe, subscribePattern or assign",
            ));
        }
        Ok(())
    }
}

/// When a streaming query runs its micro-batches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// A micro-batch every interval (a zero interval: as fast as possible).
    ProcessingTime(Duration),
    /// Process everything available now, in as many batches as the rate limits need, then stop.
    AvailableNow,
    /// Process everything available in one batch, then stop (deprecated in Spark; prefer
    /// `AvailableNow`).
    Once,
    /// Continuous processing with this checkpoint interval (experimental in Spark).
    Continuous(Duration),
}

/// Which rows a streaming aggregation emits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputMode {
    /// Only new, final rows (aggregations emit a window once the watermark passes it).
    Append,
    /// The whole result table every trigger.
    Complete,
    /// Rows that changed since the last trigger.
    Update,
}

impl OutputMode {
    fn as_str(self) -> &'static str {
        match self {
            OutputMode::Append => "append",
            OutputMode::Complete => "complete",
            OutputMode::Update => "update",
        }
    }
}

fn interval(d: Duration) -> String {
    format!("{} milliseconds", d.as_millis())
}

/// Starts a streaming query: `df.write_stream().format("delta").checkpoint_location(..).start_path(..)`.
#[derive(Debug, Clone)]
#[must_use]
pub struct DataStreamWriter {
    df: DataFrame,
    format: Option<String>,
    output_mode: Option<OutputMode>,
    trigger: Option<Trigger>,
    query_name: Option<String>,
    options: HashMap<String, String>,
    partition_by: Vec<String>,
}

impl DataStreamWriter {
    pub(crate) fn new(df: DataFrame) -> Self {
        DataStreamWriter {
            df,
            format: None,
            output_mode: None,
            trigger: None,
            query_name: None,
            options: HashMap::new(),
            partition_by: vec![],
        }
    }

    /// The sink format: `delta`, `parquet`, `kafka`, `console`, `memory`, ...
    pub fn format(mut self, format: impl Into<String>) -> Self {
        self.format = Some(format.into());
        self
    }

    /// The output mode; unset means the server's default (`append`).
    pub fn output_mode(mut self, mode: OutputMode) -> Self {
        self.output_mode = Some(mode);
        self
    }

    /// The trigger; unset means micro-batches as fast as possible.
    pub fn trigger(mut self, trigger: Trigger) -> Self {
        self.trigger = Some(trigger);
        self
    }

    /// The query name (also the table name of the `memory` sink).
    pub fn query_name(mut self, name: impl Into<String>) -> Self {
        self.query_name = Some(name.into());
        self
    }

    /// Where the query keeps its offsets and state; required by most sinks, and what makes a
    /// restart resume exactly where it stopped.
    pub fn checkpoint_location(self, path: impl Into<String>) -> Self {
        self.option("checkpointLocation", path.into())
    }

    /// A sink option.
    pub fn option(mut self, key: impl Into<String>, value: impl ToString) -> Self {
        self.options.insert(key.into(), value.to_string());
        self
    }

    /// Several sink options.
    pub fn options<K: Into<String>, V: ToString>(
        self,
        options: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        options
            .into_iter()
            .fold(self, |builder, (k, v)| builder.option(k, v))
    }

    /// Partitions the sink's output by these columns.
    pub fn partition_by<S: Into<String>>(mut self, cols: impl IntoIterator<Item = S>) -> Self {
        self.partition_by = cols.into_iter().map(Into::into).collect();
        self
    }

    /// Starts the query with a sink that needs no path (`console`, `memory`, `kafka`, or a
    /// `path` option).
    pub async fn start(self) -> Result<StreamingQuery> {
        self.run(None).await
    }

    /// Starts the query writing to `path` (e.g. a Delta table directory).
    pub async fn start_path(self, path: impl Into<String>) -> Result<StreamingQuery> {
        self.run(Some(SinkDestination::Path(path.into()))).await
    }

    /// Starts the query writing to the catalog table `name`.
    pub async fn to_table(self, name: impl Into<String>) -> Result<StreamingQuery> {
        self.run(Some(SinkDestination::TableName(name.into())))
            .await
    }

    pub(crate) fn operation(&self, sink: Option<SinkDestination>) -> pb::WriteStreamOperationStart {
        let trigger = self.trigger.map(|t| match t {
            Trigger::ProcessingTime(d) => TriggerProto::ProcessingTimeInterval(interval(d)),
            Trigger::AvailableNow => TriggerProto::AvailableNow(true),
            Trigger::Once => TriggerProto::Once(true),
            Trigger::Continuous(d) => TriggerProto::ContinuousCheckpointInterval(interval(d)),
        });
        pb::WriteStreamOperationStart {
            input: Some(self.df.relation().clone()),
            format: self.format.clone().unwrap_or_default(),
            options: self.options.clone(),
            partitioning_column_names: self.partition_by.clone(),
            output_mode: self
                .output_mode
                .map(|m| m.as_str().to_string())
                .unwrap_or_default(),
            query_name: self.query_name.clone().unwrap_or_default(),
            trigger,
            sink_destination: sink,
            ..Default::default()
        }
    }

    async fn run(self, sink: Option<SinkDestination>) -> Result<StreamingQuery> {
        self.df.checked_relation()?;
        let op = self.operation(sink);
        let session = self.df.session().clone();
        let responses = session
            .execute_command(pb::command::CommandType::WriteStreamOperationStart(op))
            .await?;
        let started = responses.into_iter().find_map(|r| match r {
            ResponseType::WriteStreamOperationStartResult(r) => Some(r),
            _ => None,
        });
        let started =
            started.ok_or_else(|| Error::protocol("write_stream start returned no query id"))?;
        let id = started
            .query_id
            .ok_or_else(|| Error::protocol("write_stream start returned no query id"))?;
        let name = (!started.name.is_empty()).then_some(started.name);
        Ok(StreamingQuery::new(session, id.id, id.run_id, name))
    }
}
