//! `mindy stream` against the real stack: Kafka → Spark Structured Streaming on the cluster →
//! Delta bronze, quarantine and silver, checked against expectations computed here in Rust.
//!
//! Every test uses its own topic and lake directory, so tests run in parallel.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Duration as Span, TimeZone, Timelike, Utc};
use mindy_core::config::{
    CalendarTopicArgs, KafkaArgs, LakeArgs, RecordType, SparkArgs, TopicArgs,
};
use mindy_core::email::{canonical_address, EmailRecord, Mailbox, Source};
use mindy_core::kafka;
use mindy_pipeline::jobs::stream::calendar::silver::parse_working_hours;
use mindy_pipeline::jobs::stream::calendar::CalendarStreamArgs;
use mindy_pipeline::jobs::stream::{self, StreamConfig};
use mindy_pipeline::shutdown::Shutdown;
use mindy_test::{unique, Stack};
use rdkafka::producer::{FutureProducer, FutureRecord};
use serde_json::Value;
use spark_client::SparkSession;

/// One test's topic, lake and stream settings.
struct Fixture {
    stack: Stack,
    config: StreamConfig,
    producer: FutureProducer,
    session: SparkSession,
}

impl Fixture {
    async fn new(name: &str, timezone: &str) -> Fixture {
        let stack = Stack::from_env();
        let topic = unique(&format!("stream-{name}"));
        let kafka_args = KafkaArgs {
            bootstrap: stack.kafka_bootstrap.clone(),
            options: Vec::new(),
        };
        kafka::ensure_topic(&kafka_args, &topic, 3).await.unwrap();
        let lake = stack.lake_path(&format!("stream-{name}"));
        let config = StreamConfig {
            kafka: kafka_args.clone(),
            topics: TopicArgs {
                emails: "unused".into(),
                processed: topic,
                dlq: "unused".into(),
            },
            records: vec![RecordType::Email],
            calendar: CalendarStreamArgs {
                topics: CalendarTopicArgs {
                    calendar: "unused".into(),
                    processed: "unused".into(),
                    dlq: "unused".into(),
                },
                working_hours: parse_working_hours("09:00-17:00").unwrap(),
                direct_reports: Vec::new(),
                as_of: None,
            },
            spark: SparkArgs {
                remote: stack.spark_remote.clone(),
            },
            lake: LakeArgs {
                root: lake.to_string_lossy().into_owned(),
            },
            checkpoint_root: None,
            trigger_interval: Duration::from_secs(1),
            available_now: true,
            starting_offsets: "earliest".into(),
            max_offsets_per_trigger: 10, // several micro-batches even for small tests
            fail_on_data_loss: false,
            dedup_window: "24 hours".into(),
            late_data_delay: "2 hours".into(),
            important_keywords: vec!["urgent".into(), "asap".into(), "deadline".into()],
            timezone: timezone.into(),
            progress_interval: Duration::from_secs(5),
            progress_database_url: Some(stack.database_url.clone()),
            metrics_addr: None,
        };
        let producer = kafka::client_config(&kafka_args)
            .set("acks", "all")
            .create()
            .unwrap();
        let session = SparkSession::builder()
            .remote(&stack.spark_remote)
            .build()
            .await
            .unwrap();
        Fixture {
            stack,
            config,
            producer,
            session,
        }
    }

    async fn produce(&self, key: &str, value: &[u8]) {
        self.producer
            .send(
                FutureRecord::to(&self.config.topics.processed)
                    .key(key)
                    .payload(value),
                Duration::from_secs(10),
            )
            .await
            .map_err(|(e, _)| e)
            .unwrap();
    }

    async fn produce_records(&self, records: &[EmailRecord]) {
        for r in records {
            self.produce(&r.id, &r.to_json()).await;
        }
    }

    async fn run(&self) -> String {
        stream::run(&self.config, Shutdown::new())
            .await
            .unwrap()
            .to_string()
    }

