//! The pipeline dashboard's data: dependency health, Airflow runs, Delta tables, Kafka offsets,
//! data quality.
//!
//! - [`health`]: each dependency up or down, with latency.
//! - [`airflow`]: recent DAG runs through Airflow's REST API v2.
//! - [`workers`]: whether Airflow's workers take the queued tasks.
//! - [`lake`]: Delta tables per layer, from their logs.
//! - [`kafka`]: end offsets, committed offsets and lag.
//! - [`quality`]: the data-quality checks, from PostgreSQL.
//! - [`streams`]: the streaming queries' latest progress and restarts, from PostgreSQL.
//! - [`prometheus`]: the pipeline's key series, targets and alerts, from Prometheus.

pub mod airflow;
pub mod health;
pub mod kafka;
pub mod lake;
pub mod prometheus;
pub mod quality;
pub mod streams;
pub mod workers;

use mindy_core::config::{AirflowArgs, KafkaArgs, LakeArgs};

/// Where the dashboard's services are.
#[derive(Debug, Clone)]
pub struct Dashboard {
    /// Kafka bootstrap servers.
    pub kafka: KafkaArgs,
    /// Topics reported by the Kafka endpoint.
    pub topics: Vec<String>,
    /// Consumer groups reported (empty: every group the broker lists).
    pub groups: Vec<String>,
    /// Spark Connect URL (`sc://host:port/...`), checked for reachability.
    pub spark_remote: String,
    /// Airflow API server and credentials.
    pub airflow: AirflowArgs,
    /// The lake root.
    pub lake: LakeArgs,
    /// Prometheus's HTTP API, when configured (`MINDY_PROMETHEUS_URL`).
    pub prometheus: Option<prometheus::Prometheus>,
    /// The logged-in Airflow client, reused until it fails.
    pub airflow_client:
        std::sync::Arc<tokio::sync::Mutex<Option<mindy_core::airflow::AirflowClient>>>,
}
