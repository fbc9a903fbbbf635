//! `GET /api/health`: every dependency checked at once, each within a timeout.

use std::future::Future;
use std::time::{Duration, Instant};

use serde::Serialize;
use utoipa::ToSchema;

use crate::state::AppState;

/// How long one check may take.
const CHECK_TIMEOUT: Duration = Duration::from_secs(3);

/// The health report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Health {
    /// `ok` (all up), `degraded` (the chat's own PostgreSQL and Redis are up, something else is
    /// down) or `down` (PostgreSQL or Redis is down: the chat cannot work).
    pub status: String,
    /// One entry per dependency.
    pub checks: Vec<Check>,
}

/// One dependency's state.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Check {
    /// `postgresql`, `redis`, `kafka`, `spark_connect` or `airflow`.
    pub name: String,
    /// Whether it answered.
    pub up: bool,
    /// How long the check took, in milliseconds.
    pub latency_ms: f64,
    /// Why it is down.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

async fn check<F, E>(name: &str, probe: F) -> Check
where
    F: Future<Output = Result<(), E>>,
    E: std::fmt::Display,
{
    let started = Instant::now();
    let result = tokio::time::timeout(CHECK_TIMEOUT, probe).await;
    let latency_ms = (started.elapsed().as_secs_f64() * 100_000.0).round() / 100.0;
    let error = match result {
        Ok(Ok(())) => None,
        Ok(Err(e)) => Some(e.to_string()),
        Err(_) => Some(format!("no answer within {CHECK_TIMEOUT:?}")),
    };
    Check {
        name: name.to_string(),
        up: error.is_none(),
        latency_ms,
        error,
    }
}

/// Checks every dependency concurrently.
pub async fn report(state: &AppState) -> Health {
    let d = &state.dashboard;
    let (pg, redis, kafka, spark, airflow) = tokio::join!(
        check("postgresql", async {
            sqlx::query("SELECT 1")
                .execute(&state.chat.reader)
                .await
                .map(|_| ())
        }),
        check("redis", state.chat.store.ping()),
        check("kafka", super::kafka::ping(&d.kafka)),
        check("spark_connect", spark_reachable(&d.spark_remote)),
        check("airflow", airflow_healthy(&d.airflow.url)),
    );
    let checks = vec![pg, redis, kafka, spark, airflow];
    let status = if !checks[0].up || !checks[1].up {
        "down"
    } else if checks.iter().all(|c| c.up) {
        "ok"
    } else {
        "degraded"
    };
    Health {
        status: status.to_string(),
        checks,
    }
}

/// `host:port` of an `sc://host:port/;params` URL (port 15002 when absent).
pub fn spark_address(remote: &str) -> Result<String, String> {
    let rest = remote
        .strip_prefix("sc://")
        .ok_or_else(|| format!("not an sc:// URL: {remote}"))?;
    let authority = rest.split(['/', ';']).next().unwrap_or_default();
    if authority.is_empty() {
        return Err(format!("no host in {remote}"));
    }
    if authority
        .rsplit_once(':')
        .is_some_and(|(_, port)| port.parse::<u16>().is_ok())
    {
        Ok(authority.to_string())
    } else {
        Ok(format!("{authority}:15002"))
    }
}

/// Spark Connect is a gRPC server: a TCP connection to its port shows it listens.
async fn spark_reachable(remote: &str) -> Result<(), String> {
    let address = spark_address(remote)?;
    tokio::net::TcpStream::connect(&address)
        .await
        .map(|_| ())
        .map_err(|e| format!("{address}: {e}"))
}

/// Airflow 3's unauthenticated `/api/v2/monitor/health`: metadatabase and scheduler status.
async fn airflow_healthy(base: &str) -> Result<(), String> {
    let url = format!("{}/api/v2/monitor/health", base.trim_end_matches('/'));
    let response = reqwest::Client::new()
        .get(&url)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !response.status().is_success() {
        return Err(format!("HTTP {}", response.status()));
    }
    let body: serde_json::Value = response.json().await.map_err(|e| e.to_string())?;
    let unhealthy: Vec<String> = ["metadatabase", "scheduler"]
        .iter()
        .filter(|c| body[*c]["status"].as_str().is_some_and(|s| s != "healthy"))
        .map(|c| format!("{c} unhealthy"))
        .collect();
    if unhealthy.is_empty() {
        Ok(())
    } else {
        Err(unhealthy.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spark_addresses() {
        assert_eq!(
            spark_address("sc://127.0.0.1:15002").unwrap(),
            "127.0.0.1:15002"
        );
        assert_eq!(spark_address("sc://spark/;token=x").unwrap(), "spark:15002");
        assert_eq!(spark_address("sc://h:1/;user_id=u").unwrap(), "h:1");
        assert!(spark_address("http://h").is_err());
    }
}
