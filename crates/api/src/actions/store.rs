//! The proposals, their audit, tasks and reminders in PostgreSQL (as `mindy_actor`).
//!
//! Confirmation is one conditional `UPDATE ... WHERE status = 'proposed' AND expires_at > now()`:
//! of two confirmations at once exactly one claims the proposal and executes it; the other sees
//! it executing or done and executes nothing.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

use super::model::{Action, ActionResult, AuditEntry, Proposal, Reminder, Status, Task};
use super::ActionError;

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    conversation_id: String,
    question: String,
    summary: String,
    actions: sqlx::types::Json<Vec<Action>>,
    status: Status,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    confirmed_at: Option<DateTime<Utc>>,
    finished_at: Option<DateTime<Utc>>,
    results: sqlx::types::Json<Vec<ActionResult>>,
}

impl From<Row> for Proposal {
    fn from(r: Row) -> Self {
        Proposal {
            id: r.id,
            conversation_id: r.conversation_id,
            question: r.question,
            summary: r.summary,
            actions: r.actions.0,
            status: r.status,
            created_at: r.created_at,
            expires_at: r.expires_at,
            confirmed_at: r.confirmed_at,
            finished_at: r.finished_at,
            results: r.results.0,
        }
    }
}

const COLUMNS: &str = "id, conversation_id, question, summary, actions, status, created_at, \
                       expires_at, confirmed_at, finished_at, results";

/// Saves a new proposal and audits it.
pub async fn insert(
    pool: &PgPool,
    conversation_id: &str,
    question: &str,
    summary: &str,
    actions: &[Action],
    expires_at: DateTime<Utc>,
) -> Result<Proposal, ActionError> {
    let mut tx = pool.begin().await?;
    let row: Row = sqlx::query_as(&format!(
        "INSERT INTO action_proposals (id, conversation_id, question, summary, actions, status, expires_at) \
         VALUES ($1, $2, $3, $4, $5, 'proposed', $6) RETURNING {COLUMNS}"
    ))
    .bind(Uuid::new_v4())
    .bind(conversation_id)
    .bind(question)
    .bind(summary)
    .bind(sqlx::types::Json(actions))
    .bind(expires_at)
    .fetch_one(&mut *tx)
    .await?;
    audit(
        &mut *tx,
        Some(row.id),
        "proposed",
        None,
        None,
        json!({ "summary": summary, "actions": actions }),
    )
    .await?;
    tx.commit().await?;
    Ok(row.into())
}

/// One proposal.
pub async fn get(pool: &PgPool, id: Uuid) -> Result<Option<Proposal>, ActionError> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM action_proposals WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(Into::into))
}

/// The conversation's latest proposal.
pub async fn latest(pool: &PgPool, conversation_id: &str) -> Result<Option<Proposal>, ActionError> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM action_proposals WHERE conversation_id = $1 ORDER BY created_at DESC LIMIT 1"
    ))
    .bind(conversation_id)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(Into::into))
}

