//! `GET /api/pipeline/airflow/runs`: recent DAG runs with state and duration.

use std::collections::BTreeMap;
use std::time::Duration;

use mindy_core::airflow::{AirflowClient, DagRun};
use serde::Serialize;
use utoipa::ToSchema;

use super::Dashboard;

/// Recent DAG runs, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AirflowRuns {
    /// The runs.
    pub runs: Vec<Run>,
}

/// One DAG run.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Run {
    /// The DAG.
    pub dag_id: String,
    /// The run's id.
    pub run_id: String,
    /// `queued`, `running`, `success` or `failed`.
    pub state: Option<String>,
    /// `scheduled`, `manual`, `backfill`, `asset_triggered`.
    pub run_type: Option<String>,
    /// The data interval's logical date (RFC 3339).
    pub logical_date: Option<String>,
    /// When it started (RFC 3339).
    pub start_date: Option<String>,
    /// When it ended (RFC 3339).
    pub end_date: Option<String>,
    /// End minus start, in seconds (so far, for a running run).
    pub duration_secs: Option<f64>,
}

impl From<DagRun> for Run {
    fn from(run: DagRun) -> Self {
        let parse = |s: &Option<String>| {
            s.as_deref()
                .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
        };
        let end = parse(&run.end_date)
            .map(|d| d.to_utc())
            .or_else(|| (run.state.as_deref() == Some("running")).then(chrono::Utc::now));
        let duration_secs = match (parse(&run.start_date), end) {
            (Some(start), Some(end)) => {
                Some((end - start.to_utc()).num_milliseconds() as f64 / 1000.0)
            }
            _ => None,
        };
        Run {
            dag_id: run.dag_id,
            run_id: run.dag_run_id,
            state: run.state,
            run_type: run.run_type,
            logical_date: run.logical_date,
            start_date: run.start_date,
            end_date: run.end_date,
            duration_secs,
        }
    }
}

impl Dashboard {
    /// The `limit` most recent runs of `dag_id` (all DAGs when `None`).
    pub async fn airflow_runs(
        &self,
        dag_id: Option<&str>,
        limit: u32,
    ) -> Result<AirflowRuns, mindy_core::Error> {
        let runs = self
            .with_airflow(|client| async move { client.dag_runs(dag_id, limit).await })
            .await?;
        Ok(AirflowRuns {
            runs: runs.into_iter().map(Run::from).collect(),
        })
    }

    /// Every DAG Airflow lists, with the number of its runs that ended failed in the last
    /// `window` (0 for a DAG without one).
    pub async fn failed_runs(
        &self,
        window: std::time::Duration,
    ) -> Result<BTreeMap<String, u64>, mindy_core::Error> {
        let since = chrono::Utc::now()
            - chrono::Duration::from_std(window).unwrap_or(chrono::Duration::days(1));
        let (dags, failed) = self
            .with_airflow(|client| async move {
                Ok((client.dags().await?, client.failed_runs_since(since).await?))
            })
            .await?;
        Ok(count_failed(
            dags.into_iter().map(|d| d.dag_id),
            failed.into_iter().map(|r| r.dag_id),
        ))
    }

    /// Runs `call` with the logged-in Airflow client (logging in once and reusing the token);
    /// on a failure logs in again and retries once (the JWT may have expired).
    pub(super) async fn with_airflow<T, F, Fut>(&self, call: F) -> Result<T, mindy_core::Error>
    where
        F: Fn(AirflowClient) -> Fut,
        Fut: std::future::Future<Output = Result<T, mindy_core::Error>>,
    {
        let mut slot = self.airflow_client.lock().await;
        for attempt in 0..2 {
            let client = match slot.as_ref() {
                Some(client) => client.clone(),
                None => {
                    let client = AirflowClient::login(&self.airflow).await?;
                    *slot = Some(client.clone());
                    client
                }
            };
            match call(client).await {
                Ok(value) => return Ok(value),
                Err(e) if attempt == 0 => {
                    tracing::info!(error = %e, "airflow: retrying with a fresh login");
                    *slot = None;
                }
                Err(e) => return Err(e),
            }
        }
        unreachable!("the loop returns on its second attempt")
    }
}

/// The window failed runs are counted over: a day, so a daily DAG's failure
/// stays visible (and alerting, `ops/prometheus/rules.yml`) until its next day's run.
pub const FAILED_RUNS_WINDOW: Duration = Duration::from_secs(24 * 3600);

/// Every DAG with its failed runs: `dags` each with 0, plus one per failed run's DAG (a failed
/// run of a DAG no longer listed still counts).
fn count_failed(
    dags: impl Iterator<Item = String>,
    failed: impl Iterator<Item = String>,
) -> BTreeMap<String, u64> {
    let mut counts: BTreeMap<String, u64> = dags.map(|d| (d, 0)).collect();
    for dag in failed {
        *counts.entry(dag).or_default() += 1;
    }
    counts
}

/// Polls Airflow's failed runs of the last [`FAILED_RUNS_WINDOW`] into the API's metrics
/// (`mindy_api_airflow_failed_dag_runs`, `mindy_api_airflow_up`) once.
pub async fn poll_failed_runs(state: &crate::AppState) {
    match state.dashboard.failed_runs(FAILED_RUNS_WINDOW).await {
        Ok(counts) => state.metrics.airflow_failed_runs(Some(&counts)),
        Err(e) => {
            tracing::warn!(error = %e, "airflow: could not count failed DAG runs");
            state.metrics.airflow_failed_runs(None);
        }
    }
}

/// Polls [`poll_failed_runs`] every `every`, for as long as the API runs: Airflow reports failed
/// runs over StatsD, which nothing here receives, so its REST API is asked instead.
pub async fn watch_failed_runs(state: crate::AppState, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        poll_failed_runs(&state).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_dag_has_a_count_and_failures_add_up() {
        let dags = ["daily_batch_dag", "lake_maintenance_dag"].map(String::from);
        let failed = ["daily_batch_dag", "gone_dag", "daily_batch_dag"].map(String::from);
        let counts = count_failed(dags.into_iter(), failed.into_iter());
        assert_eq!(
            counts.into_iter().collect::<Vec<_>>(),
            vec![
                ("daily_batch_dag".to_string(), 2),
                ("gone_dag".to_string(), 1),
                ("lake_maintenance_dag".to_string(), 0),
            ]
        );
    }
}
