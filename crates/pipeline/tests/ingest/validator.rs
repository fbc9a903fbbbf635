//! The validator's routing: valid records normalised to the processed topic, each kind of
//! invalid record to the DLQ with its rule.

use std::collections::HashMap;

use mindy_core::config::{CalendarTopicArgs, RecordType};
use mindy_core::email::Source;
use mindy_pipeline::jobs::ingest::sink::EmailSink;
use mindy_pipeline::jobs::validate::{self, ValidateConfig};
use mindy_pipeline::shutdown::Shutdown;
use serde_json::{json, Value};

use super::util::TestTopics;

/// A valid v1 record with the given id.
pub fn record(id: &str) -> Value {
    json!({
        "schema_version": 1, "id": id, "thread_id": format!("t-{id}"), "rfc822_message_id": format!("{id}@x.example"),
        "source": "demo", "subject": "  Quarterly numbers  ", "from": {"name": "Tom", "address": "Tom.Anderson@AcmeCorp.example"},
        "to": [{"name": "Sarah", "address": "Sarah.Mitchell@northwind.example"}], "cc": [],
        "date": "2025-10-07T22:47:00Z", "in_reply_to": null, "references": [], "labels": ["INBOX"],
        "body_text": "Numbers attached.", "body_format": "plain", "body_truncated": false, "size_bytes": 1234,
        "attachments": [], "ingested_at": "2025-10-08T00:00:00Z"
    })
}

/// Settings for an in-process or spawned validator on `t`'s topics.
pub fn config(t: &TestTopics) -> ValidateConfig {
    ValidateConfig {
        kafka: t.kafka.clone(),
        topics: t.topics.clone(),
        calendar: CalendarTopicArgs {
            calendar: "unused-calendar".into(),
            processed: "unused-processed-calendar".into(),
            dlq: "unused-calendar-dlq".into(),
        },
        records: vec![RecordType::Email],
        group: format!("{}-group", t.topics.emails),
        transactional_id: format!("{}-txn", t.topics.emails),
        no_transactions: false,
        batch_records: 10_000,
        batch_ms: 200,
        until_idle: true,
        metrics_addr: "127.0.0.1:0".parse().unwrap(),
        no_metrics: true,
        log_interval_secs: 10,
    }
}

fn invalid_cases() -> Vec<(&'static str, Vec<u8>)> {
    let with = |f: &dyn Fn(&mut Value)| {
        let mut v = record("bad");
        f(&mut v);
        serde_json::to_vec(&v).unwrap()
    };
    vec![
        ("json", b"{not json".to_vec()),
        ("schema_version", with(&|v| v["schema_version"] = json!(99))),
        ("json", with(&|v| v["size_bytes"] = json!("ten"))),
        ("source", with(&|v| v["source"] = Value::Null)),
        ("id", with(&|v| v["id"] = json!(""))),
        ("from.address", with(&|v| v["from"] = Value::Null)),
        (
            "from.address",
            with(&|v| v["from"]["address"] = json!("not-an-address")),
        ),
        ("date", with(&|v| v["date"] = Value::Null)),
        ("date", with(&|v| v["date"] = json!("yesterday"))),
        ("subject", with(&|v| v["subject"] = Value::Null)),
        (
            "body",
            with(&|v| {
                v.as_object_mut().unwrap().remove("body_text");
            }),
        ),
    ]
}

