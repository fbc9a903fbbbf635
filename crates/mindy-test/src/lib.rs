//! Shared fixtures for Mini-Mindy's tests.
//!
//! Tests that talk to a service find it through the environment that `./stack up` writes to
//! `.stack/env` (the one place that knows ports; `./stack test` sources it). A missing variable is
//! a loud failure, never a skip: in CI the stack is always up, and a silently skipped test is a test
//! that cannot fail.
//!
//! Every test that writes gets its own names from [`unique`], so tests run in parallel without
//! seeing each other's topics, tables or lake paths.

pub mod smtp;

use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Where the local stack's services listen, read from the environment `./stack up` writes.
#[derive(Debug, Clone)]
pub struct Stack {
    /// Kafka bootstrap servers (`MINDY_KAFKA_BOOTSTRAP`).
    pub kafka_bootstrap: String,
    /// Spark Connect URL, `sc://host:port` (`MINDY_SPARK_REMOTE`).
    pub spark_remote: String,
    /// Spark master's web UI, whose `/json/` lists workers and applications (`MINDY_SPARK_MASTER_UI`).
    pub spark_master_ui: String,
    /// The Connect server's driver UI, whose REST API lists executors (`MINDY_SPARK_DRIVER_UI`).
    pub spark_driver_ui: String,
    /// The application database (`DATABASE_URL`).
    pub database_url: String,
    /// Redis (`REDIS_URL`).
    pub redis_url: String,
    /// Airflow's API server base URL (`MINDY_AIRFLOW_URL`).
    pub airflow_url: String,
    /// Airflow admin user (`MINDY_AIRFLOW_USERNAME`).
    pub airflow_username: String,
    /// Airflow admin password (`MINDY_AIRFLOW_PASSWORD`).
    pub airflow_password: String,
    /// Root of the local Delta Lake (`MINDY_LAKE_ROOT`).
    pub lake_root: PathBuf,
}

impl Stack {
    /// Reads the stack's locations from the environment, panicking with a hint when one is missing.
    pub fn from_env() -> Self {
        Stack {
            kafka_bootstrap: required("MINDY_KAFKA_BOOTSTRAP"),
            spark_remote: required("MINDY_SPARK_REMOTE"),
            spark_master_ui: required("MINDY_SPARK_MASTER_UI"),
            spark_driver_ui: required("MINDY_SPARK_DRIVER_UI"),
            database_url: required("DATABASE_URL"),
            redis_url: required("REDIS_URL"),
            airflow_url: required("MINDY_AIRFLOW_URL"),
            airflow_username: required("MINDY_AIRFLOW_USERNAME"),
            airflow_password: required("MINDY_AIRFLOW_PASSWORD"),
            lake_root: PathBuf::from(required("MINDY_LAKE_ROOT")),
        }
    }

    /// A fresh directory name under the lake root for one test's tables (not created).
    pub fn lake_path(&self, prefix: &str) -> PathBuf {
        self.lake_root.join("_tests").join(unique(prefix))
    }
}

/// Reads an environment variable the stack must have set.
pub fn required(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!(
            "{name} is not set: integration tests run against the local stack. \
             Start it with `./stack up` and `source .stack/env`, or run `./stack test`."
        )
    })
}

/// Runs `./stack COMMAND SERVICE` (the script in `MINDY_STACK`, which `./stack` sets): the
/// operations tests stop and start one of the stack's services (`down spark-connect`,
/// `up airflow-worker`). Panics when the script fails.
pub fn stack_command(command: &str, service: &str) {
    let script = required("MINDY_STACK");
    let status = std::process::Command::new(&script)
        .args([command, service])
        .status()
        .unwrap_or_else(|e| panic!("{script} {command} {service}: {e}"));
    assert!(status.success(), "{script} {command} {service}: {status}");
}

/// One of the stack's services, stopped ([`stack_command`]); started again by
/// [`ServiceDown::start`], or when dropped (a failing test leaves the stack whole).
pub struct ServiceDown {
    service: &'static str,
    started: bool,
}

impl ServiceDown {
    /// Stops `service` (a process name from `./stack status`, or a group).
    pub fn stop(service: &'static str) -> ServiceDown {
        stack_command("down", service);
        ServiceDown {
            service,
            started: false,
        }
    }

    /// Starts the service again (`./stack up` waits until it is ready).
    pub fn start(mut self) {
        stack_command("up", self.service);
        self.started = true;
    }
}

impl Drop for ServiceDown {
    fn drop(&mut self) {
        if !self.started {
            stack_command("up", self.service);
        }
    }
}

