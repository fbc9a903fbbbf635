//! `POST /api/chat` and its streaming variant `POST /api/chat/stream`.

use std::convert::Infallible;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use serde::{Deserialize, Serialize};
use tokio_stream::wrappers::ReceiverStream;
use utoipa::ToSchema;

use crate::chat::service::ChatReply;
use crate::error::{AppError, ErrorBody, Json};
use crate::state::AppState;

/// Longest question accepted, in characters.
const MAX_MESSAGE: usize = 2000;

/// A chat message.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChatRequest {
    /// The question.
    pub message: String,
    /// The conversation to continue (a UUID from an earlier reply); omit to start one.
    #[serde(default)]
    pub conversation_id: Option<String>,
}

impl ChatRequest {
    /// The trimmed message and the conversation id (a new one when absent).
    fn validate(&self) -> Result<(String, String), AppError> {
        let message = self.message.trim();
        if message.is_empty() {
            return Err(AppError::BadRequest("message must not be empty".into()));
        }
        if message.chars().count() > MAX_MESSAGE {
            return Err(AppError::BadRequest(format!(
                "message is longer than {MAX_MESSAGE} characters"
            )));
        }
        let id = match &self.conversation_id {
            Some(id) => uuid::Uuid::parse_str(id)
                .map_err(|_| AppError::BadRequest("conversation_id must be a UUID".into()))?
                .to_string(),
            None => uuid::Uuid::new_v4().to_string(),
        };
        Ok((message.to_string(), id))
    }
}

async fn ask(state: &AppState, request: &ChatRequest) -> Result<ChatReply, AppError> {
    let (message, id) = request.validate()?;
    let today = state.settings.clock.today(state.settings.timezone);
    Ok(state.chat.ask(&message, &id, today).await?)
}

/// Answers a question about the email statistics.
#[utoipa::path(
    post,
    path = "/api/chat",
    tag = "chat",
    request_body = ChatRequest,
    responses(
        (status = 200, description = "The answer (or a refusal with suggestions)", body = ChatReply),
        (status = 400, description = "Malformed request", body = ErrorBody),
        (status = 401, description = "Missing or wrong bearer token", body = ErrorBody),
        (status = 422, description = "The generated SQL was refused or failed (`sql_refused`, `query_failed`, `query_timeout`)", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
        (status = 502, description = "PostgreSQL or the LLM is unavailable", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn chat(
    State(state): State<AppState>,
    Json(request): Json<ChatRequest>,
) -> Result<axum::Json<ChatReply>, AppError> {
    Ok(axum::Json(ask(&state, &request).await?))
}

/// The answer as server-sent events, for a typing effect: `meta` (conversation id and
/// generator), `token` (the answer, word by word), `result` (sql, columns, rows, chart, notices,
/// refused, suggestions), then `done` (timings); or `error` (`{code, message}`) instead.
#[utoipa::path(
    post,
    path = "/api/chat/stream",
    tag = "chat",
    request_body = ChatRequest,
    responses(
        (status = 200, description = "text/event-stream with events meta, token*, result, done (or error)", content_type = "text/event-stream", body = String),
        (status = 400, description = "Malformed request", body = ErrorBody),
        (status = 401, description = "Missing or wrong bearer token", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn stream(
    State(state): State<AppState>,
    Json(request): Json<ChatRequest>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, AppError> {
    let (message, id) = request.validate()?;
    let (tx, rx) = tokio::sync::mpsc::channel::<Event>(64);
    tokio::spawn(async move {
        let meta =
            serde_json::json!({ "conversation_id": id, "generator": state.chat.generator.name() });
        let _ = tx
            .send(Event::default().event("meta").data(meta.to_string()))
            .await;
        let today = state.settings.clock.today(state.settings.timezone);
        for event in reply_events(
            state
                .chat
                .ask(&message, &id, today)
                .await
                .map_err(AppError::from),
        ) {
            if tx.send(event).await.is_err() {
                return; // the client went away
            }
        }
    });
    let events = futures::StreamExt::map(ReceiverStream::new(rx), Ok);
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}

/// The events after `meta` for a reply or an error.
fn reply_events(reply: Result<ChatReply, AppError>) -> Vec<Event> {
    let reply = match reply {
        Ok(reply) => reply,
        Err(error) => {
            let (_, code) = error.status_code();
            let body = serde_json::json!({ "code": code, "message": error.to_string() });
            if matches!(error, AppError::Upstream { .. } | AppError::Internal(_)) {
                tracing::error!(error = ?error, "chat stream failed");
            }
            return vec![Event::default().event("error").data(body.to_string())];
        }
    };
    let mut events: Vec<Event> = tokens(&reply.answer)
        .into_iter()
        .map(|t| {
            Event::default()
                .event("token")
                .data(serde_json::Value::String(t).to_string())
        })
        .collect();
    let result = serde_json::json!({
        "sql": reply.sql, "columns": reply.columns, "rows": reply.rows, "chart": reply.chart,
        "refused": reply.refused, "suggestions": reply.suggestions, "cached": reply.cached,
        "notices": reply.notices,
    });
    events.push(Event::default().event("result").data(result.to_string()));
    let done = serde_json::json!({ "timings": reply.timings });
    events.push(Event::default().event("done").data(done.to_string()));
    events
}

/// The answer cut into words, each keeping the space after it: joined, they give it back.
pub fn tokens(answer: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for c in answer.chars() {
        current.push(c);
        if c == ' ' {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_rebuild_the_answer() {
        let answer = "You received 47 emails yesterday.";
        assert_eq!(tokens(answer).concat(), answer);
        assert_eq!(tokens(answer).len(), 5);
    }
}
