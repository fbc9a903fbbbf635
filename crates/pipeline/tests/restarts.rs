//! Issue 22's restart matrix: the stack's own supervised pipeline (`./stack up pipeline`: the
//! validator, the stream, the enricher, the exporter, all continuous) and `mindy-api`
//! (`./stack up api`), with mail flowing into the raw topic all along, while Kafka, the Spark
//! cluster, PostgreSQL, Redis and Airflow are restarted in turn (`./stack down X`, a few seconds,
//! `./stack up X`). Nobody restarts a job: after each restart the mail flows again and the chat
//! answers, each within a bound, and at the end every layer holds exactly the mail the producer
//! sent — bronze, silver, gold and the serving tables, counted and their ids compared.
//!
//! Prints each recovery time (service back → mail flowing into bronze again, → the chat
//! answering, → the mail in the serving tables); the README's operations section quotes them.
//!
//! It drives the stack's processes and default topics and lake, so it only runs when asked:
//! `./stack test` runs it against its own stack.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use mindy_core::config::LakeArgs;
use mindy_core::email::{EmailRecord, Mailbox, Source};
use mindy_core::lake;
use mindy_test::{
    eventually_every, poll_every, required, stack_command, unique, Prometheus, Stack,
};
use rdkafka::producer::{DeliveryFuture, FutureProducer, FutureRecord};
use rdkafka::ClientConfig;
use serde_json::Value;
use spark_client::rows::Rows;
use spark_client::SparkSession;

/// Mail the producer writes per second while the services restart.
const RATE_PER_SECOND: u64 = 4;
/// How long each service stays down.
const OUTAGE: Duration = Duration::from_secs(5);
/// How often the checks look: each look is a Spark query or a PostgreSQL count, so not often
/// enough to load the cluster the pipeline is catching up on.
const PROBE_INTERVAL: Duration = Duration::from_secs(5);
/// The bound on each recovery: service back → mail in bronze again, and → the chat answering.
const RECOVERY_BOUND: Duration = Duration::from_secs(360);
/// The bound on the end: the last mail sent → every layer holding all of it.
const CATCH_UP_BOUND: Duration = Duration::from_secs(900);

/// The mail of this run: ids `<run>-<n>`, from one organisation's domain `<run>.example`, in
/// threads of five.
struct Mail {
    run: String,
    sent: Mutex<Vec<(String, Instant)>>,
    deliveries: Mutex<Vec<DeliveryFuture>>,
    next: AtomicUsize,
}

impl Mail {
    fn new() -> Mail {
        Mail {
            run: unique("matrix").replace('_', "-"),
            sent: Mutex::new(Vec::new()),
            deliveries: Mutex::new(Vec::new()),
            next: AtomicUsize::new(0),
        }
    }

    fn domain(&self) -> String {
        format!("{}.example", self.run)
    }

    /// The next record, as `mindy ingest` writes it to the raw topic (key: id, value: JSON).
    fn record(&self) -> EmailRecord {
        let n = self.next.fetch_add(1, Ordering::SeqCst);
        let id = format!("{}-{n:05}", self.run);
        let from = format!("person{}@{}", n % 7, self.domain());
        let sender = Mailbox {
            name: Some(format!("Person {}", n % 7)),
            address: from,
            canonical: None,
        };
        let body = format!("Status update number {n}. Could you review the numbers by Friday?");
        EmailRecord {
            thread_id: format!("{}-thread-{}", self.run, n / 5),
            to: vec![Mailbox {
                name: Some("Sarah".into()),
                address: "sarah@mindy.example".into(),
                canonical: None,
            }],
            labels: vec!["INBOX".into()],
            ..EmailRecord::plain(
                Source::Demo,
                &id,
                sender,
                &format!("Status {n}"),
                &body,
                Utc::now(),
            )
        }
    }

