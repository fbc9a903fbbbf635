//! Issue 20: the alert rules (`ops/prometheus/rules.yml`) are valid and do what they say
//! (`promtool test rules`, with its unit tests in `rules.test.yml`), the stack's Prometheus runs
//! with them, scraping every part of the stack, and every query of the Grafana dashboards
//! (`docker/grafana/dashboards/*.json`) is one it accepts. That every target is up and reports, and
//! every panel shows data, with the pipeline and the API running, is checked at the end of the
//! restart matrix (`restarts.rs`).

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

use mindy_test::{grafana_queries, required};
use serde_json::Value;

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
    let url = required("MINDY_PROMETHEUS_URL");
    let http = reqwest::Client::new();
    let get = |path: &'static str| {
        let (http, url) = (http.clone(), format!("{url}{path}"));
        async move {
            let body: Value = http.get(url).send().await.unwrap().json().await.unwrap();
            assert_eq!(body["status"], "success", "{body}");
            body["data"].clone()
        }
    };

    let targets = get("/api/v1/targets").await;
    let targets = targets["activeTargets"].as_array().unwrap();
    let jobs: BTreeSet<&str> = targets
        .iter()
        .filter_map(|t| t["labels"]["job"].as_str())
        .collect();
    let want = [
        "prometheus",
        "mindy-api",
        "mindy-validator",
        "mindy-stream",
        "mindy-exporter",
        "spark-master",
        "spark-worker",
        "spark-driver",
    ];
    assert_eq!(jobs, want.into_iter().collect(), "the scrape jobs");
    // What the default stack runs is up (the pipeline and the API are not part of it); Spark's
    // processes serve their PrometheusServlet. A scrape every 5 s: give a just-started one time.
    for job in ["prometheus", "spark-master", "spark-worker", "spark-driver"] {
        let up = mindy_test::poll_every(
            std::time::Duration::from_secs(60),
            std::time::Duration::from_secs(2),
            || {
                let targets = get("/api/v1/targets");
                async move {
                    let targets = targets.await;
                    let of_job: Vec<Value> = targets["activeTargets"]
                        .as_array()?
                        .iter()
                        .filter(|t| t["labels"]["job"] == job)
                        .cloned()
                        .collect();
                    of_job.iter().all(|t| t["health"] == "up").then_some(())
                }
            },
        )
        .await;
        assert!(up.is_some(), "{job}'s targets are not up: {targets:?}");
    }

    let rules = get("/api/v1/rules").await;
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
    let url = required("MINDY_PROMETHEUS_URL");
    let http = reqwest::Client::new();
    let queries = grafana_queries();
    assert!(queries.len() >= 15, "the dashboards' queries: {queries:?}");
    for (panel, expr) in queries {
        let body: Value = http
            .get(format!("{url}/api/v1/query"))
            .query(&[("query", expr.as_str())])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(body["status"], "success", "panel {panel:?}: {expr}\n{body}");
    }
}
