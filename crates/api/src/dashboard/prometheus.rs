//! The pipeline's key series from Prometheus, for the web dashboard: where no Grafana runs (the
//! local stack; Grafana is in `docker/` only), the dashboard shows them from Prometheus's HTTP API.
//!
//! Each tile is one PromQL expression aggregated to a single series, asked over a window with
//! `GET /api/v1/query_range`; the scrape targets come from `GET /api/v1/targets` and the alerts
//! from `GET /api/v1/alerts` (Prometheus's HTTP API v1, "Querying" and "Targets"/"Alerts").
//! The metric names are the ones `ops/prometheus/rules.yml` and the Grafana dashboard use.

use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How long one request to Prometheus may take.
const TIMEOUT: Duration = Duration::from_secs(5);

/// Points per tile at most: the step is the window divided by this, and at least [`MIN_STEP_SECS`].
const POINTS: i64 = 120;

/// The shortest step, in seconds: three scrape intervals of the stack's Prometheus (5 s).
const MIN_STEP_SECS: i64 = 15;

/// The unit of a tile's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MetricUnit {
    /// Events per second.
    PerSecond,
    /// Seconds.
    Seconds,
    /// A count (records, workers).
    Count,
}

/// One tile: what it shows and the PromQL that computes it.
#[derive(Debug, Clone, Copy)]
pub struct TileSpec {
    /// Stable id (the frontend's key).
    pub id: &'static str,
    /// Title shown above the value.
    pub title: &'static str,
    /// Unit of the values.
    pub unit: MetricUnit,
    /// PromQL returning one series.
    pub query: &'static str,
    /// What the number means, for a tooltip.
    pub help: &'static str,
}

/// The tiles, in the order the dashboard shows them.
pub const TILES: &[TileSpec] = &[
    TileSpec {
        id: "validated",
        title: "Records validated",
        unit: MetricUnit::PerSecond,
        query: r#"sum(rate(mindy_validator_records_total{outcome="valid"}[5m]))"#,
        help: "Records the validator passed to the processed topic, per second (5-minute rate)",
    },
    TileSpec {
        id: "consumer_lag",
        title: "Validator lag",
        unit: MetricUnit::Count,
        query: "sum(mindy_validator_consumer_lag)",
        help: "Records in the raw topics the validator has not read yet",
    },
    TileSpec {
        id: "stream_rows",
        title: "Rows into the lake",
        unit: MetricUnit::PerSecond,
        query: "sum(mindy_stream_input_rows_per_second)",
        help: "Rows per second arriving at the streaming queries (their last micro-batch)",
    },
    TileSpec {
        id: "batch_duration",
        title: "Micro-batch duration",
        unit: MetricUnit::Seconds,
        query: "max(mindy_stream_batch_duration_seconds)",
        help: "The slowest streaming query's last micro-batch",
    },
    TileSpec {
        id: "serving_age",
        title: "Serving data age",
        unit: MetricUnit::Seconds,
        query: "max(time() - mindy_export_last_success_timestamp_seconds)",
        help: "Since the exporter last brought the stalest serving table up to date",
    },
    TileSpec {
        id: "api_latency_p95",
        title: "API latency p95",
        unit: MetricUnit::Seconds,
        query: "histogram_quantile(0.95, sum by (le) (rate(mindy_api_http_request_duration_seconds_bucket[5m])))",
        help: "95th percentile of mindy-api's request durations (5-minute window)",
    },
];

/// The dashboard's metrics: key series over a window, scrape targets and alerts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MetricsReport {
    /// Whether mindy-api knows a Prometheus (`MINDY_PROMETHEUS_URL`); when not, everything else is
    /// empty.
    pub configured: bool,
    /// Prometheus's base URL (for links to its UI), when configured.
    pub prometheus_url: Option<String>,
    /// Start of the window (RFC 3339, UTC).
    pub start: String,
    /// End of the window: when Prometheus was asked (RFC 3339, UTC).
    pub end: String,
    /// Seconds between points.
    pub step_secs: i64,
    /// One per tile of [`TILES`], in that order.
    pub tiles: Vec<MetricTile>,
    /// The scrape targets, up or not.
    pub targets: TargetsSummary,
    /// Alerts pending or firing.
    pub alerts: Vec<Alert>,
}