    /// Enqueues one record (it is sent when the broker takes it: a down broker delays it, the
    /// idempotent producer never duplicates it); returns its id.
    fn send(&self, producer: &FutureProducer, topic: &str) -> String {
        let record = self.record();
        let value = record.to_json();
        let delivery = producer
            .send_result(FutureRecord::to(topic).key(&record.id).payload(&value))
            .map_err(|(e, _)| e)
            .expect("the producer's queue takes the record");
        self.deliveries.lock().unwrap().push(delivery);
        self.sent
            .lock()
            .unwrap()
            .push((record.id.clone(), Instant::now()));
        record.id
    }

    /// Waits for every delivery report: the ids the broker acknowledged, all of them.
    async fn delivered(&self) -> BTreeSet<String> {
        let deliveries = std::mem::take(&mut *self.deliveries.lock().unwrap());
        for delivery in deliveries {
            delivery
                .await
                .expect("delivery report")
                .map_err(|(e, _)| e)
                .expect("the broker acknowledged the record");
        }
        self.sent
            .lock()
            .unwrap()
            .iter()
            .map(|(id, _)| id.clone())
            .collect()
    }
}

/// How one restart went, for the printed table.
struct Recovery {
    service: &'static str,
    down_up: Duration,
    flowing: Duration,
    answering: Duration,
    served: Option<Duration>,
}

