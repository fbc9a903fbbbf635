//! Delivering reminders at their time: a loop in `mindy-api` claims due reminders (`FOR UPDATE
//! SKIP LOCKED`, so two API processes never deliver one twice) and emails each to its recipient
//! through the same [`Mailer`] as replies. The state is in PostgreSQL, so reminders that fell due
//! while the API was down are delivered when it is back; a failed delivery is retried on the next
//! tick, up to [`MAX_ATTEMPTS`], each failure recorded.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use super::mailer::{self, Mailer};
use super::model::Person;
use super::{store, ActionError};
use crate::metrics::Metrics;

/// Delivery attempts before a reminder is given up (its last error stays on it).
pub const MAX_ATTEMPTS: i32 = 5;

#[derive(sqlx::FromRow)]
struct Due {
    id: Uuid,
    proposal_id: Option<Uuid>,
    message: String,
    recipient: String,
}

/// Delivers every reminder due at `now`; how many were delivered.
///
/// # Errors
/// [`ActionError::Database`] when PostgreSQL fails (delivery failures are recorded, not returned).
pub async fn deliver_due(
    pool: &PgPool,
    mailer: &Mailer,
    metrics: &Metrics,
    now: DateTime<Utc>,
) -> Result<usize, ActionError> {
    let mut delivered = 0;
    loop {
        let mut tx = pool.begin().await?;
        let due: Option<Due> = sqlx::query_as(
            "SELECT id, proposal_id, message, recipient FROM reminders \
             WHERE delivered_at IS NULL AND remind_at <= $1 AND attempts < $2 \
             ORDER BY remind_at LIMIT 1 FOR UPDATE SKIP LOCKED",
        )
        .bind(now)
        .bind(MAX_ATTEMPTS)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(due) = due else {
            tx.commit().await?;
            return Ok(delivered);
        };
        let to = Person::at(due.recipient.clone());
        // The same Message-ID on every attempt: a delivery repeated after a crash is one message.
        let message_id = format!("reminder-{}@mini-mindy", due.id);
        let sent = match mailer::reminder(&to, &message_id, &due.message) {
            Ok(outgoing) => mailer.send(outgoing).await,
            Err(e) => Err(e),
        };
        match sent {
            Ok(id) => {
                sqlx::query("UPDATE reminders SET delivered_at = now(), delivery_id = $2, attempts = attempts + 1 WHERE id = $1")
                    .bind(due.id)
                    .bind(&id)
                    .execute(&mut *tx)
                    .await?;
                store::audit(
                    &mut *tx,
                    due.proposal_id,
                    "reminder_delivered",
                    Some("set_reminder"),
                    Some(&id),
                    json!({ "reminder": due.id, "to": due.recipient }),
                )
                .await?;
                delivered += 1;
                metrics.reminder("delivered");
            }
            Err(e) => {
                tracing::warn!(reminder = %due.id, error = %e, "reminder delivery failed");
                metrics.reminder("failed");
                sqlx::query(
                    "UPDATE reminders SET attempts = attempts + 1, last_error = $2 WHERE id = $1",
                )
                .bind(due.id)
                .bind(e.to_string())
                .execute(&mut *tx)
                .await?;
                store::audit(
                    &mut *tx,
                    due.proposal_id,
                    "reminder_failed",
                    Some("set_reminder"),
                    None,
                    json!({ "reminder": due.id, "error": e.to_string() }),
                )
                .await?;
            }
        }
        tx.commit().await?;
    }
}

/// Runs [`deliver_due`] every `every` until the process ends; errors are logged and the next
/// tick tries again (PostgreSQL or the mail server restarting delays reminders, no more).
pub async fn run(pool: PgPool, mailer: Mailer, metrics: Arc<Metrics>, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match deliver_due(&pool, &mailer, &metrics, Utc::now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(delivered = n, "reminders delivered"),
            Err(e) => tracing::warn!(error = %e, "reminder delivery round failed; retrying"),
        }
    }
}
