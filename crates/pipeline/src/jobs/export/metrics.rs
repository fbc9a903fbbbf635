//! The exporter's Prometheus metrics, labelled by serving table (`table`): what each step did and
//! how fresh each table is. Registered in [`crate::metrics::registry`] when first used.
//!
//! | metric | kind | meaning |
//! |---|---|---|
//! | `mindy_export_steps_total{table,outcome}` | counter | steps by outcome: `applied`, `up_to_date`, `no_source`, `failed` |
//! | `mindy_export_rows_total{table,change}` | counter | rows `upserted` or `deleted` in PostgreSQL |
//! | `mindy_export_version{table}` | gauge | the Delta version the serving table holds |
//! | `mindy_export_last_success_timestamp_seconds{table}` | gauge | when a step last ended without error (Unix time): the serving data's freshness, which the `MindyServingDataStale` alert watches |
//! | `mindy_export_pass_duration_seconds` | gauge | wall time of the last pass over every table |

use std::sync::atomic::AtomicU64;
use std::sync::LazyLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;

use super::Step;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StepLabels {
    table: String,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RowLabels {
    table: String,
    change: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TableLabels {
    table: String,
}

/// The exporter's metric families.
pub struct ExportMetrics {
    steps: Family<StepLabels, Counter>,
    rows: Family<RowLabels, Counter>,
    version: Family<TableLabels, Gauge>,
    success: Family<TableLabels, Gauge<f64, AtomicU64>>,
    pass: Gauge<f64, AtomicU64>,
}

static METRICS: LazyLock<ExportMetrics> = LazyLock::new(ExportMetrics::registered);

/// The process's exporter metrics.
pub fn get() -> &'static ExportMetrics {
    &METRICS
}

impl ExportMetrics {
    fn registered() -> ExportMetrics {
        let m = ExportMetrics {
            steps: Family::default(),
            rows: Family::default(),
            version: Family::default(),
            success: Family::default(),
            pass: Gauge::default(),
        };
        let mut r = crate::metrics::registry();
        r.register(
            "mindy_export_steps",
            "Export steps by serving table and outcome.",
            m.steps.clone(),
        );
        r.register(
            "mindy_export_rows",
            "Rows written to (upserted) or deleted from the serving table.",
            m.rows.clone(),
        );
        r.register(
            "mindy_export_version",
            "The Delta table version the serving table holds.",
            m.version.clone(),
        );
        r.register(
            "mindy_export_last_success_timestamp_seconds",
            "When a step for the serving table last ended without error, as Unix time.",
            m.success.clone(),
        );
        r.register(
            "mindy_export_pass_duration_seconds",
            "Wall time of the last pass over every serving table.",
            m.pass.clone(),
        );
        drop(r);
        m
    }

    /// Records a step's outcome for `table`: `Ok` with what it did, or `None` when it failed.
    pub fn step(&self, table: &str, step: Option<&Step>) {
        let outcome = match step {
            None => "failed",
            Some(Step::NoSource) => "no_source",
            Some(Step::UpToDate { .. }) => "up_to_date",
            Some(Step::Applied { .. }) => "applied",
        };
        self.steps
            .get_or_create(&StepLabels {
                table: table.to_string(),
                outcome,
            })
            .inc();
        let Some(step) = step else { return };
        let labels = TableLabels {
            table: table.to_string(),
        };
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        self.success.get_or_create(&labels).set(now.as_secs_f64());
        let held = match step {
            Step::NoSource => return,
            Step::UpToDate { version } => *version,
            Step::Applied {
                to,
                upserted,
                deleted,
                ..
            } => {
                for (change, n) in [("upserted", *upserted), ("deleted", *deleted)] {
                    self.rows
                        .get_or_create(&RowLabels {
                            table: table.to_string(),
                            change,
                        })
                        .inc_by(n);
                }
                *to
            }
        };
        self.version.get_or_create(&labels).set(held);
    }

    /// Records how long a pass over every table took.
    pub fn pass(&self, took: Duration) {
        self.pass.set(took.as_secs_f64());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_rows_versions_and_freshness_are_recorded() {
        let m = get();
        let t = "test_export_metrics";
        m.step(
            t,
            Some(&Step::Applied {
                from: None,
                to: 4,
                upserted: 10,
                deleted: 2,
                snapshot: true,
            }),
        );
        m.step(t, Some(&Step::UpToDate { version: 4 }));
        m.step(t, None);
        m.pass(Duration::from_millis(250));
        let page = crate::metrics::render_registry();
        for line in [
            format!("mindy_export_steps_total{{table=\"{t}\",outcome=\"applied\"}} 1"),
            format!("mindy_export_steps_total{{table=\"{t}\",outcome=\"up_to_date\"}} 1"),
            format!("mindy_export_steps_total{{table=\"{t}\",outcome=\"failed\"}} 1"),
            format!("mindy_export_rows_total{{table=\"{t}\",change=\"upserted\"}} 10"),
            format!("mindy_export_rows_total{{table=\"{t}\",change=\"deleted\"}} 2"),
            format!("mindy_export_version{{table=\"{t}\"}} 4"),
        ] {
            assert!(page.lines().any(|l| l == line), "no {line} in\n{page}");
        }
        let fresh = page
            .lines()
            .find_map(|l| {
                l.strip_prefix(&format!(
                    "mindy_export_last_success_timestamp_seconds{{table=\"{t}\"}} "
                ))
            })
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap();
        assert!(fresh > 1.7e9, "{fresh}");
    }
}