/// A name no other test run uses: `prefix-<8 hex>`; safe for topics, tables, schemas and paths.
pub fn unique(prefix: &str) -> String {
    let id = uuid::Uuid::new_v4().simple().to_string();
    format!("{prefix}_{}", &id[..8])
}

/// Polls `check` every `interval` until it returns `Some` (its value), or `None` once `timeout`
/// has passed. A fixed interval suits checks that load a service (a Spark query, a scan).
pub async fn poll_every<T, F, Fut>(timeout: Duration, interval: Duration, mut check: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = check().await {
            return Some(value);
        }
        if Instant::now() >= deadline {
            return None;
        }
        tokio::time::sleep(interval).await;
    }
}

/// [`poll_every`], panicking with `what` when `timeout` passes.
pub async fn eventually_every<T, F, Fut>(
    what: &str,
    timeout: Duration,
    interval: Duration,
    check: F,
) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    match poll_every(timeout, interval, check).await {
        Some(value) => value,
        None => panic!("timed out after {timeout:?} waiting for {what}"),
    }
}

/// Polls `check` until it returns `Some`, or panics with `what` after `timeout`.
///
/// For conditions that become true asynchronously (a consumer seeing a record, a DAG being
/// parsed); never a fixed sleep.
pub async fn eventually<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + timeout;
    let mut delay = Duration::from_millis(50);
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {timeout:?} waiting for {what}"
        );
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(1));
    }
}

/// Every query of the committed Grafana dashboards (`docker/grafana/dashboards/*.json`, panels in
/// rows included), as (dashboard / panel title, PromQL expression), for the tests that run them
/// against the stack's Prometheus.
pub fn grafana_queries() -> Vec<(String, String)> {
    fn panels(list: &serde_json::Value, dashboard: &str, out: &mut Vec<(String, String)>) {
        for panel in list.as_array().into_iter().flatten() {
            let title = format!("{dashboard} / {}", panel["title"].as_str().unwrap_or("?"));
            for target in panel["targets"].as_array().into_iter().flatten() {
                if let Some(expr) = target["expr"].as_str() {
                    out.push((title.clone(), expr.to_string()));
                }
            }
            panels(&panel["panels"], dashboard, out);
        }
    }
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docker/grafana/dashboards");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let dashboard: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let name = dashboard["title"].as_str().unwrap_or("?").to_string();
        panels(&dashboard["panels"], &name, &mut out);
    }
    out
}

/// The stack's Prometheus, through its HTTP API (`MINDY_PROMETHEUS_URL`).
pub struct Prometheus {
    url: String,
    http: reqwest::Client,
}

impl Prometheus {
    /// The Prometheus `.stack/env` names.
    pub fn from_env() -> Self {
        Prometheus {
            url: required("MINDY_PROMETHEUS_URL"),
            http: reqwest::Client::new(),
        }
    }

    /// The `data` of a successful answer to `GET path?query`; otherwise what went wrong (the
    /// answer itself when there was one).
    pub async fn get(
        &self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<serde_json::Value, String> {
        let request = self.http.get(format!("{}{path}", self.url)).query(query);
        let response = request.send().await.map_err(|e| e.to_string())?;
        let body: serde_json::Value = response.json().await.map_err(|e| e.to_string())?;
        if body["status"] == "success" {
            Ok(body["data"].clone())
        } else {
            Err(body.to_string())
        }
    }

    /// The active scrape targets, as Prometheus describes them (`labels.job`, `health`, ...).
    pub async fn active_targets(&self) -> Result<Vec<serde_json::Value>, String> {
        let data = self.get("/api/v1/targets", &[("state", "active")]).await?;
        Ok(data["activeTargets"]
            .as_array()
            .cloned()
            .unwrap_or_default())
    }

    /// The active targets that are not up, as `job url (last error)`; `None` when Prometheus does
    /// not answer.
    pub async fn targets_down(&self) -> Option<Vec<String>> {
        let targets = self.active_targets().await.ok()?;
        Some(
            targets
                .iter()
                .filter(|t| t["health"] != "up")
                .map(|t| {
                    format!(
                        "{} {} ({})",
                        t["labels"]["job"], t["scrapeUrl"], t["lastError"]
                    )
                })
                .collect(),
        )
    }

    /// The result of an instant query (`data.result`: one entry per series).
    pub async fn query(&self, promql: &str) -> Result<Vec<serde_json::Value>, String> {
        let data = self.get("/api/v1/query", &[("query", promql)]).await?;
        Ok(data["result"].as_array().cloned().unwrap_or_default())
    }

    /// The first sample of an instant query's result.
    pub async fn value(&self, promql: &str) -> Option<f64> {
        self.query(promql).await.ok()?.first()?["value"][1]
            .as_str()?
            .parse()
            .ok()
    }
}