#[tokio::test]
async fn valid_records_are_forwarded_normalised_and_each_invalid_kind_goes_to_the_dlq() {
    let t = TestTopics::create("validator").await;
    let mut input: Vec<(String, Vec<u8>)> = (0..20)
        .map(|i| {
            (
                format!("v{i}"),
                serde_json::to_vec(&record(&format!("v{i}"))).unwrap(),
            )
        })
        .collect();
    // A newer producer's record: a top-level field this record schema does not know (issue 20).
    let mut newer = record("v0");
    newer["label_colors"] = json!({"Important": "#ff0000"});
    input[0].1 = serde_json::to_vec(&newer).unwrap();
    let cases = invalid_cases();
    input.extend(
        cases
            .iter()
            .enumerate()
            .map(|(i, (_, value))| (format!("bad{i}"), value.clone())),
    );
    t.produce(&input).await;

    let report = validate::run(&config(&t), Shutdown::new())
        .await
        .expect("validator run");
    assert_eq!(
        (report.valid, report.invalid),
        (20, cases.len() as u64),
        "{report}"
    );

    let processed = t.read(&t.topics.processed, false).await;
    assert_eq!(processed.len(), 20);
    for r in &processed {
        let v = r.json();
        assert_eq!(v["id"], r.key.as_str());
        // The address as written, for display; the canonical form for comparing (issue 14).
        assert_eq!(v["from"]["address"], "Tom.Anderson@AcmeCorp.example");
        assert_eq!(v["from"]["canonical"], "tom.anderson@acmecorp.example");
        assert_eq!(v["to"][0]["canonical"], "sarah.mitchell@northwind.example");
        assert_eq!(v["subject"], "Quarterly numbers");
        // Fields the record does not know pass through untouched.
        if r.key == "v0" {
            assert_eq!(v["label_colors"], json!({"Important": "#ff0000"}));
        } else {
            assert!(v.get("label_colors").is_none(), "{v}");
        }
    }

    let dlq = t.read(&t.topics.dlq, false).await;
    let mut rules: HashMap<String, String> = HashMap::new();
    for r in &dlq {
        assert_eq!(r.headers["mindy-stage"], "validate");
        assert!(!r.headers["mindy-reason"].is_empty());
        assert!(r.headers["mindy-source-ref"].starts_with(&t.topics.emails));
        rules.insert(r.key.clone(), r.headers["mindy-rule"].clone());
    }
    for (i, (rule, value)) in cases.iter().enumerate() {
        assert_eq!(
            rules.get(&format!("bad{i}")).map(String::as_str),
            Some(*rule),
            "case {i}"
        );
        let letter = dlq.iter().find(|r| r.key == format!("bad{i}")).unwrap();
        assert_eq!(&letter.value, value, "the DLQ keeps the original bytes");
        // The reason says what was wrong (issue 20).
        let reason = &letter.headers["mindy-reason"];
        match *rule {
            "schema_version" => assert!(reason.contains("version 99 is not supported"), "{reason}"),
            "json" if i > 0 => assert!(
                reason.contains("field size_bytes has the wrong type"),
                "{reason}"
            ),
            _ => {}
        }
    }
    t.delete().await;
}

#[tokio::test]
async fn without_transactions_the_same_routing_holds() {
    let t = TestTopics::create("validator-plain").await;
    let input: Vec<(String, Vec<u8>)> = (0..50)
        .map(|i| {
            let mut v = record(&format!("p{i}"));
            if i % 5 == 0 {
                v["date"] = json!("not a date");
            }
            (format!("p{i}"), serde_json::to_vec(&v).unwrap())
        })
        .collect();
    t.produce(&input).await;
    let report = validate::run(
        &ValidateConfig {
            no_transactions: true,
            ..config(&t)
        },
        Shutdown::new(),
    )
    .await
    .unwrap();
    assert_eq!((report.valid, report.invalid), (40, 10));
    assert_eq!(t.read(&t.topics.processed, false).await.len(), 40);
    assert_eq!(t.read(&t.topics.dlq, false).await.len(), 10);
    t.delete().await;
}

#[tokio::test]
async fn a_missing_topic_is_named_before_anything_is_read_or_sent() {
    let t = TestTopics::create("validator-missing").await;
    t.produce(&[("m1".into(), serde_json::to_vec(&record("m1")).unwrap())])
        .await;
    let mut c = config(&t);
    c.topics.processed = format!("{}-absent", t.topics.processed);
    let err = validate::run(&c, Shutdown::new()).await.unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains(&c.topics.processed) && text.contains("do not exist"),
        "{text}"
    );
    // Nothing was sent anywhere.
    assert!(t.read(&t.topics.dlq, false).await.is_empty());

    let mut topics = t.topics.clone();
    topics.dlq = format!("{}-absent", t.topics.dlq);
    let err = EmailSink::open(&t.kafka, &topics, Source::Eml)
        .await
        .err()
        .expect("a sink for a missing DLQ topic is refused");
    assert!(err.to_string().contains(&topics.dlq), "{err}");
    t.delete().await;
}
