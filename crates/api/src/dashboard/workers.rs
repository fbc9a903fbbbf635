//! `GET /api/pipeline/airflow/workers`: whether Airflow's workers take the tasks the scheduler
//! queues, seen from Airflow's own task instances.
//!
//! Airflow's REST API has no list of Celery workers (that is Flower's job), but it knows what a
//! missing worker causes: task instances that stay `queued`. So the health is read from there —
//! tasks waiting for a worker and for how long, and the worker host that ran the latest task —
//! which holds for any executor and any number of workers.

use chrono::{DateTime, Utc};
use mindy_core::airflow::{AirflowClient, TaskInstance};
use serde::Serialize;
use utoipa::ToSchema;

use super::Dashboard;

/// A task queued longer than this means no worker is taking tasks (a worker picks a task up
/// within a second or two of the scheduler queuing it; the scheduler's own loop adds a few).
pub const STALLED_AFTER_SECS: i64 = 120;

/// What the workers are doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum WorkerState {
    /// Nothing runs and nothing has waited long.
    Idle,
    /// A task runs, and nothing has waited long.
    Busy,
    /// A task has waited longer than [`STALLED_AFTER_SECS`] for a worker.
    Stalled,
}

/// Whether the workers keep up with the queue.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WorkerReport {
    /// What the workers are doing.
    pub state: WorkerState,
    /// Task instances waiting for a worker now.
    pub queued: i64,
    /// How long the oldest of them has waited, in seconds.
    pub oldest_queued_secs: Option<i64>,
    /// Task instances running now.
    pub running: i64,
    /// The threshold of `stalled`, in seconds.
    pub stalled_after_secs: i64,
    /// The latest task a worker started (running or finished).
    pub last_task: Option<WorkerTask>,
}

/// A task as a worker ran it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WorkerTask {
    /// The DAG.
    pub dag_id: Option<String>,
    /// The task.
    pub task_id: String,
    /// `running`, `success`, `failed`, `up_for_retry`.
    pub state: Option<String>,
    /// The worker host that ran it.
    pub hostname: Option<String>,
    /// When it started (RFC 3339).
    pub start_date: Option<String>,
    /// When it ended (RFC 3339; none while it runs).
    pub end_date: Option<String>,
}

impl WorkerReport {
    /// The report from the queued task instances (oldest first), the running count, and the
    /// latest task started, as of `now`.
    pub fn from_tasks(
        queued: &[TaskInstance],
        queued_total: i64,
        running: i64,
        last: Option<TaskInstance>,
        now: DateTime<Utc>,
    ) -> WorkerReport {
        let oldest_queued_secs = queued
            .iter()
            .filter_map(|t| t.queued_when.as_deref())
            .filter_map(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| (now - t.to_utc()).num_seconds().max(0))
            .max();
        let state = if oldest_queued_secs.is_some_and(|s| s > STALLED_AFTER_SECS) {
            WorkerState::Stalled
        } else if running > 0 {
            WorkerState::Busy
        } else {
            WorkerState::Idle
        };
        WorkerReport {
            state,
            queued: queued_total,
            oldest_queued_secs,
            running,
            stalled_after_secs: STALLED_AFTER_SECS,
            last_task: last.map(|t| WorkerTask {
                dag_id: t.dag_id,
                task_id: t.task_id,
                state: t.state,
                hostname: t.hostname,
                start_date: t.start_date,
                end_date: t.end_date,
            }),
        }
    }
}

impl Dashboard {
    /// The workers' health from Airflow's task instances (three small queries).
    pub async fn airflow_workers(&self) -> Result<WorkerReport, mindy_core::Error> {
        self.with_airflow(|client| async move { report(&client).await })
            .await
    }
}

async fn report(client: &AirflowClient) -> Result<WorkerReport, mindy_core::Error> {
    let queued = client
        .find_task_instances(&[("state", "queued"), ("order_by", "id"), ("limit", "100")])
        .await?;
    let running = client
        .find_task_instances(&[("state", "running"), ("limit", "1")])
        .await?;
    let last = client
        .find_task_instances(&[
            ("state", "running"),
            ("state", "success"),
            ("state", "failed"),
            ("state", "up_for_retry"),
            ("order_by", "-start_date"),
            ("limit", "1"),
        ])
        .await?;
    Ok(WorkerReport::from_tasks(
        &queued.task_instances,
        queued.total_entries,
        running.total_entries,
        last.task_instances.into_iter().next(),
        Utc::now(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(state: &str, queued_when: Option<&str>) -> TaskInstance {
        serde_json::from_value(serde_json::json!({
            "task_id": "quality_check",
            "state": state,
            "queued_when": queued_when,
            "hostname": "mindy-worker-1",
        }))
        .unwrap()
    }

    #[test]
    fn a_task_queued_past_the_threshold_is_a_stalled_worker() {
        let now = DateTime::parse_from_rfc3339("2026-11-26T12:00:00Z")
            .unwrap()
            .to_utc();
        let fresh = task("queued", Some("2026-11-26T11:59:50Z"));
        let old = task("queued", Some("2026-11-26T11:57:00Z"));
        let report = WorkerReport::from_tasks(std::slice::from_ref(&fresh), 1, 1, None, now);
        assert_eq!(
            (report.state, report.oldest_queued_secs),
            (WorkerState::Busy, Some(10))
        );
        let report = WorkerReport::from_tasks(&[old, fresh], 2, 1, None, now);
        assert_eq!(
            (report.state, report.oldest_queued_secs, report.queued),
            (WorkerState::Stalled, Some(180), 2)
        );
        let last = task("success", None);
        let report = WorkerReport::from_tasks(&[], 0, 0, Some(last), now);
        assert_eq!(report.state, WorkerState::Idle);
        assert_eq!(
            report.last_task.unwrap().hostname.as_deref(),
            Some("mindy-worker-1")
        );
    }
}
