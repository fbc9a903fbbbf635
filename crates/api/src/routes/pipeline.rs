//! The pipeline dashboard: Airflow runs, Delta tables, Kafka offsets, data quality, streaming
//! queries, Prometheus's key series.

use axum::extract::State;
use chrono::Days;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::dashboard::airflow::AirflowRuns;
use crate::dashboard::kafka::{self, KafkaReport};
use crate::dashboard::lake::{self, LakeReport};
use crate::dashboard::prometheus::{MetricsReport, PrometheusError};
use crate::dashboard::quality::{self, QualityReport};
use crate::dashboard::streams::{self, StreamsReport};
use crate::dashboard::workers::WorkerReport;
use crate::error::{AppError, ErrorBody, Query};
use crate::state::AppState;

/// Filters of the runs listing.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RunsQuery {
    /// Only this DAG's runs.
    pub dag_id: Option<String>,
    /// How many runs (1-100, default 25).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
}

/// Recent DAG runs with state and duration, from Airflow's REST API v2.
#[utoipa::path(
    get,
    path = "/api/pipeline/airflow/runs",
    tag = "dashboard",
    params(RunsQuery),
    responses(
        (status = 200, description = "Newest first", body = AirflowRuns),
        (status = 400, description = "Bad parameter", body = ErrorBody),
        (status = 401, description = "Missing or wrong bearer token", body = ErrorBody),
        (status = 502, description = "Airflow is unavailable", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn airflow_runs(
    State(state): State<AppState>,
    Query(query): Query<RunsQuery>,
) -> Result<axum::Json<AirflowRuns>, AppError> {
    let limit = query.limit.unwrap_or(25);
    if !(1..=100).contains(&limit) {
        return Err(AppError::BadRequest(
            "limit must be between 1 and 100".into(),
        ));
    }
    let dag_id = query.dag_id.as_deref().filter(|d| !d.is_empty());
    if let Some(dag) = dag_id {
        if !dag
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c))
        {
            return Err(AppError::BadRequest(
                "dag_id may only hold letters, digits, '_', '-' and '.'".into(),
            ));
        }
    }
    let runs = state.dashboard.airflow_runs(dag_id, limit).await;
    runs.map(axum::Json).map_err(|e| AppError::Upstream {
        service: "airflow",
        detail: e.to_string(),
    })
}