/// One tile's series.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MetricTile {
    /// Stable id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Unit of `latest` and the points.
    pub unit: MetricUnit,
    /// What the number means.
    pub help: String,
    /// The PromQL asked.
    pub query: String,
    /// The value at the window's end; `None` when the series has no point there (nothing
    /// reported it yet, or the component is down).
    pub latest: Option<f64>,
    /// The series, oldest first; steps where Prometheus had no number (or NaN, ±Inf) are left out.
    pub points: Vec<MetricPoint>,
}

/// One point of a series.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct MetricPoint {
    /// Unix time, seconds.
    pub t: i64,
    /// The value.
    pub v: f64,
}

/// The scrape targets.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct TargetsSummary {
    /// Targets whose last scrape succeeded.
    pub up: usize,
    /// Active targets.
    pub total: usize,
    /// The others, by job.
    pub down: Vec<DownTarget>,
}

/// A target whose last scrape failed (or that was not scraped yet).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DownTarget {
    /// The scrape job (`mindy-stream`, `spark-worker`, ...).
    pub job: String,
    /// The target's address.
    pub instance: String,
    /// `down` or `unknown` (not scraped yet).
    pub health: String,
    /// The last scrape's error.
    pub last_error: Option<String>,
}

/// An alert of `ops/prometheus/rules.yml`, pending or firing.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Alert {
    /// The rule's name (`alertname`).
    pub name: String,
    /// `pending` (its condition holds, not yet for its `for:`) or `firing`.
    pub state: String,
    /// The rule's `severity` label.
    pub severity: Option<String>,
    /// The rule's `summary` annotation, filled in.
    pub summary: Option<String>,
    /// Since when its condition holds (RFC 3339).
    pub active_at: Option<String>,
}

/// What went wrong asking Prometheus.
#[derive(Debug, thiserror::Error)]
pub enum PrometheusError {
    /// No answer, or not JSON.
    #[error("{url}: {source}")]
    Http {
        /// What was asked.
        url: String,
        /// Why it failed.
        source: reqwest::Error,
    },
    /// Prometheus answered with an error (`status: error`), e.g. a bad query.
    #[error("{url}: {error_type}: {error}")]
    Refused {
        /// What was asked.
        url: String,
        /// Prometheus's `errorType`.
        error_type: String,
        /// Prometheus's `error`.
        error: String,
    },
}

impl PrometheusError {
    /// Whether Prometheus refused the query itself (`bad_data`: it does not parse or type-check).
    pub fn is_bad_query(&self) -> bool {
        matches!(self, PrometheusError::Refused { error_type, .. } if error_type == "bad_data")
    }
}

/// Prometheus's answer envelope.
#[derive(Debug, Deserialize)]
struct Envelope<T> {
    status: String,
    data: Option<T>,
    #[serde(rename = "errorType")]
    error_type: Option<String>,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Matrix {
    result: Vec<RangeSeries>,
}

#[derive(Debug, Deserialize)]
struct RangeSeries {
    /// `[unix seconds (may have a fraction), "value"]`; the value is a string ("NaN", "+Inf").
    values: Vec<(f64, String)>,
}

#[derive(Debug, Deserialize)]
struct Targets {
    #[serde(rename = "activeTargets")]
    active_targets: Vec<Target>,
}

#[derive(Debug, Deserialize)]
struct Target {
    labels: std::collections::BTreeMap<String, String>,
    health: String,
    #[serde(rename = "lastError", default)]
    last_error: String,
    #[serde(rename = "scrapeUrl", default)]
    scrape_url: String,
}

#[derive(Debug, Deserialize)]
struct Alerts {
    alerts: Vec<RawAlert>,
}

#[derive(Debug, Deserialize)]
struct RawAlert {
    labels: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    annotations: std::collections::BTreeMap<String, String>,
    state: String,
    #[serde(rename = "activeAt")]
    active_at: Option<String>,
}

/// A Prometheus server's HTTP API.
#[derive(Debug, Clone)]
pub struct Prometheus {
    base: String,
    http: reqwest::Client,
}

impl Prometheus {
    /// The server at `base` (`http://host:9090`, with or without a trailing slash).
    pub fn new(base: &str) -> Prometheus {
        Prometheus {
            base: base.trim_end_matches('/').to_string(),
            http: reqwest::Client::builder()
                .timeout(TIMEOUT)
                .build()
                .unwrap_or_default(),
        }
    }

    /// Its base URL.
    pub fn url(&self) -> &str {
        &self.base
    }