    /// Rows of a query as JSON objects.
    async fn rows(&self, sql: &str) -> Vec<Value> {
        let batches = self
            .session
            .sql(format!("SELECT to_json(struct(*)) AS j FROM ({sql})"))
            .await
            .unwrap()
            .collect()
            .await
            .unwrap();
        use arrow_array::cast::AsArray;
        batches
            .iter()
            .flat_map(|b| {
                let col = b.column(0).as_string::<i32>();
                (0..b.num_rows())
                    .map(|i| serde_json::from_str(col.value(i)).unwrap())
                    .collect::<Vec<Value>>()
            })
            .collect()
    }

    fn table(&self, which: &str) -> String {
        let paths = self.config.paths();
        let path = match which {
            "bronze" => paths.bronze,
            "quarantine" => paths.quarantine,
            _ => paths.silver,
        };
        format!("delta.`{path}`")
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.config.lake.root);
        let _ = &self.stack;
    }
}

/// silver rows: (window start, domain) → (count, avg length, sorted subjects, important count).
type Windows = BTreeMap<(i64, String), (i64, f64, Vec<String>, i64)>;

fn email(id: &str, from: &str, at: DateTime<Utc>, subject: &str, body: &str) -> EmailRecord {
    // As the validator forwards it: the address as written, and its canonical form.
    let sender = Mailbox {
        name: Some("Sender".into()),
        address: from.into(),
        canonical: Some(canonical_address(from).unwrap()),
    };
    EmailRecord {
        thread_id: format!("thread-{id}"),
        rfc822_message_id: Some(format!("{id}@mail.example")),
        to: vec![Mailbox {
            name: Some("Sarah".into()),
            address: "sarah@mindy.example".into(),
            canonical: None,
        }],
        labels: vec!["INBOX".into()],
        size_bytes: body.len() as i64 + 200,
        ingested_at: Utc::now(),
        ..EmailRecord::plain(Source::Demo, id, sender, subject, body, at)
    }
}

/// The sender domain an address must count under, written out by hand (not computed with the
/// code under test).
fn expected_domain(address: &str) -> String {
    let domain = address.split('@').nth(1).unwrap();
    match domain {
        "TechFlow.example" | "techflow.example." | "TECHFLOW.EXAMPLE" => "techflow.example",
        "bücher.example" | "XN--BCHER-KVA.example" => "xn--bcher-kva.example",
        other => other,
    }
    .to_string()
}

/// 30 emails over 5 hours from 3 domains, with varied lengths and importance, plus a last
/// email 6 hours later whose event time pushes the watermark past every earlier window.
fn workload(start: DateTime<Utc>) -> Vec<EmailRecord> {
    // One organisation, one sender domain, whatever the spelling (issue 14): case, a trailing
    // root dot, Unicode versus punycode.
    let spellings = [
        &["acmecorp.example"][..],
        &["TechFlow.example", "techflow.example.", "TECHFLOW.EXAMPLE"],
        &["bücher.example", "XN--BCHER-KVA.example"],
    ];
    let mut records: Vec<EmailRecord> = (0..30)
        .map(|i| {
            let at = start + Span::minutes(i * 10 + 3);
            let forms = spellings[i as usize % 3];
            let domain = forms[(i as usize / 3) % forms.len()];
            let subject = if i % 4 == 0 {
                format!("URGENT: issue {i}")
            } else {
                format!("Update {i}")
            };
            let body =
                "x".repeat(20 + i as usize * 7) + if i % 5 == 0 { " reply asap" } else { "" };
            email(
                &format!("wl-{i}"),
                &format!("person{i}@{domain}"),
                at,
                &subject,
                &body,
            )
        })
        .collect();
    records.push(email(
        "wl-clock",
        "clock@acmecorp.example",
        start + Span::hours(11),
        "later",
        "tick",
    ));
    records
}

