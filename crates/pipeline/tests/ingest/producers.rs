//! The file and demo producers: records land keyed by message id with the v1 schema; input that
//! is not an email lands on the DLQ with the reason.

use std::collections::HashSet;
use std::path::PathBuf;

use chrono::NaiveDate;
use mindy_pipeline::jobs::ingest::{self, eml, mbox, persona::PersonaIngestConfig, IngestCommand};
use mindy_pipeline::persona::{self, PersonaArgs};
use mindy_pipeline::shutdown::Shutdown;
use mindy_test::unique;

use super::util::TestTopics;

fn demo_args(days: u32) -> PersonaArgs {
    PersonaArgs {
        until: Some(NaiveDate::from_ymd_opt(2025, 10, 8).unwrap()),
        days,
        timezone: "America/New_York".parse().unwrap(),
        seed: 42,
    }
}

#[tokio::test]
async fn demo_mailbox_lands_keyed_by_id_with_the_v1_schema_and_a_calendar() {
    let t = TestTopics::create("demo").await;
    // A directory of its own: the calendar and its `.generated` record go with it.
    let dir = tempfile::tempdir().unwrap();
    let ics = dir.path().join("demo.ics");
    let config = PersonaIngestConfig {
        kafka: t.kafka.clone(),
        topics: t.topics.clone(),
        persona: demo_args(3),
        calendar_out: Some(ics.clone()),
    };
    let report = ingest::run(IngestCommand::Demo(config), Shutdown::new())
        .await
        .expect("demo ingest");
    let expected = persona::mailbox(&demo_args(3).options(chrono::Utc::now()));
    assert_eq!(report.counts.produced, expected.len() as u64);
    assert_eq!(report.counts.dead_lettered, 0);

    let records = t.read(&t.topics.emails, false).await;
    assert_eq!(records.len(), expected.len());
    let ids: HashSet<String> = expected.iter().map(|e| e.message_id.clone()).collect();
    for r in &records {
        let v = r.json();
        assert_eq!(v["schema_version"], 1);
        assert_eq!(v["source"], "demo");
        assert_eq!(v["id"], r.key.as_str());
        assert!(ids.contains(&r.key));
        assert!(v["date"].as_str().unwrap().ends_with('Z'));
        assert!(!v["labels"].as_array().unwrap().is_empty());
    }
    let acme = records
        .iter()
        .filter(|r| {
            r.json()["subject"]
                .as_str()
                .unwrap()
                .contains("Production Issue")
        })
        .count();
    assert_eq!(acme, 2);
    let calendar = std::fs::read_to_string(&ics).unwrap();
    assert!(calendar.contains("SUMMARY:Q4 Planning with Sales Team"));
    t.delete().await;
}

#[tokio::test]
async fn mbox_export_keeps_takeout_threads_and_labels() {
    let t = TestTopics::create("mbox").await;
    let path = std::env::temp_dir().join(format!("{}.mbox", unique("demo")));
    let emails = persona::mailbox(&demo_args(2).options(chrono::Utc::now()));
    let mut out = Vec::new();
    persona::write_mbox(&emails, &mut out).unwrap();
    std::fs::write(&path, out).unwrap();

    let config = mbox::MboxConfig {
        kafka: t.kafka.clone(),
        topics: t.topics.clone(),
        files: vec![path.clone()],
    };
    let report = ingest::run(IngestCommand::Mbox(config), Shutdown::new())
        .await
        .expect("mbox ingest");
    assert_eq!(report.counts.produced, emails.len() as u64);
    let records = t.read(&t.topics.emails, false).await;
    let first = records
        .iter()
        .find(|r| r.key == emails[0].message_id)
        .expect("first message");
    let v = first.json();
    assert_eq!(v["source"], "mbox");
    assert_eq!(v["thread_id"], emails[0].thread_id.as_str());
    assert_eq!(v["labels"], serde_json::json!(emails[0].labels));
    std::fs::remove_file(path).unwrap();
    t.delete().await;
}