#[tokio::test]
#[ignore = "restarts every service of the stack: `./stack test` runs it against its own stack"]
async fn the_pipeline_and_the_chat_recover_from_a_restart_of_each_service_and_lose_nothing() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter("warn,sqlx=error")
        .with_test_writer()
        .try_init();
    let stack = Stack::from_env();
    let topic = required("MINDY_TOPIC_EMAILS");
    let lake = LakeArgs {
        root: required("MINDY_LAKE_ROOT"),
    };
    // First: `./stack up api` creates the API's token on a fresh stack.
    let _running = Running::start();
    let api = Api::from_env();

    let mail = Arc::new(Mail::new());
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", &stack.kafka_bootstrap)
        .set("enable.idempotence", "true")
        .set("acks", "all")
        // Rides out every broker outage below.
        .set("message.timeout.ms", "900000")
        .create()
        .unwrap();
    let producing = Arc::new(AtomicBool::new(true));
    let producer_task = tokio::spawn({
        let (mail, producing, producer, topic) = (
            mail.clone(),
            producing.clone(),
            producer.clone(),
            topic.clone(),
        );
        async move {
            let mut tick = tokio::time::interval(Duration::from_millis(1000 / RATE_PER_SECOND));
            while producing.load(Ordering::SeqCst) {
                tick.tick().await;
                mail.send(&producer, &topic);
            }
        }
    });

    let spark = Spark::new(&stack.spark_remote);
    let bronze = lake.location(&lake::BRONZE_EMAILS);
    let probe_in_bronze = |id: String| {
        let (spark, bronze) = (spark.clone(), bronze.clone());
        async move {
            let sql =
                format!("SELECT count(*) AS a, 0L AS b FROM delta.`{bronze}` WHERE id = '{id}'");
            matches!(spark.pair(&sql).await, Ok((n, _)) if n > 0).then_some(())
        }
    };
    let database_url = stack.database_url.clone();
    let served = move |id: String| {
        let url = database_url.clone();
        async move {
            let n = pg_count(
                &url,
                &format!("SELECT count(*) FROM email_insights WHERE id = '{id}'"),
            )
            .await
            .ok()?;
            (n > 0).then_some(())
        }
    };

    // Flowing before anything restarts; the mail's last stage is waited for in the background
    // (as after each restart below): an enricher's pass over the whole lake takes minutes.
    let first = mail.send(&producer, &topic);
    let start = Instant::now();
    let first_served = tokio::spawn(served_within(served.clone(), first.clone(), start));
    eventually_within("the first mail in bronze", CATCH_UP_BOUND, || {
        probe_in_bronze(first.clone())
    })
    .await;
    println!(
        "before any restart: the first mail in bronze after {:.0} s",
        start.elapsed().as_secs_f64()
    );

    let mut recoveries = Vec::new();
    let mut serving_waits = Vec::new();
    for service in ["kafka", "spark", "postgres", "redis", "airflow"] {
        let down = Instant::now();
        stack_command("down", service);
        tokio::time::sleep(OUTAGE).await;
        stack_command("up", service);
        let down_up = down.elapsed();
        let back = Instant::now();
        let probe = mail.send(&producer, &topic);
        // The mail's last stage runs in the background while the next service restarts.
        serving_waits.push(tokio::spawn(served_within(
            served.clone(),
            probe.clone(),
            back,
        )));
        let answering = {
            let api = &api;
            eventually_within(
                &format!("the chat answering after the {service} restart"),
                RECOVERY_BOUND,
                || async move { api.answers("How many emails did I receive today?").await },
            )
            .await;
            back.elapsed()
        };
        if service == "airflow" {
            airflow_runs_a_dag();
        }
        eventually_within(
            &format!("mail flowing into bronze after the {service} restart"),
            RECOVERY_BOUND,
            || probe_in_bronze(probe.clone()),
        )
        .await;
        let flowing = back.elapsed();
        println!(
            "{service}: down→up {:.0} s; back → flowing into bronze {:.0} s, chat answering {:.1} s",
            down_up.as_secs_f64(),
            flowing.as_secs_f64(),
            answering.as_secs_f64()
        );
        recoveries.push(Recovery {
            service,
            down_up,
            flowing,
            answering,
            served: None,
        });
    }

    producing.store(false, Ordering::SeqCst);
    producer_task.await.unwrap();
    let ids = mail.delivered().await;
    let last_sent = Instant::now();
    let first_served = first_served.await.unwrap();
    for (recovery, wait) in recoveries.iter_mut().zip(serving_waits) {
        recovery.served = wait.await.unwrap();
    }

    let n = ids.len() as i64;
    let run = &mail.run;
    // Every layer: (rows, distinct ids) of this run's mail.
    let layers = [
        ("bronze/emails", lake::BRONZE_EMAILS, "id"),
        ("silver/email_insights", lake::SILVER_EMAIL_INSIGHTS, "id"),
    ];
    for (name, table, column) in layers {
        let sql = format!(
            "SELECT count(*) AS a, count(DISTINCT {column}) AS b FROM delta.`{}` \
             WHERE {column} LIKE '{run}-%'",
            lake.location(&table),
        );
        eventually_within(
            &format!("{name} holding the {n} emails sent"),
            CATCH_UP_BOUND,
            || {
                let (spark, sql) = (spark.clone(), sql.clone());
                async move { (spark.pair(&sql).await.ok()? == (n, n)).then_some(()) }
            },
        )
        .await;
    }
    let found = spark
        .ids(&format!(
            "SELECT id FROM delta.`{bronze}` WHERE id LIKE '{run}-%'"
        ))
        .await;
    assert_eq!(found, ids, "bronze's ids are the ids sent");
    // gold: the threads (five emails each) count every email once.
    let threads = (n + 4) / 5;
    let gold = format!(
        "SELECT count(*) AS a, coalesce(sum(message_count), 0L) AS b FROM delta.`{}` \
         WHERE thread_id LIKE '{run}-thread-%'",
        lake.location(&lake::GOLD_EMAIL_THREADS),
    );
    eventually_within(
        "gold/email_threads counting every email once",
        CATCH_UP_BOUND,
        || {
            let (spark, sql) = (spark.clone(), gold.clone());
            async move { (spark.pair(&sql).await.ok()? == (threads, n)).then_some(()) }
        },
    )
    .await;
    // The serving tables: the same ids, and the threads.
    let url = stack.database_url.clone();
    eventually_within(
        "the serving tables holding every email sent",
        CATCH_UP_BOUND,
        || {
            let url = url.clone();
            async move {
                let rows = pg_count(
                    &url,
                    &format!("SELECT count(*) FROM email_insights WHERE id LIKE '{run}-%'"),
                )
                .await
                .ok()?;
                let messages = pg_count(
                    &url,
                    &format!(
                        "SELECT coalesce(sum(message_count), 0)::bigint FROM email_threads \
                         WHERE thread_id LIKE '{run}-thread-%'"
                    ),
                )
                .await
                .ok()?;
                (rows == n && messages == n).then_some(())
            }
        },
    )
    .await;
    let pool = sqlx::PgPool::connect(&stack.database_url).await.unwrap();
    let served_ids: BTreeSet<String> =
        sqlx::query_scalar("SELECT id FROM email_insights WHERE id LIKE $1")
            .bind(format!("{run}-%"))
            .fetch_all(&pool)
            .await
            .unwrap()
            .into_iter()
            .collect();
    assert_eq!(served_ids, ids, "the serving table's ids are the ids sent");
    let caught_up = last_sent.elapsed();

    // The chat answers from the serving tables, with their exact number.
    let question = format!("How many emails from {} today?", mail.domain());
    let reply = api.ask(&question).await;
    let answer = reply["answer"].as_str().unwrap_or_default();
    assert!(
        answer.starts_with(&format!("You received {n} emails from {}", mail.domain())),
        "{question} → {answer} (want {n}): {reply}"
    );

    println!("\nrestart matrix: {n} emails sent at {RATE_PER_SECOND}/s, every one in bronze, silver, gold and PostgreSQL exactly once");
    println!("| service | down → up | back → flowing into bronze | back → chat answering | back → served in PostgreSQL |");
    println!("|---|---|---|---|---|");
    for r in &recoveries {
        println!(
            "| {} | {:.0} s | {:.0} s | {:.1} s | {} |",
            r.service,
            r.down_up.as_secs_f64(),
            r.flowing.as_secs_f64(),
            r.answering.as_secs_f64(),
            r.served
                .map(|d| format!("{:.0} s", d.as_secs_f64()))
                .unwrap_or_else(|| "not within the bound".into())
        );
    }
    println!(
        "the first mail, before any restart: in PostgreSQL after {}",
        first_served
            .map(|d| format!("{:.0} s", d.as_secs_f64()))
            .unwrap_or_else(|| "more than the bound".into())
    );
    println!(
        "last mail sent → every layer caught up: {:.0} s",
        caught_up.as_secs_f64()
    );
    assert!(
        first_served.is_some(),
        "the first mail never reached the serving tables"
    );
    for r in &recoveries {
        assert!(
            r.served.is_some(),
            "mail sent after the {} restart never reached the serving tables",
            r.service
        );
    }
    pool.close().await;
    prometheus_scraped_the_running_stack().await;
    the_dashboards_metrics_have_data(&api).await;
}