/// silver's expected rows, computed here: (window start, domain) → (count, avg length, sorted
/// subjects, important count), for windows that end before the watermark.
fn expected_windows(records: &[EmailRecord], watermark: DateTime<Utc>) -> Windows {
    let mut groups: BTreeMap<(i64, String), Vec<&EmailRecord>> = BTreeMap::new();
    for r in records {
        let at = r.date.unwrap();
        let hour = at
            .with_minute(0)
            .unwrap()
            .with_second(0)
            .unwrap()
            .with_nanosecond(0)
            .unwrap();
        let domain = expected_domain(&r.from.as_ref().unwrap().address);
        groups
            .entry((hour.timestamp(), domain))
            .or_default()
            .push(r);
    }
    groups
        .into_iter()
        .filter(|((start, _), _)| start + 3600 <= watermark.timestamp())
        .map(|(key, rs)| {
            let n = rs.len() as i64;
            let avg = rs
                .iter()
                .map(|r| r.body_text.chars().count() as f64)
                .sum::<f64>()
                / n as f64;
            let mut subjects: Vec<String> = rs.iter().map(|r| r.subject.clone()).collect();
            subjects.sort();
            let important = rs
                .iter()
                .filter(|r| {
                    let text = format!("{} {}", r.subject, r.body_text).to_lowercase();
                    ["urgent", "asap", "deadline"]
                        .iter()
                        .any(|k| text.split(|c: char| !c.is_alphanumeric()).any(|w| w == *k))
                })
                .count() as i64;
            (key, (n, avg, subjects, important))
        })
        .collect()
}

async fn silver_rows(f: &Fixture) -> Windows {
    let rows = f
        .rows(&format!(
            "SELECT unix_timestamp(window_start) AS start, sender_domain, email_count, avg_email_length, \
             array_sort(subjects) AS subjects, important_count FROM {}",
            f.table("silver")
        ))
        .await;
    rows.into_iter()
        .map(|r| {
            let subjects = r["subjects"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap().to_string())
                .collect();
            (
                (
                    r["start"].as_i64().unwrap(),
                    r["sender_domain"].as_str().unwrap().to_string(),
                ),
                (
                    r["email_count"].as_i64().unwrap(),
                    r["avg_email_length"].as_f64().unwrap(),
                    subjects,
                    r["important_count"].as_i64().unwrap(),
                ),
            )
        })
        .collect()
}

#[tokio::test]
async fn bronze_and_silver_match_an_independent_computation_and_reruns_add_nothing() {
    let f = Fixture::new("core", "UTC").await;
    let start = Utc.with_ymd_and_hms(2026, 3, 2, 8, 0, 0).unwrap();
    let records = workload(start);
    f.produce_records(&records).await;
    let report = f.run().await;
    assert!(
        report.contains("bronze/emails +31 rows (read 31)"),
        "{report}"
    );

    // Bronze: exactly the records, each once, with the enrichment computed independently.
    let bronze = f
        .rows(&format!(
            "SELECT id, sender_domain, from_address, email_length, is_important, CAST(event_date AS STRING) AS event_date, \
             kafka_topic, kafka_offset IS NOT NULL AS has_offset, processed_at IS NOT NULL AS has_processed_at FROM {} ORDER BY id",
            f.table("bronze")
        ))
        .await;
    assert_eq!(bronze.len(), records.len());
    for row in &bronze {
        let r = records.iter().find(|r| r.id == row["id"]).unwrap();
        let address = &r.from.as_ref().unwrap().address;
        let (local, _) = address.split_once('@').unwrap();
        assert_eq!(row["sender_domain"], expected_domain(address));
        assert_eq!(
            row["from_address"],
            format!("{}@{}", local.to_lowercase(), expected_domain(address))
        );
        assert_eq!(row["email_length"], r.body_text.chars().count() as i64);
        let text = format!("{} {}", r.subject, r.body_text).to_lowercase();
        assert_eq!(
            row["is_important"],
            text.contains("urgent") || text.contains("asap"),
            "{}",
            r.id
        );
        assert_eq!(row["event_date"], r.date.unwrap().date_naive().to_string());
        assert_eq!(row["kafka_topic"], f.config.topics.processed.as_str());
        assert_eq!(row["has_offset"], true);
        assert_eq!(row["has_processed_at"], true);
    }

    // Silver: every window that closed (the watermark is the clock email's time minus 2 hours).
    let watermark = start + Span::hours(11) - Span::hours(2);
    let expected = expected_windows(&records, watermark);
    assert!(
        expected.len() >= 15,
        "the workload spans 5 hours × 3 domains"
    );
    let actual = silver_rows(&f).await;
    assert_eq!(
        actual.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>()
    );
    for (key, (n, avg, subjects, important)) in &expected {
        let got = &actual[key];
        assert_eq!(
            (got.0, &got.2, got.3),
            (*n, subjects, *important),
            "window {key:?}"
        );
        assert!(
            (got.1 - avg).abs() < 1e-9,
            "avg length of {key:?}: {} vs {avg}",
            got.1
        );
    }

    // Run again with nothing new: nothing is added anywhere.
    f.run().await;
    let count = f
        .rows(&format!("SELECT count(*) AS n FROM {}", f.table("bronze")))
        .await;
    assert_eq!(count[0]["n"], records.len() as i64);
    assert_eq!(silver_rows(&f).await, actual);
}

