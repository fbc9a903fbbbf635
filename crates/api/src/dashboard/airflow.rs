//! `GET /api/pipeline/airflow/runs`: recent DAG runs with state and duration.

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
