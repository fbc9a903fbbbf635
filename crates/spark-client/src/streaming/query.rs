//! [`StreamingQuery`] handles and the session's [`StreamingQueryManager`].

use std::time::Duration;

use spark_connect_proto as pb;
use spark_connect_proto::execute_plan_response::ResponseType;
use spark_connect_proto::streaming_query_command::{self as qc, Command};
use spark_connect_proto::streaming_query_command_result::ResultType;
use spark_connect_proto::streaming_query_manager_command::{self as mc, Command as ManagerCommand};
use spark_connect_proto::streaming_query_manager_command_result::ResultType as ManagerResult;

use super::StreamingQueryProgress;
use crate::errors::{Error, Result};
use crate::session::SparkSession;

/// A running (or finished) streaming query. Cheap to clone; every call asks the server.
#[derive(Debug, Clone)]
pub struct StreamingQuery {
    session: SparkSession,
    id: String,
    run_id: String,
    name: Option<String>,
}

/// What a query is doing now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamingQueryStatus {
    /// A human-readable status, e.g. `Waiting for data to arrive`.
    pub message: String,
    /// Whether new data is available at the sources.
    pub is_data_available: bool,
    /// Whether a trigger is running.
    pub is_trigger_active: bool,
    /// Whether the query is still running.
    pub is_active: bool,
}

/// Why a query failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamingQueryException {
    /// The exception message.
    pub message: String,
    /// Spark's error class, when the failure has one.
    pub error_class: Option<String>,
    /// The JVM stack trace, when the server sent it.
    pub stack_trace: Option<String>,
}

impl StreamingQuery {
    pub(crate) fn new(
        session: SparkSession,
        id: String,
        run_id: String,
        name: Option<String>,
    ) -> Self {
        StreamingQuery {
            session,
            id,
            run_id,
            name,
        }
    }

    /// The query id, stable across restarts from the same checkpoint.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The id of this run.
    pub fn run_id(&self) -> &str {
        &self.run_id
    }

    /// The query name, if one was given.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    async fn command(&self, command: Command) -> Result<ResultType> {
        self.command_opt(command)
            .await?
            .ok_or_else(|| Error::protocol("streaming query command returned no result"))
    }

    /// Some commands (e.g. `exception` of a healthy query) legitimately return no result.
    async fn command_opt(&self, command: Command) -> Result<Option<ResultType>> {
        let cmd = pb::command::CommandType::StreamingQueryCommand(pb::StreamingQueryCommand {
            query_id: Some(pb::StreamingQueryInstanceId {
                id: self.id.clone(),
                run_id: self.run_id.clone(),
            }),
            command: Some(command),
        });
        let responses = self.session.execute_command(cmd).await?;
        Ok(responses.into_iter().find_map(|r| match r {
            ResponseType::StreamingQueryCommandResult(r) => r.result_type,
            _ => None,
        }))
    }

    /// The query's current status.
    pub async fn status(&self) -> Result<StreamingQueryStatus> {
        match self.command(Command::Status(true)).await? {
            ResultType::Status(s) => Ok(StreamingQueryStatus {
                message: s.status_message,
                is_data_available: s.is_data_available,
                is_trigger_active: s.is_trigger_active,
                is_active: s.is_active,
            }),
            other => Err(unexpected("status", &other)),
        }
    }

    /// Whether the query is still running.
    pub async fn is_active(&self) -> Result<bool> {
        Ok(self.status().await?.is_active)
    }

    /// The progress of the last micro-batch, if any ran.
    pub async fn last_progress(&self) -> Result<Option<StreamingQueryProgress>> {
        let mut all = self.progress(Command::LastProgress(true)).await?;
        Ok(all.pop())
    }

    /// The progress of the recent micro-batches, oldest first.
    pub async fn recent_progress(&self) -> Result<Vec<StreamingQueryProgress>> {
        self.progress(Command::RecentProgress(true)).await
    }

    async fn progress(&self, command: Command) -> Result<Vec<StreamingQueryProgress>> {
        match self.command(command).await? {
            ResultType::RecentProgress(p) => p
                .recent_progress_json
                .iter()
                .map(|j| StreamingQueryProgress::from_json(j))
                .collect(),
            other => Err(unexpected("progress", &other)),
        }
    }

    /// Waits until the query stops. A query that failed returns its error.
    pub async fn await_termination(&self) -> Result<()> {
        self.await_stop(None).await.map(drop)
    }

    /// Waits until the query stops or `timeout` passes; returns whether it stopped. A query that
    /// failed returns its error.
    pub async fn await_termination_for(&self, timeout: Duration) -> Result<bool> {
        self.await_stop(Some(timeout)).await
    }

    async fn await_stop(&self, timeout: Option<Duration>) -> Result<bool> {
        let cmd = Command::AwaitTermination(qc::AwaitTerminationCommand {
            timeout_ms: timeout.map(|t| t.as_millis() as i64),
        });
        match self.command(cmd).await? {
            ResultType::AwaitTermination(r) => Ok(r.terminated),
            other => Err(unexpected("await_termination", &other)),
        }
    }

    /// Blocks until every available input is processed (for tests; not with `Trigger::Continuous`).
    pub async fn process_all_available(&self) -> Result<()> {
        self.command_opt(Command::ProcessAllAvailable(true)).await?;
        Ok(())
    }

    /// Stops the query.
    pub async fn stop(&self) -> Result<()> {
        self.command_opt(Command::Stop(true)).await?;
        Ok(())
    }

    /// The failure that stopped the query, if it failed.
    pub async fn exception(&self) -> Result<Option<StreamingQueryException>> {
        // A healthy query answers with no result at all.
        match self.command_opt(Command::Exception(true)).await? {
            None => Ok(None),
            Some(ResultType::Exception(e)) => {
                Ok(e.exception_message.map(|message| StreamingQueryException {
                    // Spark 3.5 leaves the class out of this result; it starts the message.
                    error_class: e
                        .error_class
                        .filter(|c| !c.is_empty())
                        .or_else(|| crate::errors::error_class_from_message(&message)),
                    message,
                    stack_trace: e.stack_trace,
                }))
            }
            Some(other) => Err(unexpected("exception", &other)),
        }
    }

    /// The query's physical plan.
    pub async fn explain(&self, extended: bool) -> Result<String> {
        let cmd = Command::Explain(qc::ExplainCommand { extended });
        match self.command(cmd).await? {
            ResultType::Explain(e) => Ok(e.result),
            other => Err(unexpected("explain", &other)),
        }
    }
}