#[tokio::test]
async fn redelivered_ids_count_once_late_mail_stays_in_bronze_and_bad_values_are_quarantined() {
    let f = Fixture::new("edge", "America/New_York").await;
    let start = Utc.with_ymd_and_hms(2026, 3, 2, 8, 0, 0).unwrap();
    let records = workload(start);
    f.produce_records(&records).await;
    f.run().await;
    let silver_before = silver_rows(&f).await;

    // A re-sync re-delivers two mails; one new mail arrives on time; one arrives 5 hours late
    // (before the watermark); two values are not email records at all.
    f.produce_records(&records[3..5]).await;
    let on_time = email(
        "new-1",
        "a@globalsystems.example",
        start + Span::hours(11) + Span::minutes(5),
        "Agenda",
        "see you",
    );
    let late = email(
        "late-1",
        "b@globalsystems.example",
        start + Span::hours(1),
        "Old news",
        "late",
    );
    // 03:30 UTC on 3 March is still 2 March in New York.
    let night = email(
        "night-1",
        "c@acmecorp.example",
        Utc.with_ymd_and_hms(2026, 3, 3, 3, 30, 0).unwrap(),
        "Night",
        "zzz",
    );
    f.produce_records(&[on_time.clone(), late.clone(), night.clone()])
        .await;
    f.produce("junk-1", b"this is not json").await;
    f.produce(
        "junk-2",
        br#"{"schema_version": 1, "source": "demo", "subject": "no id"}"#,
    )
    .await;
    f.run().await;

    let ids = f
        .rows(&format!(
            "SELECT id, count(*) AS n FROM {} GROUP BY id",
            f.table("bronze")
        ))
        .await;
    assert_eq!(ids.len(), records.len() + 3, "every distinct id once");
    assert!(ids.iter().all(|r| r["n"] == 1), "no id twice: {ids:?}");
    let night_row = f
        .rows(&format!(
            "SELECT CAST(event_date AS STRING) AS d FROM {} WHERE id = 'night-1'",
            f.table("bronze")
        ))
        .await;
    assert_eq!(
        night_row[0]["d"], "2026-03-02",
        "event_date is the day in USER_TIMEZONE"
    );

    // The late mail is in bronze but changed no closed silver window (the late-data policy).
    let silver_after = silver_rows(&f).await;
    for (key, value) in &silver_before {
        assert_eq!(
            silver_after.get(key),
            Some(value),
            "closed window {key:?} changed"
        );
    }

    let quarantined = f
        .rows(&format!(
            "SELECT raw_value, reject_reason FROM {} ORDER BY raw_value",
            f.table("quarantine")
        ))
        .await;
    assert_eq!(quarantined.len(), 2, "{quarantined:?}");
    assert_eq!(quarantined[0]["raw_value"], "this is not json");
    // The reason names the record contract's rule (the validator's), then what it means.
    let reason = |i: usize| {
        quarantined[i]["reject_reason"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(reason(0).starts_with("json: "), "{quarantined:?}");
    assert!(reason(1).starts_with("id: "), "{quarantined:?}");
}

#[tokio::test]
async fn stream_records_progress_for_the_dashboard_and_prometheus() {
    let f = Fixture::new("progress", "UTC").await;
    let records = workload(Utc.with_ymd_and_hms(2026, 3, 9, 8, 0, 0).unwrap());
    f.produce_records(&records).await;
    f.run().await;

    // The driver's metrics (what a continuous one serves on /metrics): every query's batches and
    // rows. Other tests' queries of the same names, in this process, add to the same series: at
    // least this test's records.
    let page = mindy_pipeline::metrics::render_registry();
    let value = |series: &str| -> f64 {
        page.lines()
            .find_map(|l| l.strip_prefix(series)?.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {series} on the metrics page:\n{page}"))
    };
    let bronze = "{query=\"mindy_bronze\"}";
    assert!(value(&format!("mindy_stream_input_rows_total{bronze}")) >= records.len() as f64);
    assert!(value(&format!("mindy_stream_batches_total{bronze}")) >= 1.0);
    assert!(value("mindy_stream_batch_id{query=\"mindy_silver\"}") >= 0.0);
    assert!(
        page.contains("# TYPE mindy_stream_late_rows_dropped counter"),
        "{page}"
    );
    let pool = sqlx::PgPool::connect(&f.stack.database_url).await.unwrap();
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT query_name, batch_id FROM stream_progress WHERE query_name LIKE 'mindy_%'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let names: Vec<&str> = rows.iter().map(|(n, _)| n.as_str()).collect();
    for q in ["mindy_bronze", "mindy_quarantine", "mindy_silver"] {
        assert!(
            names.contains(&q),
            "{q} missing from stream_progress: {names:?}"
        );
    }
}

/// Issue 22: Spark Connect restarted under a continuous stream. The driver waits for the server,
/// resubmits its queries from their checkpoints and goes on: the mail produced before, during and
/// after the restart is in bronze exactly once, and the restart is recorded with the progress.
/// It restarts the stack's Connect server, so it only runs when asked (`./stack test` does,
/// against its own stack).
#[tokio::test]
#[ignore = "restarts the stack's Spark Connect server: `./stack test` runs it against its own stack"]
async fn a_continuous_stream_resubmits_its_queries_when_spark_connect_restarts() {
    let mut f = Fixture::new("restart", "UTC").await;
    f.config.available_now = false;
    f.config.max_offsets_per_trigger = 1_000;
    f.config.progress_interval = Duration::from_secs(1);
    let metrics = free_local_addr();
    f.config.metrics_addr = Some(metrics);
    let records = workload(Utc.with_ymd_and_hms(2026, 3, 10, 8, 0, 0).unwrap());
    let (before, after) = records.split_at(records.len() / 2);
    let (during, after) = after.split_at(after.len() / 2);

    let _ = tracing_subscriber::fmt()
        .with_env_filter("mindy_pipeline=info")
        .with_test_writer()
        .try_init();
    let shutdown = Shutdown::new();
    let mut driver = tokio::spawn({
        let (config, shutdown) = (f.config.clone(), shutdown.clone());
        async move { stream::run(&config, shutdown).await }
    });
    f.produce_records(before).await;
    let bronze = f.config.paths().bronze;
    let count = format!("SELECT count(*) AS n, count(DISTINCT id) AS ids FROM delta.`{bronze}`");
    bronze_holds(&f.stack, &count, before.len(), &mut driver).await;

    let connect = mindy_test::ServiceDown::stop("spark-connect");
    f.produce_records(during).await;
    connect.start();
    f.produce_records(after).await;
    // The fixture's session died with the server: a new one reads the table.
    bronze_holds(&f.stack, &count, records.len(), &mut driver).await;

    let pool = sqlx::PgPool::connect(&f.stack.database_url).await.unwrap();
    let (restarts,): (i32,) =
        sqlx::query_as("SELECT restarts FROM stream_progress WHERE query_name = 'mindy_bronze'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(restarts >= 1, "restarts recorded: {restarts}");
    // ... and counted for Prometheus, by the driver that lived through it.
    let page = reqwest::get(format!("http://{metrics}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let counted: f64 = page
        .lines()
        .find_map(|l| l.strip_prefix("mindy_stream_restarts_total ")?.parse().ok())
        .unwrap_or_else(|| panic!("no mindy_stream_restarts_total:\n{page}"));
    assert!(counted >= 1.0, "{page}");
    shutdown.trigger();
    driver.await.unwrap().unwrap();
}

/// Issue 20, schema evolution, against a stream that keeps running: a record with new optional
/// top-level fields lands in bronze with them in `extra_fields` (no restart, no schema change);
/// records that break the contract (a known field of the wrong type, an unsupported
/// `schema_version`) go to the quarantine with reasons saying what was wrong; and the stream goes
/// on with a later record.
#[tokio::test]
async fn new_fields_reach_bronze_and_incompatible_records_the_quarantine_while_the_stream_runs() {
    let mut f = Fixture::new("evolve", "UTC").await;
    f.config.available_now = false;
    f.config.max_offsets_per_trigger = 1_000;
    let at = Utc.with_ymd_and_hms(2026, 3, 11, 8, 0, 0).unwrap();
    let shutdown = Shutdown::new();
    let mut driver = tokio::spawn({
        let (config, shutdown) = (f.config.clone(), shutdown.clone());
        async move { stream::run(&config, shutdown).await }
    });
    let bronze = f.table("bronze");
    let quarantine = f.table("quarantine");
    let count = format!("SELECT count(*) AS n, count(DISTINCT id) AS ids FROM {bronze}");

    let normal = email("evo-1", "a@acmecorp.example", at, "Plain", "hello");
    f.produce_records(std::slice::from_ref(&normal)).await;
    bronze_holds(&f.stack, &count, 1, &mut driver).await;

    // A newer producer's record: two fields this record schema does not know.
    let newer = email("evo-2", "b@acmecorp.example", at, "Newer", "hello");
    let mut value: Value = serde_json::from_slice(&newer.to_json()).unwrap();
    value["label_colors"] = serde_json::json!({"Important": "#ff0000"});
    value["importance_score"] = serde_json::json!(7);
    f.produce(&newer.id, &serde_json::to_vec(&value).unwrap())
        .await;
    // Incompatible records: a known field of the wrong type, a version this code does not know.
    let mut wrong_type: Value =
        serde_json::from_slice(&email("evo-3", "c@acmecorp.example", at, "x", "y").to_json())
            .unwrap();
    wrong_type["size_bytes"] = serde_json::json!("ten");
    f.produce("evo-3", &serde_json::to_vec(&wrong_type).unwrap())
        .await;
    let mut newer_version: Value =
        serde_json::from_slice(&email("evo-4", "d@acmecorp.example", at, "x", "y").to_json())
            .unwrap();
    newer_version["schema_version"] = serde_json::json!(2);
    f.produce("evo-4", &serde_json::to_vec(&newer_version).unwrap())
        .await;
    bronze_holds(&f.stack, &count, 2, &mut driver).await;
    let quarantined =
        format!("SELECT count(*) AS n, count(DISTINCT raw_value) AS ids FROM {quarantine}");
    bronze_holds(&f.stack, &quarantined, 2, &mut driver).await;

    let rows = f
        .rows(&format!(
            "SELECT id, extra_fields FROM {bronze} ORDER BY id"
        ))
        .await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0]["id"], "evo-1");
    assert!(
        rows[0].get("extra_fields").is_none_or(Value::is_null),
        "a record of the known fields has no extra fields: {rows:?}"
    );
    assert_eq!(
        rows[1]["extra_fields"],
        serde_json::json!({"importance_score": "7", "label_colors": "{\"Important\":\"#ff0000\"}"}),
        "the new fields' JSON text"
    );
    let reasons = f
        .rows(&format!(
            "SELECT get_json_object(raw_value, '$.id') AS id, reject_reason FROM {quarantine} ORDER BY id"
        ))
        .await;
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert_eq!(
        reasons[0]["reject_reason"],
        "json: the value is not a JSON object of the record's field types (wrong type: size_bytes)",
        "{reasons:?}"
    );
    assert_eq!(
        reasons[1]["reject_reason"], "schema_version: schema_version is missing or not 1 (got 2)",
        "{reasons:?}"
    );

    // Still running, without a restart: a later record goes through.
    let later = email("evo-5", "e@acmecorp.example", at, "Later", "hello");
    f.produce_records(std::slice::from_ref(&later)).await;
    bronze_holds(&f.stack, &count, 3, &mut driver).await;
    assert!(!driver.is_finished(), "the stream is still running");
    shutdown.trigger();
    driver.await.unwrap().unwrap();
}

/// Issue 20's promotion path: a bronze table written by older code, without a column the plan
/// now has (`extra_fields` stands for a field promoted to a typed column). A continuous stream
/// adds the column (additive evolution on purpose) before its queries start, so silver, reading
/// bronze as a Delta stream, is not stopped by the change; the old rows keep their values with
/// the column null, and the new rows fill it.
#[tokio::test]
async fn an_older_bronze_table_gains_the_plans_new_column() {
    let old = Fixture::new("evolve-old", "UTC").await;
    let at = Utc.with_ymd_and_hms(2026, 3, 12, 8, 0, 0).unwrap();
    old.produce_records(&[email("old-1", "a@acmecorp.example", at, "Old", "hello")])
        .await;
    old.run().await;
    let mut f = Fixture::new("evolve-new", "UTC").await;
    f.config.available_now = false;
    f.config.max_offsets_per_trigger = 1_000;
    // f's bronze as the older code wrote it: the same rows, without the column.
    f.session
        .read()
        .format("delta")
        .load_path(old.config.paths().bronze)
        .drop(["extra_fields"])
        .write()
        .format("delta")
        .partition_by(["event_date"])
        .save(f.config.paths().bronze)
        .await
        .unwrap();
    let bronze = f.table("bronze");
    let columns = || async {
        let schema = f
            .session
            .read()
            .format("delta")
            .load_path(f.config.paths().bronze)
            .schema()
            .await
            .unwrap();
        schema
            .names()
            .into_iter()
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let before = columns().await;
    assert!(!before.contains(&"extra_fields".to_string()), "{before:?}");

    let newer = email("new-1", "b@acmecorp.example", at, "New", "hello");
    let mut value: Value = serde_json::from_slice(&newer.to_json()).unwrap();
    value["label_colors"] = serde_json::json!({"Important": "#ff0000"});
    f.produce(&newer.id, &serde_json::to_vec(&value).unwrap())
        .await;
    let shutdown = Shutdown::new();
    let mut driver = tokio::spawn({
        let (config, shutdown) = (f.config.clone(), shutdown.clone());
        async move { stream::run(&config, shutdown).await }
    });
    let count = format!("SELECT count(*) AS n, count(DISTINCT id) AS ids FROM {bronze}");
    bronze_holds(&f.stack, &count, 2, &mut driver).await;
    // Silver has read bronze's new version once its table exists; a few more triggers.
    let silver = f.config.paths().silver;
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    while !stream::table_exists(&f.session, &silver).await {
        assert!(std::time::Instant::now() < deadline, "silver never wrote");
        assert!(!driver.is_finished(), "{:?}", driver.await);
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert!(!driver.is_finished(), "{:?}", driver.await);
    shutdown.trigger();
    driver.await.unwrap().unwrap();

    let after = columns().await;
    assert!(after.contains(&"extra_fields".to_string()), "{after:?}");
    let rows = f
        .rows(&format!(
            "SELECT id, extra_fields['label_colors'] AS colors FROM {bronze} ORDER BY id"
        ))
        .await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0]["id"], "new-1");
    assert_eq!(rows[0]["colors"], "{\"Important\":\"#ff0000\"}");
    assert_eq!(rows[1]["id"], "old-1");
    assert!(rows[1].get("colors").is_none_or(Value::is_null), "{rows:?}");
}

/// Issue 20: what is not additive fails loudly. A bronze table with a column the plan no longer
/// has (a field removed or renamed without a version bump and a migration) makes the stream
/// refuse to start, naming the column, and leaves the table as it was.
#[tokio::test]
async fn a_bronze_table_with_a_column_the_plan_lost_is_refused() {
    let old = Fixture::new("evolve-lost-old", "UTC").await;
    let at = Utc.with_ymd_and_hms(2026, 3, 13, 8, 0, 0).unwrap();
    old.produce_records(&[email("lost-1", "a@acmecorp.example", at, "Old", "hello")])
        .await;
    old.run().await;
    let f = Fixture::new("evolve-lost", "UTC").await;
    f.session
        .read()
        .format("delta")
        .load_path(old.config.paths().bronze)
        .with_column("legacy_label", spark_client::functions::lit("x"))
        .write()
        .format("delta")
        .partition_by(["event_date"])
        .save(f.config.paths().bronze)
        .await
        .unwrap();
    f.produce_records(&[email("lost-2", "b@acmecorp.example", at, "New", "hello")])
        .await;
    let error = stream::run(&f.config, Shutdown::new())
        .await
        .expect_err("a column the plan lost is not an additive change")
        .to_string();
    assert!(
        error.contains("column legacy_label is gone") && error.contains("SCHEMA_VERSION"),
        "{error}"
    );
    let rows = f
        .rows(&format!("SELECT id FROM {}", f.table("bronze")))
        .await;
    assert_eq!(rows.len(), 1, "nothing written: {rows:?}");
}

/// A local address no one listens on now.
fn free_local_addr() -> std::net::SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

/// Waits (up to 5 minutes) until bronze holds `n` rows with `n` different message ids, while
/// the stream's driver runs.
async fn bronze_holds(
    stack: &Stack,
    count: &str,
    n: usize,
    driver: &mut tokio::task::JoinHandle<mindy_pipeline::Result<stream::StreamReport>>,
) {
    let session = SparkSession::builder()
        .remote(&stack.spark_remote)
        .build()
        .await
        .unwrap();
    let want = (n as i64, n as i64);
    let mut last: Result<(i64, i64), String> = Err("not asked yet".into());
    let deadline = std::time::Instant::now() + Duration::from_secs(300);
    while std::time::Instant::now() < deadline {
        if driver.is_finished() {
            panic!("the stream's driver ended: {:?}", driver.await);
        }
        // Before the first commit the table does not exist: an error, asked again.
        last = async {
            let batches = session.sql(count.to_string()).await?.collect().await?;
            let rows = spark_client::rows::Rows::new(batches);
            let row = rows.get(0).expect("one row");
            Ok::<_, spark_client::Error>((row.get::<i64>("n")?, row.get::<i64>("ids")?))
        }
        .await
        .map_err(|e| e.to_string());
        if last == Ok(want) {
            return;
        }
        if let Ok((rows, _)) = last {
            assert!(
                rows <= want.0,
                "bronze holds more rows than produced: {last:?}, want {want:?}"
            );
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    panic!("bronze never held {want:?} (rows, ids); last seen {last:?}");
}