/// The web dashboard's metrics panel (mindy-api's `/api/pipeline/metrics`, from the stack's
/// Prometheus) has a current value on every tile and every target up.
async fn the_dashboards_metrics_have_data(api: &Api) {
    let (status, report) = api.get("/api/pipeline/metrics").await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["configured"], true, "{report}");
    let tiles = report["tiles"].as_array().expect("tiles");
    assert!(!tiles.is_empty(), "{report}");
    let empty: Vec<&str> = tiles
        .iter()
        .filter(|t| !t["latest"].is_number())
        .map(|t| t["id"].as_str().unwrap_or("?"))
        .collect();
    assert!(
        empty.is_empty(),
        "dashboard tiles without a current value: {empty:?} in {report}"
    );
    assert_eq!(report["targets"]["down"], serde_json::json!([]), "{report}");
    let latest: Vec<String> = tiles
        .iter()
        .map(|t| format!("{} {}", t["id"].as_str().unwrap_or("?"), t["latest"]))
        .collect();
    println!("the dashboard's metrics: {}", latest.join(", "));
}

/// Issue 20: the stack's Prometheus scrapes every part of it, the pipeline's jobs and mindy-api
/// included, and holds what they reported: the stream's batches, its resubmission after the Spark
/// restart, the exporter's freshness.
async fn prometheus_scraped_the_running_stack() {
    let prometheus = Prometheus::from_env();
    // Each target is scraped every 5 s; one just restarted (Airflow's turn came last, Spark's
    // driver UI came back with the Connect server) may need a scrape or two.
    let deadline = Instant::now() + Duration::from_secs(120);
    let down = loop {
        let down = prometheus.targets_down().await;
        if down.as_ref().is_some_and(Vec::is_empty) || Instant::now() > deadline {
            break down;
        }
        tokio::time::sleep(PROBE_INTERVAL).await;
    };
    assert_eq!(down, Some(vec![]), "Prometheus's targets that are not up");
    let batches = prometheus
        .value(r#"sum(mindy_stream_batches_total{query="mindy_bronze"})"#)
        .await;
    assert!(
        batches.is_some_and(|n| n >= 1.0),
        "bronze's batches: {batches:?}"
    );
    let restarts = prometheus.value("max(mindy_stream_restarts_total)").await;
    assert!(
        restarts.is_some_and(|n| n >= 1.0),
        "the stream's resubmissions after the Spark restart: {restarts:?}"
    );
    let age = prometheus
        .value("max(time() - mindy_export_last_success_timestamp_seconds)")
        .await;
    assert!(
        age.is_some_and(|s| s < 600.0),
        "the serving tables' age: {age:?} s"
    );
    let validated = prometheus
        .value(r#"sum(mindy_validator_records_total{outcome="valid"})"#)
        .await;
    assert!(
        validated.is_some_and(|n| n >= 1.0),
        "validated records: {validated:?}"
    );
    let requests = prometheus.value("sum(mindy_api_http_requests_total)").await;
    assert!(
        requests.is_some_and(|n| n >= 1.0),
        "mindy-api's requests: {requests:?}"
    );
    // Every panel of the Grafana dashboards shows data on the running stack.
    for (panel, expr) in mindy_test::grafana_queries() {
        let data = prometheus.query(&expr).await;
        let series = data.as_ref().map_or(0, Vec::len);
        assert!(
            series > 0,
            "Grafana panel {panel:?} shows no data: {expr} → {data:?}"
        );
    }
    println!(
        "Prometheus: every target up, every Grafana panel with data; bronze batches {batches:?}, stream restarts {restarts:?}, serving data {age:?} s old"
    );
}

/// The stack's pipeline and `mindy-api`, started for the test and stopped after it, whatever
/// its outcome (the later tests run their own jobs on their own topics).
struct Running;

impl Running {
    fn start() -> Running {
        stack_command("up", "pipeline");
        stack_command("up", "api");
        Running
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        stack_command("down", "api");
        stack_command("down", "pipeline");
    }
}

/// Waits (in the background, up to [`CATCH_UP_BOUND`]) until `check` finds `id` served; how long
/// after `since` that was.
async fn served_within<F, Fut>(check: F, id: String, since: Instant) -> Option<Duration>
where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = Option<()>>,
{
    poll_every(CATCH_UP_BOUND, PROBE_INTERVAL, || check(id.clone()))
        .await
        .map(|()| since.elapsed())
}

/// `mindy airflow trigger daily_batch_dag` for today, as the demo runs it: a DAG run on the
/// Celery worker after Airflow's restart.
fn airflow_runs_a_dag() {
    let today = Utc::now()
        .with_timezone(
            &required("USER_TIMEZONE")
                .parse::<chrono_tz::Tz>()
                .expect("USER_TIMEZONE is an IANA zone"),
        )
        .date_naive()
        .to_string();
    let status = std::process::Command::new(required("MINDY_BIN"))
        .args(["airflow", "trigger", "daily_batch_dag", "--date", &today])
        .status()
        .expect("mindy airflow trigger");
    assert!(
        status.success(),
        "daily_batch_dag after the restart: {status}"
    );
}

/// The stack's `mindy-api` (`./stack up api`).
struct Api {
    url: String,
    token: String,
    http: reqwest::Client,
}

impl Api {
    fn from_env() -> Api {
        let secrets = required("MINDY_STACK_SECRETS");
        Api {
            url: required("MINDY_STACK_API"),
            token: std::fs::read_to_string(format!("{secrets}/api-token"))
                .expect("the stack's API token")
                .trim()
                .to_string(),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
        }
    }

    async fn post(&self, question: &str) -> Result<(u16, Value), reqwest::Error> {
        let response = self
            .http
            .post(format!("{}/api/chat", self.url))
            .bearer_auth(&self.token)
            .json(&serde_json::json!({ "message": question }))
            .send()
            .await?;
        let status = response.status().as_u16();
        Ok((status, response.json().await?))
    }

    /// An authenticated GET; the status and the JSON body.
    async fn get(&self, path: &str) -> (u16, Value) {
        let response = self
            .http
            .get(format!("{}{path}", self.url))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("mindy-api answers");
        let status = response.status().as_u16();
        (status, response.json().await.expect("a JSON body"))
    }

    /// `Some` when the chat gives an answer (200 with an answer text).
    async fn answers(&self, question: &str) -> Option<()> {
        match self.post(question).await {
            Ok((200, reply)) if reply["answer"].as_str().is_some_and(|a| !a.is_empty()) => Some(()),
            _ => None,
        }
    }

    async fn ask(&self, question: &str) -> Value {
        let (status, reply) = self.post(question).await.expect("the chat answers");
        assert_eq!(status, 200, "{question}: {reply}");
        reply
    }
}

/// Polls `check` every [`PROBE_INTERVAL`] until it returns `Some`; panics with `what` after
/// `bound`.
async fn eventually_within<F, Fut>(what: &str, bound: Duration, check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<()>>,
{
    eventually_every(what, bound, PROBE_INTERVAL, check).await
}

/// Spark Connect for the checks: one session, made again after an error (the server may have
/// restarted since).
#[derive(Clone)]
struct Spark {
    remote: String,
    session: Arc<tokio::sync::Mutex<Option<SparkSession>>>,
}

impl Spark {
    fn new(remote: &str) -> Spark {
        Spark {
            remote: remote.to_string(),
            session: Arc::default(),
        }
    }

    async fn batches(&self, sql: &str) -> spark_client::Result<Rows> {
        let mut slot = self.session.lock().await;
        let session = match slot.as_ref() {
            Some(session) => session.clone(),
            None => {
                let session = SparkSession::builder().remote(&self.remote).build().await?;
                *slot = Some(session.clone());
                session
            }
        };
        let result = async { session.sql(sql.to_string()).await?.collect().await }.await;
        if result.is_err() {
            *slot = None;
        }
        Ok(Rows::new(result?))
    }

    /// The columns `a` and `b` (bigint) of the one row of `sql`.
    async fn pair(&self, sql: &str) -> spark_client::Result<(i64, i64)> {
        let rows = self.batches(sql).await?;
        let row = rows.get(0).expect("one row");
        Ok((row.get::<i64>("a")?, row.get::<i64>("b")?))
    }

    async fn ids(&self, sql: &str) -> BTreeSet<String> {
        let rows = self.batches(sql).await.expect("the ids");
        rows.iter()
            .map(|row| row.get::<String>("id").unwrap())
            .collect()
    }
}

async fn pg_count(url: &str, sql: &str) -> Result<i64, sqlx::Error> {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url).await?;
    let n: i64 = sqlx::query_scalar(sql).fetch_one(&mut conn).await?;
    conn.close().await?;
    Ok(n)
}