fn unexpected(what: &str, got: &ResultType) -> Error {
    Error::protocol(format!("expected a {what} result, got {got:?}"))
}

/// The streaming queries of a session (`spark.streams` in PySpark).
#[derive(Debug, Clone)]
pub struct StreamingQueryManager {
    session: SparkSession,
}

impl StreamingQueryManager {
    pub(crate) fn new(session: SparkSession) -> Self {
        StreamingQueryManager { session }
    }

    async fn command(&self, command: ManagerCommand) -> Result<ManagerResult> {
        let cmd = pb::command::CommandType::StreamingQueryManagerCommand(
            pb::StreamingQueryManagerCommand {
                command: Some(command),
            },
        );
        let responses = self.session.execute_command(cmd).await?;
        responses
            .into_iter()
            .find_map(|r| match r {
                ResponseType::StreamingQueryManagerCommandResult(r) => r.result_type,
                _ => None,
            })
            .ok_or_else(|| Error::protocol("streams manager command returned no result"))
    }

    fn query(
        &self,
        q: pb::streaming_query_manager_command_result::StreamingQueryInstance,
    ) -> Option<StreamingQuery> {
        let id = q.id?;
        Some(StreamingQuery::new(
            self.session.clone(),
            id.id,
            id.run_id,
            q.name,
        ))
    }

    /// The queries running in this session.
    pub async fn active(&self) -> Result<Vec<StreamingQuery>> {
        match self.command(ManagerCommand::Active(true)).await? {
            ManagerResult::Active(a) => Ok(a
                .active_queries
                .into_iter()
                .filter_map(|q| self.query(q))
                .collect()),
            other => Err(Error::protocol(format!(
                "expected active queries, got {other:?}"
            ))),
        }
    }

    /// The active query with id `id`, if any.
    pub async fn get(&self, id: &str) -> Result<Option<StreamingQuery>> {
        let result = self.command(ManagerCommand::GetQuery(id.to_string())).await;
        match result {
            Ok(ManagerResult::Query(q)) => Ok(self.query(q)),
            Ok(other) => Err(Error::protocol(format!("expected a query, got {other:?}"))),
            // Spark 3.5 answers an unknown id with an empty result or an error, depending on path.
            Err(e) if e.server().is_some() && !e.is_retriable() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Waits until any query of the session stops.
    pub async fn await_any_termination(&self) -> Result<()> {
        self.await_any(None).await.map(drop)
    }

    /// Waits until any query of the session stops or `timeout` passes; returns whether one did.
    pub async fn await_any_termination_for(&self, timeout: Duration) -> Result<bool> {
        self.await_any(Some(timeout)).await
    }

    async fn await_any(&self, timeout: Option<Duration>) -> Result<bool> {
        let cmd = ManagerCommand::AwaitAnyTermination(mc::AwaitAnyTerminationCommand {
            timeout_ms: timeout.map(|t| t.as_millis() as i64),
        });
        match self.command(cmd).await? {
            ManagerResult::AwaitAnyTermination(r) => Ok(r.terminated),
            other => Err(Error::protocol(format!(
                "expected a termination, got {other:?}"
            ))),
        }
    }

    /// Forgets terminated queries so `await_any_termination` waits for a new one.
    pub async fn reset_terminated(&self) -> Result<()> {
        self.command(ManagerCommand::ResetTerminated(true)).await?;
        Ok(())
    }
}
