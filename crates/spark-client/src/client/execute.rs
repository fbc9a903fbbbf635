//! Reattachable execution: `ExecutePlan`, then `ReattachExecute` when the stream drops before
//! `ResultComplete`, then `ReleaseExecute` when done.
//!
//! Each execution runs in its own task that pushes responses into a bounded channel. The bound gives
//! backpressure (the server is read only as fast as the caller consumes, so a 10M-row result is never
//! buffered whole), and the task lets network reads overlap with the caller's work. Dropping the
//! stream closes the channel; the task then releases the operation so the server stops it.

use std::task::{Context, Poll};
use std::time::Duration;

use spark_connect_proto as pb;
use spark_connect_proto::execute_plan_response::ResponseType;
use tokio::sync::mpsc;
use tonic::Streaming;

use super::retry::Retrier;
use super::Client;
use crate::errors::{Error, Result};

/// Responses buffered between the network task and the consumer.
const CHANNEL_DEPTH: usize = 8;

/// How long the final `ReleaseExecute` may take before we give up on it (the server's own
/// timeout reclaims abandoned operations anyway).
const RELEASE_TIMEOUT: Duration = Duration::from_secs(10);

/// The responses of one execution, in order, without `ResultComplete`.
#[derive(Debug)]
pub(crate) struct ResponseStream {
    rx: mpsc::Receiver<Result<pb::ExecutePlanResponse>>,
    operation_id: String,
    complete: bool,
    failed: bool,
}

impl ResponseStream {
    /// The client-chosen id of this operation (usable with `interrupt_operation`).
    pub(crate) fn operation_id(&self) -> &str {
        &self.operation_id
    }

    /// A stream that yields `err` and ends, for a plan that was never sent (its operation id is
    /// empty).
    pub(crate) fn failed(err: Error) -> ResponseStream {
        let (tx, rx) = mpsc::channel(1);
        tx.try_send(Err(err)).expect("a new channel has room");
        ResponseStream {
            rx,
            operation_id: String::new(),
            complete: false,
            failed: false,
        }
    }

    /// The next response, `None` after `ResultComplete`.
    pub(crate) async fn next_response(&mut self) -> Result<Option<pb::ExecutePlanResponse>> {
        std::future::poll_fn(|cx| self.poll_next_response(cx)).await
    }

    /// Poll form of [`next_response`](Self::next_response).
    pub(crate) fn poll_next_response(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Result<Option<pb::ExecutePlanResponse>>> {
        if self.complete || self.failed {
            return Poll::Ready(Ok(None));
        }
        match self.rx.poll_recv(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Some(Ok(resp))) => {
                if matches!(resp.response_type, Some(ResponseType::ResultComplete(_))) {
                    self.complete = true;
                    return Poll::Ready(Ok(None));
                }
                Poll::Ready(Ok(Some(resp)))
            }
            Poll::Ready(Some(Err(err))) => {
                self.failed = true;
                Poll::Ready(Err(err))
            }
            Poll::Ready(None) => {
                self.failed = true;
                Poll::Ready(Err(Error::protocol(
                    "the execution ended without ResultComplete",
                )))
            }
        }
    }
}

/// Starts the execution task.
pub(super) fn spawn(client: Client, plan: pb::Plan, tags: Vec<String>) -> ResponseStream {
    let operation_id = uuid::Uuid::new_v4().to_string();
    let request = pb::ExecutePlanRequest {
        session_id: client.session_id().to_string(),
        user_context: client.user_context(),
        operation_id: Some(operation_id.clone()),
        plan: Some(plan),
        client_type: client.client_type(),
        request_options: vec![pb::execute_plan_request::RequestOption {
            request_option: Some(
                pb::execute_plan_request::request_option::RequestOption::ReattachOptions(
                    pb::ReattachOptions {
                        reattachable: client.reattachable(),
                    },
                ),
            ),
        }],
        tags,
        ..Default::default()
    };
    let (tx, rx) = mpsc::channel(CHANNEL_DEPTH);
    let op = Operation {
        client,
        request,
        operation_id: operation_id.clone(),
        last_response_id: None,
        tx,
    };
    tokio::spawn(op.run());
    ResponseStream {
        rx,
        operation_id,
        complete: false,
        failed: false,
    }
}

/// State of one execution while its task runs.
struct Operation {
    client: Client,
    /// Re-sent as is when the server never saw the first attempt.
    request: pb::ExecutePlanRequest,
    operation_id: String,
    /// The last response we received; a reattach resumes after it.
    last_response_id: Option<String>,
    tx: mpsc::Sender<Result<pb::ExecutePlanResponse>>,
}

/// What to do after a stream ended.
enum Next {
    /// `ResultComplete` was received.
    Done,
    /// The consumer dropped the stream.
    Abandoned,
    /// Reattach (the stream ended before `ResultComplete`).
    Reattach,
}

