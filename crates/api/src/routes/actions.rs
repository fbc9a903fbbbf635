//! `/api/actions`: proposals (list, one with its audit, edit, confirm, cancel), the audit, and
//! the tasks and reminders confirmed actions created.

use axum::extract::{Path, Query, State};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::actions::model::{AuditEntry, Proposal, Reminder, Task};
use crate::actions::{store, Actions, Confirmation, Edit};
use crate::error::{AppError, ErrorBody, Json};
use crate::state::AppState;

/// How many rows a list returns.
#[derive(Debug, Clone, Deserialize, IntoParams)]
pub struct ListQuery {
    /// At most this many (1–500, default 50).
    pub limit: Option<i64>,
    /// Only this proposal's entries (audit only).
    pub proposal_id: Option<Uuid>,
}

impl ListQuery {
    fn limit(&self) -> i64 {
        self.limit.unwrap_or(50).clamp(1, 500)
    }
}

/// A proposal and its audit.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProposalDetail {
    /// The proposal.
    pub proposal: Proposal,
    /// Its audit entries, newest first.
    pub audit: Vec<AuditEntry>,
}

fn actions(state: &AppState) -> Result<&Actions, AppError> {
    state
        .chat
        .actions
        .as_ref()
        .ok_or_else(|| AppError::Upstream {
            service: "actions",
            detail: "MINDY_ACTOR_DATABASE_URL is not set".into(),
        })
}

fn now(state: &AppState) -> chrono::DateTime<Utc> {
    state.settings.clock.now(state.settings.timezone)
}

/// Recent proposals, newest first.
#[utoipa::path(get, path = "/api/actions", tag = "actions", params(ListQuery),
    responses((status = 200, body = Vec<Proposal>), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    Query(query): Query<ListQuery>,
) -> Result<axum::Json<Vec<Proposal>>, AppError> {
    let a = actions(&state)?;
    Ok(axum::Json(store::list(&a.pool, query.limit()).await?))
}

/// One proposal with its audit.
#[utoipa::path(get, path = "/api/actions/{id}", tag = "actions",
    params(("id" = Uuid, Path, description = "The proposal's id")),
    responses((status = 200, body = ProposalDetail), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<ProposalDetail>, AppError> {
    let a = actions(&state)?;
    let proposal = store::get(&a.pool, id)
        .await?
        .ok_or_else(|| AppError::Missing(format!("no proposal {id}")))?;
    let audit = store::audit_log(&a.pool, Some(id), 500).await?;
    Ok(axum::Json(ProposalDetail { proposal, audit }))
}

/// Edits a waiting proposal's draft (subject, body, the call's start).
#[utoipa::path(patch, path = "/api/actions/{id}", tag = "actions", request_body = Edit,
    params(("id" = Uuid, Path, description = "The proposal's id")),
    responses((status = 200, body = Proposal), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "No longer waiting (confirmed, cancelled or expired)", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn edit(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    Json(edit): Json<Edit>,
) -> Result<axum::Json<Proposal>, AppError> {
    let a = actions(&state)?;
    Ok(axum::Json(a.edit(id, &edit, now(&state)).await?))
}

/// Confirms a proposal: executes its actions once. Confirming again returns the first
/// outcome with `executed_now: false` and executes nothing.
#[utoipa::path(post, path = "/api/actions/{id}/confirm", tag = "actions",
    params(("id" = Uuid, Path, description = "The proposal's id")),
    responses((status = 200, description = "Executed (or executed before); results per action", body = Confirmation),
        (status = 404, body = ErrorBody), (status = 409, description = "Expired or cancelled", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn confirm(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<Confirmation>, AppError> {
    let a = actions(&state)?;
    Ok(axum::Json(a.confirm(id, now(&state)).await?))
}

/// Cancels a waiting proposal.
#[utoipa::path(post, path = "/api/actions/{id}/cancel", tag = "actions",
    params(("id" = Uuid, Path, description = "The proposal's id")),
    responses((status = 200, body = Proposal), (status = 404, body = ErrorBody),
        (status = 409, description = "No longer waiting", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn cancel(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<Proposal>, AppError> {
    let a = actions(&state)?;
    match store::cancel(&a.pool, id).await? {
        Some(p) => Ok(axum::Json(p)),
        None => match store::get(&a.pool, id).await? {
            None => Err(AppError::Missing(format!("no proposal {id}"))),
            Some(_) => Err(AppError::Conflict(
                "that proposal is no longer waiting".into(),
            )),
        },
    }
}

/// The append-only audit, newest first.
#[utoipa::path(get, path = "/api/actions/audit", tag = "actions", params(ListQuery),
    responses((status = 200, body = Vec<AuditEntry>)), security(("bearer" = [])))]
pub async fn audit(
    State(state): State<AppState>,
    Query(query): Query<ListQuery>,
) -> Result<axum::Json<Vec<AuditEntry>>, AppError> {
    let a = actions(&state)?;
    Ok(axum::Json(
        store::audit_log(&a.pool, query.proposal_id, query.limit()).await?,
    ))
}

/// Tasks, open ones first.
#[utoipa::path(get, path = "/api/tasks", tag = "actions", params(ListQuery),
    responses((status = 200, body = Vec<Task>)), security(("bearer" = [])))]
pub async fn tasks(
    State(state): State<AppState>,
    Query(query): Query<ListQuery>,
) -> Result<axum::Json<Vec<Task>>, AppError> {
    let a = actions(&state)?;
    Ok(axum::Json(store::tasks(&a.pool, query.limit()).await?))
}

/// Reminders, latest first, with their delivery.
#[utoipa::path(get, path = "/api/reminders", tag = "actions", params(ListQuery),
    responses((status = 200, body = Vec<Reminder>)), security(("bearer" = [])))]
pub async fn reminders(
    State(state): State<AppState>,
    Query(query): Query<ListQuery>,
) -> Result<axum::Json<Vec<Reminder>>, AppError> {
    let a = actions(&state)?;
    Ok(axum::Json(store::reminders(&a.pool, query.limit()).await?))
}
