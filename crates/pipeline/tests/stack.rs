//! Proof that the local stack is real: every service answers real work from Rust.
//!
//! Runs against the stack `./stack up` starts (locations from `.stack/env`; `./stack test`
//! sources it). Nothing here is skipped when a service is missing: the test fails and says so.

use std::time::Duration;

use mindy_core::config::{AirflowArgs, DatabaseArgs, KafkaArgs, LakeArgs, RedisArgs, SparkArgs};
use mindy_pipeline::jobs::smoke::{self, SmokeConfig};
use mindy_test::{eventually, Stack};
use serde_json::Value;

fn smoke_config(stack: &Stack) -> SmokeConfig {
    SmokeConfig {
        kafka: KafkaArgs {
            bootstrap: stack.kafka_bootstrap.clone(),
            options: Vec::new(),
        },
        spark: SparkArgs {
            remote: stack.spark_remote.clone(),
        },
        database: DatabaseArgs {
            url: stack.database_url.clone(),
            max_connections: 2,
        },
        redis: RedisArgs {
            url: stack.redis_url.clone(),
        },
        airflow: AirflowArgs {
            url: stack.airflow_url.clone(),
            username: stack.airflow_username.clone(),
            password: stack.airflow_password.clone(),
        },
        lake: LakeArgs {
            root: stack.lake_root.to_string_lossy().into_owned(),
        },
    }
}

async fn get_json(url: &str) -> Value {
    reqwest::get(url)
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"))
        .json()
        .await
        .unwrap()
}

/// Tasks completed so far by the Connect application's executors (the driver excluded).
async fn executor_tasks(stack: &Stack) -> (usize, i64) {
    let apps = get_json(&format!("{}/api/v1/applications", stack.spark_driver_ui)).await;
    let app_id = apps[0]["id"]
        .as_str()
        .expect("the Connect server's application")
        .to_string();
    let executors = get_json(&format!(
        "{}/api/v1/applications/{app_id}/executors",
        stack.spark_driver_ui
    ))
    .await;
    let workers: Vec<&Value> = executors
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["id"] != "driver")
        .collect();
    let tasks = workers
        .iter()
        .map(|e| e["totalTasks"].as_i64().unwrap_or(0))
        .sum();
    (workers.len(), tasks)
}

#[tokio::test]
async fn spark_cluster_has_two_workers_and_runs_the_connect_application() {
    let stack = Stack::from_env();
    let master = get_json(&format!("{}/json/", stack.spark_master_ui)).await;
    assert_eq!(master["status"], "ALIVE");
    let alive = master["workers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["state"] == "ALIVE")
        .count();
    assert_eq!(alive, 2, "master JSON: {master}");
    let apps = master["activeapps"].as_array().unwrap();
    let connect = apps
        .iter()
        .find(|a| a["name"] == "mini-mindy-connect")
        .expect("Connect app registered");
    assert!(
        connect["cores"].as_i64().unwrap() >= 1,
        "Connect app got no executor cores: {connect}"
    );
}

#[tokio::test]
async fn smoke_job_passes_every_service_and_spark_work_runs_on_executors() {
    let stack = Stack::from_env();
    let (_, tasks_before) = executor_tasks(&stack).await;
    // A freshly started DAG processor may not have parsed airflow/dags yet.
    let config = smoke_config(&stack);
    let report = eventually(
        "every smoke check to pass",
        Duration::from_secs(120),
        || async {
            let report = smoke::run(&config).await;
            report.passed().then_some(report)
        },
    )
    .await;
    let text = report.to_string();
    for service in ["spark", "kafka", "postgres", "redis", "airflow"] {
        assert!(
            text.contains(&format!("ok   {service}")),
            "{service} missing in:\n{text}"
        );
    }
    assert!(
        text.contains("stack_smoke"),
        "the DAG from airflow/dags is listed:\n{text}"
    );
    let (executors, tasks_after) = executor_tasks(&stack).await;
    assert!(
        executors >= 2,
        "expected the two workers' executors, found {executors}"
    );
    assert!(
        tasks_after > tasks_before,
        "no task ran on an executor ({tasks_before} → {tasks_after})"
    );
}

#[tokio::test]
async fn smoke_job_reports_a_service_that_does_not_answer() {
    let stack = Stack::from_env();
    let mut config = smoke_config(&stack);
    // Nothing listens on port 1: the Redis check must fail, and say so, while the others pass.
    config.redis.url = "redis://127.0.0.1:1".into();
    let report = smoke::run(&config).await;
    assert!(!report.passed());
    let failed: Vec<&str> = report
        .checks
        .iter()
        .filter(|c| c.outcome.is_err())
        .map(|c| c.service)
        .collect();
    assert_eq!(failed, ["redis"], "{report}");
}

#[tokio::test]
async fn airflow_rejects_a_wrong_password() {
    let stack = Stack::from_env();
    let args = AirflowArgs {
        url: stack.airflow_url.clone(),
        username: stack.airflow_username.clone(),
        password: "not-the-password".into(),
    };
    let err = mindy_core::airflow::AirflowClient::login(&args)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("refused"), "{err}");
}