    async fn get<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T, PrometheusError> {
        let url = format!("{}{path}", self.base);
        let http = |source| PrometheusError::Http {
            url: url.clone(),
            source,
        };
        // Prometheus answers 400/422/503 with the same envelope, so the body is read whatever
        // the status.
        let envelope: Envelope<T> = self
            .http
            .get(&url)
            .query(query)
            .send()
            .await
            .map_err(http)?
            .json()
            .await
            .map_err(http)?;
        match (envelope.status.as_str(), envelope.data) {
            ("success", Some(data)) => Ok(data),
            _ => Err(PrometheusError::Refused {
                url,
                error_type: envelope.error_type.unwrap_or_else(|| "unknown".into()),
                error: envelope.error.unwrap_or_else(|| "no data".into()),
            }),
        }
    }

    /// The series of `spec` over `[start, end]`, one point every `step` seconds.
    async fn tile(
        &self,
        spec: &TileSpec,
        start: i64,
        end: i64,
        step: i64,
    ) -> Result<MetricTile, PrometheusError> {
        let matrix: Matrix = self
            .get(
                "/api/v1/query_range",
                &[
                    ("query", spec.query.to_string()),
                    ("start", start.to_string()),
                    ("end", end.to_string()),
                    ("step", step.to_string()),
                ],
            )
            .await?;
        let points = points(matrix);
        let latest = points.last().filter(|p| p.t >= end - step).map(|p| p.v);
        Ok(MetricTile {
            id: spec.id.into(),
            title: spec.title.into(),
            unit: spec.unit,
            help: spec.help.into(),
            query: spec.query.into(),
            latest,
            points,
        })
    }

    async fn targets(&self) -> Result<TargetsSummary, PrometheusError> {
        let targets: Targets = self
            .get("/api/v1/targets", &[("state", "active".to_string())])
            .await?;
        Ok(summarise_targets(targets))
    }

    async fn alerts(&self) -> Result<Vec<Alert>, PrometheusError> {
        let alerts: Alerts = self.get("/api/v1/alerts", &[]).await?;
        Ok(alerts
            .alerts
            .into_iter()
            .map(|a| Alert {
                name: a.labels.get("alertname").cloned().unwrap_or_default(),
                state: a.state,
                severity: a.labels.get("severity").cloned(),
                summary: a.annotations.get("summary").cloned(),
                active_at: a.active_at,
            })
            .collect())
    }

