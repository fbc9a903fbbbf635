//! Issue 20: the alert rules (`ops/prometheus/rules.yml`) are valid and do what they say
//! (`promtool test rules`, with its unit tests in `rules.test.yml`), the stack's Prometheus runs
//! with them, scraping every part of the stack, and every query of the Grafana dashboards
//! (`docker/grafana/dashboards/*.json`) is one it accepts. That every target is up and reports, and
//! every panel shows data, with the pipeline and the API running, is checked at the end of the
//! restart matrix (`restarts.rs`).

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

use mindy_test::{grafana_queries, Prometheus};

fn rules_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ops/prometheus")
}

fn promtool(args: &[&str]) -> String {
    let out = Command::new("promtool")
        .args(args)
        .current_dir(rules_dir())
        .output()
        .expect("promtool (Debian's prometheus package; ./stack installs it)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "promtool {args:?}:\n{text}");
    text
}

/// The alert names `rules.yml` defines, read from the file.
fn alert_names() -> BTreeSet<String> {
    let text = std::fs::read_to_string(rules_dir().join("rules.yml")).unwrap();
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("- alert: "))
        .map(|n| n.trim().to_string())
        .collect()
}

#[test]
fn the_alert_rules_are_valid_and_fire_as_their_unit_tests_say() {
    let checked = promtool(&["check", "rules", "rules.yml"]);
    assert!(
        checked.contains(&format!("SUCCESS: {} rules found", alert_names().len())),
        "{checked}"
    );
    promtool(&["test", "rules", "rules.test.yml"]);
}

#[tokio::test]
async fn the_stack_prometheus_scrapes_every_part_and_holds_the_rules() {
    let prometheus = Prometheus::from_env();
    let want: BTreeSet<String> = [
        "prometheus",
        "mindy-api",
        "mindy-validator",
        "mindy-stream",
        "mindy-exporter",
        "spark-master",
        "spark-worker",
        "spark-driver",
    ]
    .map(String::from)
    .into();
    let jobs = |targets: &[serde_json::Value]| -> BTreeSet<String> {
        targets
            .iter()
            .filter_map(|t| t["labels"]["job"].as_str().map(String::from))
            .collect()
    };
    // Prometheus lists its targets once its scrape manager has read the configuration, a few
    // seconds after it answers.
    mindy_test::poll_every(
        std::time::Duration::from_secs(30),
        std::time::Duration::from_secs(1),
        || {
            let targets = prometheus.active_targets();
            let want = &want;
            async move { (jobs(&targets.await.ok()?) == *want).then_some(()) }
        },
    )
    .await;
    let targets = prometheus.active_targets().await.unwrap();
    assert_eq!(jobs(&targets), want, "the scrape jobs");
    // What the default stack runs is up (the pipeline and the API are not part of it); Spark's
    // processes serve their PrometheusServlet. A scrape every 5 s: give a just-started one time.
    for job in ["prometheus", "spark-master", "spark-worker", "spark-driver"] {
        let up = mindy_test::poll_every(
            std::time::Duration::from_secs(60),
            std::time::Duration::from_secs(2),
            || {
                let targets = prometheus.active_targets();
                async move {
                    let targets = targets.await.ok()?;
                    targets
                        .iter()
                        .filter(|t| t["labels"]["job"] == job)
                        .all(|t| t["health"] == "up")
                        .then_some(())
                }
            },
        )
        .await;
        assert!(up.is_some(), "{job}'s targets are not up: {targets:?}");
    }

    let rules = prometheus.get("/api/v1/rules", &[]).await.unwrap();
    let loaded: BTreeSet<String> = rules["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["rules"].as_array().unwrap().iter())
        .filter_map(|r| r["name"].as_str().map(str::to_string))
        .collect();
    assert_eq!(loaded, alert_names(), "the alert rules Prometheus loaded");
}

#[tokio::test]
async fn every_grafana_panel_query_is_valid_promql_for_the_stack_prometheus() {
    let prometheus = Prometheus::from_env();
    let queries = grafana_queries();
    assert!(queries.len() >= 15, "the dashboards' queries: {queries:?}");
    for (panel, expr) in queries {
        if let Err(answer) = prometheus.query(&expr).await {
            panic!("panel {panel:?}: {expr}\n{answer}");
        }
    }
}
