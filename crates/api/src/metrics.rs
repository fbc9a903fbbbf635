//! Prometheus metrics, served at `/metrics` in the text exposition format.

use std::sync::Mutex;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ChatLabels {
    generator: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ActionLabels {
    action: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DagLabels {
    dag_id: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct GeneratorLabels {
    generator: String,
}

type Histograms = Family<RouteLabels, Histogram, fn() -> Histogram>;

/// The API's metrics and their registry.
pub struct Metrics {
    registry: Mutex<Registry>,
    requests: Family<RequestLabels, Counter>,
    latency: Histograms,
    chat: Family<ChatLabels, Counter>,
    refusals: Family<GeneratorLabels, Counter>,
    actions: Family<ActionLabels, Counter>,
    reminders: Family<OutcomeLabels, Counter>,
    failed_dag_runs: Family<DagLabels, Gauge>,
    airflow_up: Gauge,
}

fn latency_buckets() -> Histogram {
    // 1 ms to ~16 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("mindy_api");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency: Histograms = Family::new_with_constructor(latency_buckets);
        let chat = Family::<ChatLabels, Counter>::default();
        let refusals = Family::<GeneratorLabels, Counter>::default();
        let actions = Family::<ActionLabels, Counter>::default();
        let reminders = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests by route and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency by route",
            latency.clone(),
        );
        registry.register(
            "chat_answers",
            "Chat replies by generator and outcome (answered, refused, cached)",
            chat.clone(),
        );
        registry.register(
            "sql_refusals",
            "Generated SQL refused by the validator",
            refusals.clone(),
        );
        registry.register(
            "actions",
            "Proposed actions by action (send_email, create_event, create_task, set_reminder) and outcome (proposed, executed, failed)",
            actions.clone(),
        );
        registry.register(
            "reminders",
            "Reminder deliveries by outcome (delivered, failed)",
            reminders.clone(),
        );
        let failed_dag_runs = Family::<DagLabels, Gauge>::default();
        registry.register(
            "airflow_failed_dag_runs",
            "DAG runs that ended failed in the last 24 hours, by DAG (every DAG Airflow lists has a series), from Airflow's REST API",
            failed_dag_runs.clone(),
        );
        let airflow_up = Gauge::default();
        registry.register(
            "airflow_up",
            "1 when the last poll of Airflow's REST API for failed DAG runs answered, else 0",
            airflow_up.clone(),
        );
        Metrics {
            registry: Mutex::new(registry),
            failed_dag_runs,
            airflow_up,
            requests,
            latency,
            chat,
            refusals,
            actions,
            reminders,
        }
    }
}

impl Metrics {
    /// Records one HTTP request.
    pub fn request(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let (method, route) = (method.to_string(), route.to_string());
        self.requests
            .get_or_create(&RequestLabels {
                method: method.clone(),
                route: route.clone(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels { method, route })
            .observe(seconds);
    }

    /// Records one chat reply.
    pub fn chat(&self, generator: &str, outcome: &str) {
        let labels = ChatLabels {
            generator: generator.to_string(),
            outcome: outcome.to_string(),
        };
        self.chat.get_or_create(&labels).inc();
    }

    /// Records one refused SQL query.
    pub fn sql_refused(&self, generator: &str) {
        self.refusals
            .get_or_create(&GeneratorLabels {
                generator: generator.to_string(),
            })
            .inc();
    }

    /// Records one action proposed, executed or failed.
    pub fn action(&self, action: &str, outcome: &str) {
        self.actions
            .get_or_create(&ActionLabels {
                action: action.to_string(),
                outcome: outcome.to_string(),
            })
            .inc();
    }

    /// Records one reminder delivery (`delivered` or `failed`).
    pub fn reminder(&self, outcome: &str) {
        self.reminders
            .get_or_create(&OutcomeLabels {
                outcome: outcome.to_string(),
            })
            .inc();
    }

    /// Records a poll of Airflow's failed runs: `failed` maps every DAG to its failed runs in
    /// the window (DAGs no longer listed lose their series); `None` when Airflow did not answer
    /// (the last counts stay, `airflow_up` says 0).
    pub fn airflow_failed_runs(&self, failed: Option<&std::collections::BTreeMap<String, u64>>) {
        let Some(failed) = failed else {
            self.airflow_up.set(0);
            return;
        };
        self.failed_dag_runs.clear();
        for (dag_id, n) in failed {
            self.failed_dag_runs
                .get_or_create(&DagLabels {
                    dag_id: dag_id.clone(),
                })
                .set(i64::try_from(*n).unwrap_or(i64::MAX));
        }
        self.airflow_up.set(1);
    }

    /// The text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let registry = self.registry.lock().unwrap_or_else(|e| e.into_inner());
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &registry);
        out
    }
}
