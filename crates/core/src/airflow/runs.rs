//! Running DAGs through the API: trigger a run, follow it, read its task instances, and set the
//! Variables a DAG reads. Used by the batch report, the tests and the demo.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::AirflowClient;
use crate::{Error, Result};

/// One task instance of a DAG run (the fields the report and the tests use).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct TaskInstance {
    /// The task.
    pub task_id: String,
    /// `success`, `failed`, `upstream_failed`, `skipped`, `running`, … (null before scheduling).
    #[serde(default)]
    pub state: Option<String>,
    /// Seconds it ran.
    #[serde(default)]
    pub duration: Option<f64>,
    /// When it started (RFC 3339).
    #[serde(default)]
    pub start_date: Option<String>,
    /// Attempt number.
    #[serde(default)]
    pub try_number: Option<i64>,
    /// When it ended (RFC 3339).
    #[serde(default)]
    pub end_date: Option<String>,
    /// When the scheduler queued it for a worker (RFC 3339).
    #[serde(default)]
    pub queued_when: Option<String>,
    /// The worker host that ran it (Celery's `--celery-hostname` host part, or the machine's).
    #[serde(default)]
    pub hostname: Option<String>,
    /// The DAG.
    #[serde(default)]
    pub dag_id: Option<String>,
}

/// Task instances matching a filter, and how many match in all.
#[derive(Debug, Clone, Deserialize)]
pub struct TaskInstanceList {
    /// The page asked for.
    pub task_instances: Vec<TaskInstance>,
    /// Every match, beyond the page.
    #[serde(default)]
    pub total_entries: i64,
}

impl AirflowClient {
    fn url(&self, segments: &[&str]) -> Result<url::Url> {
        let mut url = url::Url::parse(&self.base).map_err(|e| {
            Error::unexpected("airflow", format!("bad base URL {}: {e}", self.base))
        })?;
        url.path_segments_mut()
            .map_err(|_| Error::unexpected("airflow", "base URL cannot have a path"))?
            .pop_if_empty()
            .extend(segments);
        Ok(url)
    }

    /// Sends an authenticated request; a non-2xx answer is an error carrying its body.
    pub(super) async fn send(&self, request: reqwest::RequestBuilder) -> Result<Value> {
        let response = request.bearer_auth(&self.token).send().await?;
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            return Err(Error::HttpStatus {
                service: "airflow",
                status: status.as_u16(),
                body: body.to_string(),
            });
        }
        Ok(body)
    }

    /// Un-pauses (or pauses) a DAG.
    pub async fn set_paused(&self, dag_id: &str, paused: bool) -> Result<()> {
        let url = self.url(&["api", "v2", "dags", dag_id])?;
        self.send(self.http.patch(url).json(&json!({ "is_paused": paused })))
            .await?;
        Ok(())
    }

    /// Triggers a run of `dag_id` now with `conf`; returns the run id.
    pub async fn trigger(&self, dag_id: &str, conf: Value) -> Result<String> {
        let url = self.url(&["api", "v2", "dags", dag_id, "dagRuns"])?;
        let body = json!({ "logical_date": null, "conf": conf });
        let run = self.send(self.http.post(url).json(&body)).await?;
        run["dag_run_id"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| Error::unexpected("airflow", format!("no dag_run_id in {run}")))
    }

    /// The state of one run (`queued`, `running`, `success`, `failed`).
    pub async fn run_state(&self, dag_id: &str, run_id: &str) -> Result<String> {
        let url = self.url(&["api", "v2", "dags", dag_id, "dagRuns", run_id])?;
        let run = self.send(self.http.get(url)).await?;
        Ok(run["state"].as_str().unwrap_or("unknown").to_string())
    }

    /// The task instances of one run.
    pub async fn task_instances(&self, dag_id: &str, run_id: &str) -> Result<Vec<TaskInstance>> {
        let url = self.url(&[
            "api",
            "v2",
            "dags",
            dag_id,
            "dagRuns",
            run_id,
            "taskInstances",
        ])?;
        let list: TaskInstanceList =
            serde_json::from_value(self.send(self.http.get(url)).await?)
                .map_err(|e| Error::unexpected("airflow", format!("task instances: {e}")))?;
        Ok(list.task_instances)
    }

    /// Task instances of every DAG and run matching `query` (Airflow's filters: `state` may
    /// repeat; `order_by` such as `-start_date`; `limit`).
    pub async fn find_task_instances(&self, query: &[(&str, &str)]) -> Result<TaskInstanceList> {
        let mut url = self.url(&["api", "v2", "dags", "~", "dagRuns", "~", "taskInstances"])?;
        url.query_pairs_mut().extend_pairs(query);
        serde_json::from_value(self.send(self.http.get(url)).await?)
            .map_err(|e| Error::unexpected("airflow", format!("task instances: {e}")))
    }

    /// Creates or replaces an Airflow Variable.
    pub async fn set_variable(&self, key: &str, value: &str) -> Result<()> {
        let url = self.url(&["api", "v2", "variables", key])?;
        let body = json!({ "key": key, "value": value });
        if self.send(self.http.patch(url).json(&body)).await.is_err() {
            let url = self.url(&["api", "v2", "variables"])?;
            self.send(self.http.post(url).json(&body)).await?;
        }
        Ok(())
    }
}