#[tokio::test]
async fn eml_files_from_several_mailers_and_garbage_to_the_dlq() {
    let t = TestTopics::create("eml").await;
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mime");
    let config = eml::EmlConfig {
        kafka: t.kafka.clone(),
        topics: t.topics.clone(),
        paths: vec![dir],
    };
    let report = ingest::run(IngestCommand::Eml(config), Shutdown::new())
        .await
        .expect("eml ingest");
    assert_eq!(
        (report.counts.produced, report.counts.dead_lettered),
        (7, 1),
        "{report}"
    );

    let records = t.read(&t.topics.emails, false).await;
    let keys: HashSet<&str> = records.iter().map(|r| r.key.as_str()).collect();
    assert!(keys.contains("DM6PR11MB4107A1B2C3D4E5F6@DM6PR11MB4107.namprd11.prod.outlook.example"));
    assert!(keys.contains("cron-1@legacy.example"));
    let dlq = t.read(&t.topics.dlq, false).await;
    assert_eq!(dlq.len(), 1);
    assert_eq!(dlq[0].headers["mindy-stage"], "ingest");
    assert_eq!(dlq[0].headers["mindy-source"], "eml");
    assert!(dlq[0].headers["mindy-rule"].starts_with("parse."));
    assert!(dlq[0].headers["mindy-source-ref"].ends_with("not-an-email.eml"));
    assert_eq!(
        dlq[0].value,
        std::fs::read(PathBuf::from(&dlq[0].headers["mindy-source-ref"])).unwrap()
    );
    t.delete().await;
}

/// Issue 14's handed cases through `mindy ingest` and `mindy validate` on Kafka, as a user
/// importing an export would: case 01's mbox is 3 messages, 3 records, 0 dead letters; the
/// `.eml` cases 03, 04, 05 and 07 are all valid with their right fields. (Every field of every
/// case is held by the corpus test; this one checks the path through Kafka.)
#[tokio::test]
async fn handed_cases_are_ingested_and_validated_with_their_right_fields() {
    let t = TestTopics::create("cases").await;
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mbox = ingest::run(
        IngestCommand::Mbox(mbox::MboxConfig {
            kafka: t.kafka.clone(),
            topics: t.topics.clone(),
            files: vec![corpus.join("mbox/case-01-unescaped-from-line.mbox")],
        }),
        Shutdown::new(),
    )
    .await
    .expect("mbox ingest");
    assert_eq!(
        (
            mbox.counts.messages,
            mbox.counts.produced,
            mbox.counts.dead_lettered
        ),
        (3, 3, 0),
        "{mbox}"
    );
    assert!(mbox.to_string().contains(": 3 messages"), "{mbox}");
    let cases: Vec<PathBuf> = [
        "charset/case-03-raw-8bit-gb2312.eml",
        "encoded-words/case-04-split-utf8.eml",
        "addresses/case-05-unquoted-commas.eml",
        "dates/case-07-us-month-day.eml",
        "dates/case-07-no-zone.eml",
    ]
    .iter()
    .map(|c| corpus.join(c))
    .collect();
    let eml = ingest::run(
        IngestCommand::Eml(eml::EmlConfig {
            kafka: t.kafka.clone(),
            topics: t.topics.clone(),
            paths: cases,
        }),
        Shutdown::new(),
    )
    .await
    .expect("eml ingest");
    assert_eq!(
        (eml.counts.produced, eml.counts.dead_lettered),
        (5, 0),
        "{eml}"
    );

    let validated =
        mindy_pipeline::jobs::validate::run(&super::validator::config(&t), Shutdown::new())
            .await
            .expect("validator run");
    assert_eq!((validated.valid, validated.invalid), (8, 0), "{validated}");
    let processed = t.read(&t.topics.processed, false).await;
    let by_id = |id: &str| {
        processed
            .iter()
            .find(|r| r.key == id)
            .unwrap_or_else(|| panic!("{id} processed"))
            .json()
    };
    let kofi = by_id("shortlist-2@mail.example.org");
    assert!(kofi["body_text"]
        .as_str()
        .unwrap()
        .ends_with("happy to discuss.\n\nKofi\n"));
    assert_eq!(kofi["date"], "2025-01-06T09:12:00Z");
    assert!(by_id("receipts-0106@example.net")["body_text"]
        .as_str()
        .unwrap()
        .contains("\nFrom the airport to the hotel: 42 EUR\n"));
    assert_eq!(
        by_id("weekly-0601@example.cn")["subject"],
        "项目周报：第三季度进展"
    );
    assert_eq!(
        by_id("split-0106@example.de")["from"]["name"],
        "Jürgen Groß"
    );
    let budget = by_id("budget-0114@example.org");
    assert_eq!(budget["from"]["name"], "Doe, Jane");
    assert_eq!(budget["from"]["canonical"], "jane.doe@example.org");
    assert_eq!(
        by_id("ship-0409@example.org")["date"],
        "2005-04-09T13:39:52Z"
    );
    assert_eq!(
        by_id("badge-0923@example.net")["date"],
        "2025-09-23T08:18:52Z"
    );
    assert!(t.read(&t.topics.dlq, false).await.is_empty());
    t.delete().await;
}
