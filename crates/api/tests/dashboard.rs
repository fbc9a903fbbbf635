//! The dashboard endpoints against the running stack.

use std::time::Duration;

use mindy_test::{unique, Stack};
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{Offset, TopicPartitionList};
use serde_json::Value;

use mindy_pipeline::jobs::export::lake_state;

use crate::util::{dashboard, Options, TestApp};

#[tokio::test]
async fn health_reports_every_dependency_without_auth() {
    let app = TestApp::new().await;
    let request = axum::http::Request::get("/api/health")
        .body(axum::body::Body::empty())
        .unwrap();
    let (status, _, body) = app.send(request).await;
    let health: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(status, 200, "{health}");
    let checks = health["checks"].as_array().unwrap();
    let names: Vec<&str> = checks.iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["postgresql", "redis", "kafka", "spark_connect", "airflow"]
    );
    for check in checks {
        assert_eq!(check["up"], true, "the stack is up, so is {check}");
        assert!(check["latency_ms"].as_f64().unwrap() >= 0.0);
    }
    assert_eq!(health["status"], "ok");
}

#[tokio::test]
async fn health_says_which_dependency_is_down() {
    let mut options = Options::semantic();
    options.dashboard.spark_remote = "sc://127.0.0.1:1".into();
    options.dashboard.airflow.url = "http://127.0.0.1:1".into();
    let app = TestApp::with(options).await;
    let (status, health) = app.get("/api/health").await;
    assert_eq!(
        status, 200,
        "PostgreSQL and Redis are up: degraded, not down"
    );
    assert_eq!(health["status"], "degraded");
    let spark = health["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "spark_connect")
        .unwrap();
    assert_eq!(spark["up"], false);
    assert!(
        spark["error"].as_str().unwrap().contains("127.0.0.1:1"),
        "{spark}"
    );
}

#[tokio::test]
async fn airflow_runs_come_from_the_rest_api() {
    let app = TestApp::new().await;
    let (status, body) = app.get("/api/pipeline/airflow/runs?limit=5").await;
    assert_eq!(status, 200, "{body}");
    let runs = body["runs"].as_array().unwrap();
    assert!(runs.len() <= 5);
    for run in runs {
        assert!(
            run["dag_id"].is_string() && run["run_id"].is_string(),
            "{run}"
        );
    }
    let (status, body) = app.get("/api/pipeline/airflow/runs?limit=500").await;
    assert_eq!(
        (status.as_u16(), body["error"]["code"].as_str()),
        (400, Some("bad_request"))
    );
    let (status, _) = app.get("/api/pipeline/airflow/runs?dag_id=../../x").await;
    assert_eq!(status, 400);

    let mut options = Options::semantic();
    options.dashboard.airflow.password = "wrong".into();
    let app = TestApp::with(options).await;
    let (status, body) = app.get("/api/pipeline/airflow/runs").await;
    assert_eq!(status, 502, "{body}");
    assert_eq!(body["error"]["code"], "upstream_unavailable");
    assert!(!body.to_string().contains("wrong"), "no detail leaks");
}

/// Airflow accepts the filters the workers' report asks with (repeated `state`, `order_by`),
/// and the report holds together; its rules are unit-tested (`dashboard::workers`).
#[tokio::test]
async fn airflow_workers_are_read_from_task_instances() {
    let app = TestApp::new().await;
    let (status, body) = app.get("/api/pipeline/airflow/workers").await;
    assert_eq!(status, 200, "{body}");
    assert!(
        ["idle", "busy", "stalled"].contains(&body["state"].as_str().unwrap()),
        "{body}"
    );
    assert_eq!(body["stalled_after_secs"], 120);
    assert!(body["queued"].as_i64().unwrap() >= 0 && body["running"].as_i64().unwrap() >= 0);
    if body["state"] == "stalled" {
        assert!(body["oldest_queued_secs"].as_i64().unwrap() > 120, "{body}");
    }
    if let Some(task) = body["last_task"].as_object() {
        assert!(
            task["task_id"].as_str().is_some_and(|t| !t.is_empty()),
            "{body}"
        );
    }

    let mut options = Options::semantic();
    options.dashboard.airflow.password = "wrong".into();
    let app = TestApp::with(options).await;
    let (status, body) = app.get("/api/pipeline/airflow/workers").await;
    assert_eq!(status, 502, "{body}");
    assert_eq!(body["error"]["code"], "upstream_unavailable");
}

/// A Delta table written by hand: two commits, two files with row statistics.
/// Runs `statement` on the cluster, `{t}` standing for the Delta table at `path`.
async fn delta(spark: &spark_client::SparkSession, path: &str, statement: &str) {
    let sql = statement.replace("{t}", &format!("delta.`{path}`"));
    spark.sql(sql).await.unwrap();
}

/// The lake's tables as the exporter's `lake_state` step writes them, read back through the API:
/// a real Delta table on the cluster, two commits, then a third; only a moved version is read
/// again, and a table that is gone leaves the view.
#[tokio::test]
async fn the_lake_view_shows_each_table_as_the_exporter_read_it() {
    let stack = Stack::from_env();
    let root = stack.lake_path("api_lake");
    let lake = mindy_core::config::LakeArgs {
        root: root.to_string_lossy().to_string(),
    };
    let emails = lake.location(&mindy_core::lake::BRONZE_EMAILS);
    let spark = spark_client::SparkSession::builder()
        .remote(&stack.spark_remote)
        .build()
        .await
        .unwrap();
    delta(&spark, &emails, "CREATE TABLE {t} (id BIGINT) USING delta").await;
    delta(&spark, &emails, "INSERT INTO {t} VALUES (1), (2), (3)").await;
    let mut options = Options::semantic();
    options.dashboard.lake.root = lake.root.clone();
    let app = TestApp::with(options).await;
    let owner = sqlx::PgPool::connect(&app.db.owner_url()).await.unwrap();
    let refresh = || lake_state::refresh(&spark, &owner, &lake);

    let first = refresh().await.unwrap();
    assert_eq!((first.read, first.failed), (1, 0), "{first}");
    assert_eq!(first.absent, mindy_core::lake::TABLES.len() - 1, "{first}");
    let (status, body) = app.get("/api/pipeline/lake").await;
    assert_eq!(status, 200, "{body}");
    let layers: Vec<&str> = body["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap())
        .collect();
    assert_eq!(layers, ["bronze", "silver", "gold"]);
    assert_eq!(body["root"], lake.spark_root());
    let table = &body["layers"][0]["tables"][0];
    assert_eq!(table["name"], "emails", "{body}");
    assert_eq!(table["version"], 1, "{table}");
    assert_eq!(table["records"], 3, "{table}");
    assert!(table["files"].as_u64().unwrap() >= 1, "{table}");
    assert!(table["size_bytes"].as_u64().unwrap() > 0, "{table}");
    assert!(table.get("error").is_none(), "{table}");
    let committed =
        chrono::DateTime::parse_from_rfc3339(table["last_updated"].as_str().unwrap()).unwrap();
    assert!(
        (chrono::Utc::now() - committed.to_utc())
            .num_minutes()
            .abs()
            < 10,
        "{table}"
    );
    assert_eq!(body["layers"][1]["tables"].as_array().unwrap().len(), 0);

    let idle = refresh().await.unwrap();
    assert_eq!(
        (idle.read, idle.unchanged),
        (0, 1),
        "an unmoved version is not read: {idle}"
    );
    delta(&spark, &emails, "INSERT INTO {t} VALUES (4), (5), (6), (7)").await;
    let moved = refresh().await.unwrap();
    assert_eq!((moved.read, moved.unchanged), (1, 0), "{moved}");
    let (_, body) = app.get("/api/pipeline/lake").await;
    let table = &body["layers"][0]["tables"][0];
    assert_eq!(
        (table["version"].as_i64(), table["records"].as_i64()),
        (Some(2), Some(7)),
        "{table}"
    );

    std::fs::remove_dir_all(&root).unwrap();
    let gone = refresh().await.unwrap();
    assert_eq!(gone.absent, mindy_core::lake::TABLES.len(), "{gone}");
    let (_, body) = app.get("/api/pipeline/lake").await;
    assert_eq!(
        body["layers"][0]["tables"].as_array().unwrap().len(),
        0,
        "{body}"
    );
}

#[tokio::test]
async fn kafka_offsets_and_group_lag() {
    let stack = Stack::from_env();
    let args = mindy_core::config::KafkaArgs {
        bootstrap: stack.kafka_bootstrap.clone(),
        options: Vec::new(),
    };
    let topic = unique("api_offsets");
    let group = unique("api_group");
    mindy_core::kafka::ensure_topic(&args, &topic, 2)
        .await
        .unwrap();
    let producer: FutureProducer = mindy_core::kafka::client_config(&args).create().unwrap();
    for (i, partition) in [0, 0, 1].into_iter().enumerate() {
        let payload = format!("m{i}");
        let record = FutureRecord::<str, str>::to(&topic)
            .partition(partition)
            .payload(&payload);
        producer
            .send(record, Duration::from_secs(10))
            .await
            .map_err(|(e, _)| e)
            .unwrap();
    }
    let consumer: BaseConsumer = mindy_core::kafka::client_config(&args)
        .set("group.id", &group)
        .create()
        .unwrap();
    let mut offsets = TopicPartitionList::new();
    offsets
        .add_partition_offset(&topic, 0, Offset::Offset(1))
        .unwrap();
    consumer.commit(&offsets, CommitMode::Sync).unwrap();

    let mut options = Options::semantic();
    options.dashboard = dashboard();
    options.dashboard.topics = vec![topic.clone(), unique("api_missing")];
    options.dashboard.groups = vec![group.clone()];
    let app = TestApp::with(options).await;
    let (status, body) = app.get("/api/pipeline/kafka").await;
    mindy_core::kafka::delete_topic(&args, &topic)
        .await
        .unwrap();
    assert_eq!(status, 200, "{body}");
    let report = &body["topics"][0];
    assert_eq!(report["exists"], true);
    assert_eq!(report["messages"], 3, "{report}");
    let p0 = &report["partitions"][0];
    assert_eq!(
        (p0["partition"].as_i64(), p0["end_offset"].as_i64()),
        (Some(0), Some(2))
    );
    assert_eq!(p0["groups"][0]["group"], group.as_str());
    assert_eq!(
        (
            p0["groups"][0]["committed"].as_i64(),
            p0["groups"][0]["lag"].as_i64()
        ),
        (Some(1), Some(1))
    );
    assert_eq!(
        report["partitions"][1]["groups"].as_array().unwrap().len(),
        0,
        "nothing committed there"
    );
    assert_eq!(body["topics"][1]["exists"], false);
}

/// The metrics panel's series come from the stack's Prometheus: every tile asked (its PromQL
/// accepted), the targets counted (Prometheus scrapes itself, so at least that one is up), the
/// alerts listed. Whether each tile has data is checked where the pipeline runs (the restart
/// matrix in `crates/pipeline/tests/restarts.rs`).
#[tokio::test]
async fn metrics_come_from_prometheus() {
    let app = TestApp::new().await;
    let (status, body) = app.get("/api/pipeline/metrics?minutes=30").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["configured"], true);
    assert_eq!(body["step_secs"], 15, "30 minutes in 120 points of 15 s");
    let ids: Vec<&str> = body["tiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    let expected: Vec<&str> = mindy_api::dashboard::prometheus::TILES
        .iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(ids, expected);
    for tile in body["tiles"].as_array().unwrap() {
        for point in tile["points"].as_array().unwrap() {
            assert!(point["t"].is_i64() && point["v"].is_f64(), "{tile}");
        }
    }
    let targets = &body["targets"];
    assert!(targets["up"].as_u64().unwrap() >= 1, "{targets}");
    assert_eq!(
        targets["total"].as_u64().unwrap(),
        targets["up"].as_u64().unwrap() + targets["down"].as_array().unwrap().len() as u64,
        "{targets}"
    );
    assert!(body["alerts"].is_array(), "{body}");

    let (status, body) = app.get("/api/pipeline/metrics?minutes=2").await;
    assert_eq!(
        (status.as_u16(), body["error"]["code"].as_str()),
        (400, Some("bad_request"))
    );

    // Without a Prometheus, the panel is told so; with one that does not answer, 502.
    let mut options = Options::semantic();
    options.dashboard.prometheus = None;
    let (status, body) = TestApp::with(options)
        .await
        .get("/api/pipeline/metrics")
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (&body["configured"], body["tiles"].as_array().map(Vec::len)),
        (&serde_json::json!(false), Some(0))
    );
    let mut options = Options::semantic();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    options.dashboard.prometheus = Some(mindy_api::dashboard::prometheus::Prometheus::new(&url));
    let (status, body) = TestApp::with(options)
        .await
        .get("/api/pipeline/metrics")
        .await;
    assert_eq!(status, 502, "{body}");
    assert_eq!(body["error"]["code"], "upstream_unavailable");
}

/// The lines of `/metrics` for the metric `name` (its series, with or without labels).
async fn metric_lines(app: &TestApp, name: &str) -> Vec<String> {
    let (status, body) = app.get("/metrics").await;
    assert_eq!(status, 200, "{body}");
    let text = body.as_str().unwrap_or_default();
    text.lines()
        .filter(|l| l.starts_with(&format!("{name}{{")) || l.starts_with(&format!("{name} ")))
        .map(String::from)
        .collect()
}

/// A failed `daily_batch_dag` run (its quality check on a lake with no mail) becomes
/// `mindy_api_airflow_failed_dag_runs{dag_id="daily_batch_dag"}`, the input of the
/// `MindyDagRunFailed` alert; every DAG Airflow lists has a series; Airflow refusing the API's
/// login sets `mindy_api_airflow_up` to 0.
#[tokio::test]
async fn failed_dag_runs_are_counted_from_airflows_api() {
    const DAG: &str = "daily_batch_dag";
    let stack = Stack::from_env();
    let app = TestApp::new().await;
    let failed = |lines: Vec<String>| -> i64 {
        let prefix = format!("mindy_api_airflow_failed_dag_runs{{dag_id=\"{DAG}\"}} ");
        lines
            .iter()
            .find_map(|l| l.strip_prefix(&prefix))
            .unwrap_or_else(|| panic!("no {DAG} series in {lines:?}"))
            .parse()
            .unwrap()
    };
    mindy_api::dashboard::airflow::poll_failed_runs(&app.state).await;
    assert_eq!(
        metric_lines(&app, "mindy_api_airflow_up").await,
        ["mindy_api_airflow_up 1"]
    );
    let before = failed(metric_lines(&app, "mindy_api_airflow_failed_dag_runs").await);

    let client = mindy_core::airflow::AirflowClient::login(&app.state.dashboard.airflow)
        .await
        .unwrap();
    client.set_paused(DAG, false).await.unwrap();
    let empty = tempfile::Builder::new()
        .prefix("failed-dag-run")
        .tempdir_in(&stack.lake_root)
        .unwrap();
    let conf = serde_json::json!({
        "date": "2001-02-03",
        "lake_root": empty.path().to_string_lossy(),
    });
    let run_id = client.trigger(DAG, conf).await.unwrap();
    let state = mindy_test::eventually(
        &format!("run {run_id} to finish"),
        Duration::from_secs(600),
        || async {
            let state = client.run_state(DAG, &run_id).await.ok()?;
            matches!(state.as_str(), "success" | "failed").then_some(state)
        },
    )
    .await;
    assert_eq!(
        state, "failed",
        "a day without mail fails its quality check"
    );
    // The run recorded its failed score in the stack's database.
    let pool = sqlx::PgPool::connect(&stack.database_url).await.unwrap();
    sqlx::query("DELETE FROM quality_scores WHERE date = DATE '2001-02-03'")
        .execute(&pool)
        .await
        .unwrap();

    mindy_api::dashboard::airflow::poll_failed_runs(&app.state).await;
    let lines = metric_lines(&app, "mindy_api_airflow_failed_dag_runs").await;
    assert!(
        failed(lines.clone()) > before,
        "{lines:?} (before: {before})"
    );
    for dag in client.dags().await.unwrap() {
        let series = format!(
            "mindy_api_airflow_failed_dag_runs{{dag_id=\"{}\"}} ",
            dag.dag_id
        );
        assert!(
            lines.iter().any(|l| l.starts_with(&series)),
            "{series} in {lines:?}"
        );
    }

    let mut options = Options::semantic();
    options.dashboard.airflow.password = "wrong".into();
    let refused = TestApp::with(options).await;
    mindy_api::dashboard::airflow::poll_failed_runs(&refused.state).await;
    assert_eq!(
        metric_lines(&refused, "mindy_api_airflow_up").await,
        ["mindy_api_airflow_up 0"]
    );
}