/// Whether Airflow's workers take the tasks the scheduler queues: tasks waiting for a worker
/// and for how long, tasks running, and the worker host that ran the latest task.
#[utoipa::path(
    get,
    path = "/api/pipeline/airflow/workers",
    tag = "dashboard",
    responses(
        (status = 200, description = "`stalled` when a task has waited for a worker longer than `stalled_after_secs`", body = WorkerReport),
        (status = 401, description = "Missing or wrong bearer token", body = ErrorBody),
        (status = 502, description = "Airflow is unavailable", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn airflow_workers(
    State(state): State<AppState>,
) -> Result<axum::Json<WorkerReport>, AppError> {
    let report = state.dashboard.airflow_workers().await;
    report.map(axum::Json).map_err(|e| AppError::Upstream {
        service: "airflow",
        detail: e.to_string(),
    })
}

/// Records, version, files and last update of each Delta table per layer.
#[utoipa::path(
    get,
    path = "/api/pipeline/lake",
    tag = "dashboard",
    responses(
        (status = 200, description = "Tables by layer (bronze, silver, gold), as the exporter last read them", body = LakeReport),
        (status = 401, description = "Missing or wrong bearer token", body = ErrorBody),
        (status = 502, description = "PostgreSQL is unavailable", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn lake(State(state): State<AppState>) -> Result<axum::Json<LakeReport>, AppError> {
    let report = lake::report(&state.chat.reader, &state.dashboard.lake.spark_root()).await;
    report.map(axum::Json).map_err(|e| AppError::Upstream {
        service: "postgresql",
        detail: format!("reading lake_tables: {e}"),
    })
}

/// End offsets, consumer-group committed offsets and lag of the pipeline's topics.
#[utoipa::path(
    get,
    path = "/api/pipeline/kafka",
    tag = "dashboard",
    responses(
        (status = 200, description = "Per topic and partition", body = KafkaReport),
        (status = 401, description = "Missing or wrong bearer token", body = ErrorBody),
        (status = 502, description = "Kafka is unavailable", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn kafka(State(state): State<AppState>) -> Result<axum::Json<KafkaReport>, AppError> {
    let d = &state.dashboard;
    let report = kafka::report(&d.kafka, &d.topics, &d.groups).await;
    report.map(axum::Json).map_err(|detail| AppError::Upstream {
        service: "kafka",
        detail,
    })
}

/// The window of the quality history.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QualityQuery {
    /// How many days back from today, today included (1-365, default 30).
    #[param(minimum = 1, maximum = 365)]
    pub days: Option<u32>,
}

/// The data-quality check of each of the last `days` days (the latest check when a day was
/// checked more than once), from PostgreSQL's `quality_scores`.
#[utoipa::path(
    get,
    path = "/api/pipeline/quality",
    tag = "dashboard",
    params(QualityQuery),
    responses(
        (status = 200, description = "Newest day first; days without a check are absent", body = QualityReport),
        (status = 400, description = "Bad parameter", body = ErrorBody),
        (status = 401, description = "Missing or wrong bearer token", body = ErrorBody),
        (status = 502, description = "PostgreSQL is unavailable", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn quality(
    State(state): State<AppState>,
    Query(query): Query<QualityQuery>,
) -> Result<axum::Json<QualityReport>, AppError> {
    let days = query.days.unwrap_or(30);
    if !(1..=365).contains(&days) {
        return Err(AppError::BadRequest(
            "days must be between 1 and 365".into(),
        ));
    }
    // "Today" is the user's, like the dates in the serving tables.
    let settings = &state.settings;
    let today = settings.clock.today(settings.timezone);
    let from = today - Days::new(u64::from(days) - 1);
    let report = quality::recent(&state.chat.reader, from, today).await;
    report.map(axum::Json).map_err(|e| match e {
        quality::QualityError::Query(_) => AppError::Upstream {
            service: "postgresql",
            detail: e.to_string(),
        },
        quality::QualityError::Rules { .. } => AppError::Internal(e.to_string()),
    })
}

/// The latest progress of each Structured Streaming query of `mindy stream`, and how often the
/// driver has resubmitted them, from PostgreSQL's `stream_progress`.
#[utoipa::path(
    get,
    path = "/api/pipeline/streams",
    tag = "dashboard",
    responses(
        (status = 200, description = "One entry per query, by name; empty before the stream has run", body = StreamsReport),
        (status = 401, description = "Missing or wrong bearer token", body = ErrorBody),
        (status = 502, description = "PostgreSQL is unavailable", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn streams(State(state): State<AppState>) -> Result<axum::Json<StreamsReport>, AppError> {
    let report = streams::report(&state.chat.reader).await;
    report.map(axum::Json).map_err(|e| AppError::Upstream {
        service: "postgresql",
        detail: format!("reading stream_progress: {e}"),
    })
}

/// The window of the metrics.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MetricsQuery {
    /// Minutes back from now (5-1440, default 60).
    #[param(minimum = 5, maximum = 1440)]
    pub minutes: Option<u32>,
}

/// The pipeline's key series over the last `minutes` (validated records, lag, rows into the lake,
/// micro-batch duration, serving data age, API latency), Prometheus's scrape targets and its
/// pending or firing alerts — for where no Grafana runs.
#[utoipa::path(
    get,
    path = "/api/pipeline/metrics",
    tag = "dashboard",
    params(MetricsQuery),
    responses(
        (status = 200, description = "`configured: false` (and nothing else) when mindy-api has no MINDY_PROMETHEUS_URL", body = MetricsReport),
        (status = 400, description = "Bad parameter", body = ErrorBody),
        (status = 401, description = "Missing or wrong bearer token", body = ErrorBody),
        (status = 502, description = "Prometheus is unavailable", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn prometheus(
    State(state): State<AppState>,
    Query(query): Query<MetricsQuery>,
) -> Result<axum::Json<MetricsReport>, AppError> {
    let minutes = query.minutes.unwrap_or(60);
    if !(5..=1440).contains(&minutes) {
        return Err(AppError::BadRequest(
            "minutes must be between 5 and 1440".into(),
        ));
    }
    // Live series: the wall clock, whatever day the chat's clock is fixed to.
    let now = chrono::Utc::now();
    let Some(prometheus) = &state.dashboard.prometheus else {
        return Ok(axum::Json(MetricsReport::unconfigured(now)));
    };
    match prometheus.report(now, minutes).await {
        Ok(report) => Ok(axum::Json(report)),
        // A query of ours that Prometheus cannot parse is our bug; a timeout or an overloaded
        // server is Prometheus's state.
        Err(e @ PrometheusError::Refused { .. }) if e.is_bad_query() => {
            Err(AppError::Internal(e.to_string()))
        }
        Err(e) => Err(AppError::Upstream {
            service: "prometheus",
            detail: e.to_string(),
        }),
    }
}