impl Operation {
    async fn run(mut self) {
        let policy = self.client.retry_policy().clone();
        let mut retrier = Retrier::new(&policy);
        let mut reattach = false;
        let outcome = loop {
            let seen_before = self.last_response_id.clone();
            let step = match self.open(reattach).await {
                Ok(stream) => self.drain(stream).await,
                Err(err) => Err(err),
            };
            let err = match step {
                Ok(Next::Done) => break Ok(true),
                Ok(Next::Abandoned) => break Ok(false),
                // Only reattachable executions end this way (see `drain`).
                Ok(Next::Reattach) => {
                    reattach = true;
                    retrier = Retrier::new(&policy);
                    continue;
                }
                Err(err) => err,
            };
            if !self.client.reattachable() && self.last_response_id.is_some() {
                // Without reattach, a stream that broke after some responses cannot be resumed
                // (sending the plan again would repeat them): fail instead.
                break Err(err);
            }
            if self.last_response_id != seen_before {
                // Progress was made since the last failure: start the backoff over.
                retrier = Retrier::new(&policy);
            }
            if self.last_response_id.is_none() && is_lost_handle(&err) {
                // The server never saw (or forgot, after a restart) an operation we got nothing from:
                // running it again is safe. PySpark 3.5 does the same.
                reattach = false;
                continue;
            }
            match retrier.on_error(err).await {
                // Without reattach (and so with nothing received yet): send the plan again.
                Ok(()) => reattach = self.client.reattachable(),
                Err(err) => break Err(err),
            }
        };
        let completed = match outcome {
            Ok(done) => done,
            Err(err) => {
                let _ = self.tx.send(Err(err)).await;
                false
            }
        };
        // Let the consumer finish before the release round trip.
        drop(self.tx);
        // A non-reattachable execution is gone once its stream ends: nothing to release.
        if self.client.reattachable() {
            release_all(&self.client, &self.operation_id, completed).await;
        }
    }

    async fn open(&self, reattach: bool) -> Result<Streaming<pb::ExecutePlanResponse>> {
        let mut grpc = self.client.grpc();
        if !reattach {
            let req = self.client.request(self.request.clone());
            return Ok(grpc.execute_plan(req).await?.into_inner());
        }
        let req = pb::ReattachExecuteRequest {
            session_id: self.client.session_id().to_string(),
            user_context: self.client.user_context(),
            operation_id: self.operation_id.clone(),
            client_type: self.client.client_type(),
            last_response_id: self.last_response_id.clone(),
            ..Default::default()
        };
        Ok(grpc
            .reattach_execute(self.client.request(req))
            .await?
            .into_inner())
    }

    /// Forwards responses until the stream ends; errors are returned for the retry logic.
    async fn drain(&mut self, mut stream: Streaming<pb::ExecutePlanResponse>) -> Result<Next> {
        loop {
            let Some(resp) = stream.message().await? else {
                if self.client.reattachable() {
                    return Ok(Next::Reattach);
                }
                // A non-reattachable execution has no ResultComplete (Spark sends it only to
                // reattachable ones): its stream ending cleanly is its end. Tell the consumer.
                let complete = pb::ExecutePlanResponse {
                    session_id: self.client.session_id().to_string(),
                    operation_id: self.operation_id.clone(),
                    response_type: Some(ResponseType::ResultComplete(Default::default())),
                    ..Default::default()
                };
                return match self.tx.send(Ok(complete)).await {
                    Ok(()) => Ok(Next::Done),
                    Err(_) => Ok(Next::Abandoned),
                };
            };
            if !resp.operation_id.is_empty() && resp.operation_id != self.operation_id {
                return Err(Error::protocol(format!(
                    "response for operation {} on operation {}",
                    resp.operation_id, self.operation_id
                )));
            }
            self.last_response_id = Some(resp.response_id.clone());
            let complete = matches!(resp.response_type, Some(ResponseType::ResultComplete(_)));
            if self.tx.send(Ok(resp)).await.is_err() {
                return Ok(Next::Abandoned);
            }
            if complete {
                return Ok(Next::Done);
            }
        }
    }
}

/// `INVALID_HANDLE.OPERATION_NOT_FOUND` / `SESSION_NOT_FOUND`: the server has no such operation.
///
/// Sail says `operation not found` both after a restart and after an interrupt (its stream ends
/// cleanly when interrupted); that is not taken as lost, so an interrupted query is never re-run.
fn is_lost_handle(err: &Error) -> bool {
    let Some(server) = err.server() else {
        return false;
    };
    let text = server.error_class().unwrap_or(server.message());
    text.contains("INVALID_HANDLE.OPERATION_NOT_FOUND")
        || text.contains("INVALID_HANDLE.SESSION_NOT_FOUND")
        || server
            .message()
            .contains("INVALID_HANDLE.OPERATION_NOT_FOUND")
}

/// Tells the server it can drop the operation's buffered responses (and stop it if still running).
async fn release_all(client: &Client, operation_id: &str, completed: bool) {
    let req = pb::ReleaseExecuteRequest {
        session_id: client.session_id().to_string(),
        user_context: client.user_context(),
        operation_id: operation_id.to_string(),
        client_type: client.client_type(),
        release: Some(pb::release_execute_request::Release::ReleaseAll(
            pb::release_execute_request::ReleaseAll {},
        )),
        ..Default::default()
    };
    let mut grpc = client.grpc();
    let call = grpc.release_execute(client.request(req));
    match tokio::time::timeout(RELEASE_TIMEOUT, call).await {
        Ok(Ok(_)) => {}
        Ok(Err(status)) => {
            tracing::debug!(operation_id, completed, %status, "ReleaseExecute failed")
        }
        Err(_) => tracing::debug!(operation_id, "ReleaseExecute timed out"),
    }
}