    /// Every tile over the `minutes` before `now`, the targets and the alerts, asked at once.
    ///
    /// # Errors
    /// The first failure among the requests: Prometheus unreachable, or refusing a query.
    pub async fn report(
        &self,
        now: DateTime<Utc>,
        minutes: u32,
    ) -> Result<MetricsReport, PrometheusError> {
        let end = now.timestamp();
        let window = i64::from(minutes) * 60;
        let start = end - window;
        let step = (window / POINTS).max(MIN_STEP_SECS);
        let tiles = futures::future::try_join_all(
            TILES.iter().map(|spec| self.tile(spec, start, end, step)),
        );
        let (tiles, targets, alerts) = futures::try_join!(tiles, self.targets(), self.alerts())?;
        let rfc3339 = |t: i64| {
            DateTime::from_timestamp(t, 0)
                .unwrap_or_default()
                .to_rfc3339_opts(SecondsFormat::Secs, true)
        };
        Ok(MetricsReport {
            configured: true,
            prometheus_url: Some(self.base.clone()),
            start: rfc3339(start),
            end: rfc3339(end),
            step_secs: step,
            tiles,
            targets,
            alerts,
        })
    }
}

impl MetricsReport {
    /// The answer when no Prometheus is configured.
    pub fn unconfigured(now: DateTime<Utc>) -> MetricsReport {
        let end = now.to_rfc3339_opts(SecondsFormat::Secs, true);
        MetricsReport {
            configured: false,
            prometheus_url: None,
            start: end.clone(),
            end,
            step_secs: 0,
            tiles: Vec::new(),
            targets: TargetsSummary::default(),
            alerts: Vec::new(),
        }
    }
}

/// The points of a one-series answer (the first series when an expression returned several),
/// without the values that are no number.
fn points(matrix: Matrix) -> Vec<MetricPoint> {
    let Some(series) = matrix.result.into_iter().next() else {
        return Vec::new();
    };
    series
        .values
        .into_iter()
        .filter_map(|(t, v)| {
            let v: f64 = v.parse().ok()?;
            v.is_finite().then_some(MetricPoint {
                t: t.floor() as i64,
                v,
            })
        })
        .collect()
}

fn summarise_targets(targets: Targets) -> TargetsSummary {
    let total = targets.active_targets.len();
    let mut down: Vec<DownTarget> = targets
        .active_targets
        .into_iter()
        .filter(|t| t.health != "up")
        .map(|t| DownTarget {
            job: t.labels.get("job").cloned().unwrap_or_default(),
            instance: t.labels.get("instance").cloned().unwrap_or(t.scrape_url),
            health: t.health,
            last_error: Some(t.last_error).filter(|e| !e.is_empty()),
        })
        .collect();
    down.sort_by(|a, b| (&a.job, &a.instance).cmp(&(&b.job, &b.instance)));
    TargetsSummary {
        up: total - down.len(),
        total,
        down,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `query_range` answer as Prometheus 2.42 sends it: fractional times, string values,
    /// `NaN` where a quantile had no requests.
    const RANGE: &str = r#"{"status":"success","data":{"resultType":"matrix","result":[
        {"metric":{},"values":[[1764576000,"0.25"],[1764576015.5,"NaN"],[1764576030,"+Inf"],[1764576045,"0.5"]]}
    ]}}"#;

    #[test]
    fn points_leave_out_what_is_no_number() {
        let envelope: Envelope<Matrix> = serde_json::from_str(RANGE).unwrap();
        let points = points(envelope.data.unwrap());
        assert_eq!(
            points,
            vec![
                MetricPoint {
                    t: 1764576000,
                    v: 0.25
                },
                MetricPoint {
                    t: 1764576045,
                    v: 0.5
                },
            ]
        );
        let empty: Envelope<Matrix> = serde_json::from_str(
            r#"{"status":"success","data":{"resultType":"matrix","result":[]}}"#,
        )
        .unwrap();
        assert!(super::points(empty.data.unwrap()).is_empty());
    }

    #[test]
    fn targets_that_are_not_up_are_named() {
        let envelope: Envelope<Targets> = serde_json::from_str(
            r#"{"status":"success","data":{"activeTargets":[
                {"labels":{"job":"prometheus","instance":"127.0.0.1:9090"},"scrapeUrl":"http://127.0.0.1:9090/metrics","health":"up","lastError":""},
                {"labels":{"job":"mindy-stream","instance":"127.0.0.1:9465"},"scrapeUrl":"http://127.0.0.1:9465/metrics","health":"down","lastError":"connection refused"},
                {"labels":{"job":"mindy-exporter"},"scrapeUrl":"http://127.0.0.1:9466/metrics","health":"unknown","lastError":""}
            ],"droppedTargets":[]}}"#,
        )
        .unwrap();
        let summary = summarise_targets(envelope.data.unwrap());
        assert_eq!((summary.up, summary.total), (1, 3));
        let down: Vec<_> = summary
            .down
            .iter()
            .map(|d| {
                (
                    d.job.as_str(),
                    d.instance.as_str(),
                    d.health.as_str(),
                    d.last_error.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            down,
            vec![
                (
                    "mindy-exporter",
                    "http://127.0.0.1:9466/metrics",
                    "unknown",
                    None
                ),
                (
                    "mindy-stream",
                    "127.0.0.1:9465",
                    "down",
                    Some("connection refused")
                ),
            ]
        );
    }

    #[test]
    fn a_refusal_keeps_prometheus_words() {
        let envelope: Envelope<Matrix> = serde_json::from_str(
            r#"{"status":"error","errorType":"bad_data","error":"1:5: parse error: unexpected end of input"}"#,
        )
        .unwrap();
        assert_eq!(envelope.status, "error");
        assert_eq!(envelope.error_type.as_deref(), Some("bad_data"));
        assert!(envelope.data.is_none());
    }

    #[test]
    fn every_tile_has_its_own_id_and_one_series() {
        let mut ids: Vec<_> = TILES.iter().map(|t| t.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), TILES.len());
        // Aggregated to one series: a top-level aggregation or a quantile over one.
        for tile in TILES {
            let q = tile.query;
            assert!(
                [
                    "sum(",
                    "max(",
                    "min(",
                    "histogram_quantile(0.95, sum by (le) ("
                ]
                .iter()
                .any(|f| q.starts_with(f)),
                "{}: {q}",
                tile.id
            );
        }
    }
}