/// The newest proposals first.
pub async fn list(pool: &PgPool, limit: i64) -> Result<Vec<Proposal>, ActionError> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM action_proposals ORDER BY created_at DESC LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Replaces a waiting proposal's actions (the user edited the draft), audited with the change.
/// `None` when it is no longer waiting (or has expired).
pub async fn edit(
    pool: &PgPool,
    id: Uuid,
    actions: &[Action],
    now: DateTime<Utc>,
) -> Result<Option<Proposal>, ActionError> {
    let mut tx = pool.begin().await?;
    let row: Option<Row> = sqlx::query_as(&format!(
        "UPDATE action_proposals SET actions = $2, updated_at = now() \
         WHERE id = $1 AND status = 'proposed' AND expires_at > $3 RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(sqlx::types::Json(actions))
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    if row.is_some() {
        audit(
            &mut *tx,
            Some(id),
            "edited",
            None,
            None,
            json!({ "actions": actions }),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(row.map(Into::into))
}

/// Claims a waiting, unexpired proposal for execution (audited as confirmed). `None` when it
/// was not waiting: another confirmation claimed it, it was cancelled, or it expired.
pub async fn claim(
    pool: &PgPool,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<Proposal>, ActionError> {
    let mut tx = pool.begin().await?;
    let row: Option<Row> = sqlx::query_as(&format!(
        "UPDATE action_proposals SET status = 'executing', confirmed_at = $2, updated_at = now() \
         WHERE id = $1 AND status = 'proposed' AND expires_at > $2 RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    if row.is_some() {
        audit(&mut *tx, Some(id), "confirmed", None, None, json!({})).await?;
    }
    tx.commit().await?;
    Ok(row.map(Into::into))
}

/// Cancels a waiting proposal. `None` when it was not waiting.
pub async fn cancel(pool: &PgPool, id: Uuid) -> Result<Option<Proposal>, ActionError> {
    let mut tx = pool.begin().await?;
    let row: Option<Row> = sqlx::query_as(&format!(
        "UPDATE action_proposals SET status = 'cancelled', finished_at = now(), updated_at = now() \
         WHERE id = $1 AND status = 'proposed' RETURNING {COLUMNS}"
    ))
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    if row.is_some() {
        audit(&mut *tx, Some(id), "cancelled", None, None, json!({})).await?;
    }
    tx.commit().await?;
    Ok(row.map(Into::into))
}

/// Records the results once execution ended.
pub async fn finish(
    pool: &PgPool,
    id: Uuid,
    results: &[ActionResult],
) -> Result<Proposal, ActionError> {
    let status = if results.iter().all(|r| r.ok) {
        "done"
    } else {
        "failed"
    };
    let row: Row = sqlx::query_as(&format!(
        "UPDATE action_proposals SET status = $2, results = $3, finished_at = now(), updated_at = now() \
         WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(status)
    .bind(sqlx::types::Json(results))
    .fetch_one(pool)
    .await?;
    Ok(row.into())
}

/// Appends to the audit.
pub async fn audit<'e>(
    executor: impl sqlx::PgExecutor<'e>,
    proposal_id: Option<Uuid>,
    event: &str,
    action: Option<&str>,
    external_id: Option<&str>,
    detail: Value,
) -> Result<(), ActionError> {
    sqlx::query(
        "INSERT INTO action_audit (proposal_id, event, action, external_id, detail) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(proposal_id)
    .bind(event)
    .bind(action)
    .bind(external_id)
    .bind(detail)
    .execute(executor)
    .await?;
    Ok(())
}

/// The audit, newest first; one proposal's when `proposal_id` is given.
pub async fn audit_log(
    pool: &PgPool,
    proposal_id: Option<Uuid>,
    limit: i64,
) -> Result<Vec<AuditEntry>, ActionError> {
    Ok(sqlx::query_as(
        "SELECT seq, at, proposal_id, event, action, external_id, detail FROM action_audit \
         WHERE $1::uuid IS NULL OR proposal_id = $1 ORDER BY seq DESC LIMIT $2",
    )
    .bind(proposal_id)
    .bind(limit)
    .fetch_all(pool)
    .await?)
}

/// Tasks, open ones first, by due time.
pub async fn tasks(pool: &PgPool, limit: i64) -> Result<Vec<Task>, ActionError> {
    Ok(sqlx::query_as(
        "SELECT id, proposal_id, title, due_at, status, created_at FROM tasks \
         ORDER BY status = 'done', due_at NULLS LAST, created_at DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(pool)
    .await?)
}

/// Reminders, by time.
pub async fn reminders(pool: &PgPool, limit: i64) -> Result<Vec<Reminder>, ActionError> {
    Ok(sqlx::query_as(
        "SELECT id, proposal_id, remind_at, message, recipient, delivered_at, delivery_id, attempts, last_error \
         FROM reminders ORDER BY remind_at DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(pool)
    .await?)
}
