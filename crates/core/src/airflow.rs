//! A small client for Airflow 3's stable REST API (`/api/v2`), authenticated with the JWT that
//! `POST /auth/token` issues. Used by the smoke job, the tests and the dashboard API.

mod runs;

use serde::{Deserialize, Serialize};

pub use runs::{TaskInstance, TaskInstanceList};

use crate::config::AirflowArgs;
use crate::{Error, Result};

/// An authenticated Airflow API client.
#[derive(Debug, Clone)]
pub struct AirflowClient {
    http: reqwest::Client,
    base: String,
    token: String,
}

/// One DAG as `/api/v2/dags` lists it (the fields we use).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct Dag {
    /// The DAG id (its file name).
    pub dag_id: String,
    /// Whether the scheduler skips it.
    pub is_paused: bool,
    /// The schedule expression, if any.
    #[serde(default)]
    pub timetable_summary: Option<String>,
}

#[derive(Deserialize)]
struct DagList {
    dags: Vec<Dag>,
    total_entries: u64,
}

/// One DAG run as `/api/v2/dags/{dag_id}/dagRuns` lists it (the fields the dashboard shows).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct DagRun {
    /// The DAG.
    pub dag_id: String,
    /// The run's id.
    pub dag_run_id: String,
    /// `queued`, `running`, `success` or `failed`.
    #[serde(default)]
    pub state: Option<String>,
    /// `scheduled`, `manual`, `backfill` or `asset_triggered`.
    #[serde(default)]
    pub run_type: Option<String>,
    /// The run's logical date (RFC 3339; null for runs without a data interval).
    #[serde(default)]
    pub logical_date: Option<String>,
    /// When it started (RFC 3339).
    #[serde(default)]
    pub start_date: Option<String>,
    /// When it ended (RFC 3339).
    #[serde(default)]
    pub end_date: Option<String>,
}

#[derive(Deserialize)]
struct DagRunList {
    dag_runs: Vec<DagRun>,
    #[serde(default)]
    total_entries: u64,
}

#[derive(Deserialize)]
struct Token {
    access_token: String,
}

impl AirflowClient {
    /// Logs in: exchanges the user's credentials for a JWT.
    pub async fn login(args: &AirflowArgs) -> Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .build()?;
        let base = args.url.trim_end_matches('/').to_string();
        let response = http
            .post(format!("{base}/auth/token"))
            .json(&serde_json::json!({ "username": args.username, "password": args.password }))
            .send()
            .await?;
        if !response.status().is_success() {
            let status = response.status();
            return Err(Error::unexpected(
                "airflow",
                format!("login as {} refused: HTTP {status}", args.username),
            ));
        }
        let token: Token = response.json().await?;
        Ok(AirflowClient {
            http,
            base,
            token: token.access_token,
        })
    }

    /// Every DAG the DAG processor has parsed, paging through the listing.
    pub async fn dags(&self) -> Result<Vec<Dag>> {
        let mut dags = Vec::new();
        loop {
            let page: DagList = self
                .get(&format!("/api/v2/dags?limit=100&offset={}", dags.len()))
                .await?;
            let done = page.dags.is_empty();
            dags.extend(page.dags);
            if done || dags.len() as u64 >= page.total_entries {
                return Ok(dags);
            }
        }
    }

    /// The `limit` most recent runs of `dag_id`, or of every DAG when `None` (newest first).
    pub async fn dag_runs(&self, dag_id: Option<&str>, limit: u32) -> Result<Vec<DagRun>> {
        let dag = dag_id.unwrap_or("~");
        let path = format!("/api/v2/dags/{dag}/dagRuns?limit={limit}&order_by=-run_after");
        let page: DagRunList = self.get(&path).await?;
        Ok(page.dag_runs)
    }

    /// Every run that ended `failed` at or after `since`, of every DAG (newest first), paging
    /// through the listing 100 at a time.
    pub async fn failed_runs_since(
        &self,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<DagRun>> {
        let since = since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let mut runs = Vec::new();
        loop {
            let path = format!(
                "/api/v2/dags/~/dagRuns?state=failed&end_date_gte={}&order_by=-end_date&limit=100&offset={}",
                since.replace('+', "%2B"),
                runs.len()
            );
            let page: DagRunList = self.get(&path).await?;
            let done = page.dag_runs.is_empty();
            runs.extend(page.dag_runs);
            if done || runs.len() as u64 >= page.total_entries {
                return Ok(runs);
            }
        }
    }

    /// GETs an API path and decodes its JSON.
    pub async fn get<T: for<'de> Deserialize<'de>>(&self, path: &str) -> Result<T> {
        let body = self
            .send(self.http.get(format!("{}{path}", self.base)))
            .await?;
        serde_json::from_value(body)
            .map_err(|e| Error::unexpected("airflow", format!("GET {path}: {e}")))
    }
}
