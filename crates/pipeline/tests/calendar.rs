//! The calendar end to end against the real stack (issue 17): `.ics` → `mindy ingest ics` →
//! Kafka → `mindy validate` → `mindy stream` (Spark Structured Streaming, Delta MERGE, silver
//! and gold) — checked against what the demo persona's generator says its calendar holds, and
//! an event moved and one cancelled by a later sync.
//!
//! Every test has its own topics and lake directory.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{Datelike, NaiveDate, TimeZone, Weekday};
use mindy_core::config::{
    CalendarTopicArgs, KafkaArgs, LakeArgs, RecordType, SparkArgs, TopicArgs,
};
use mindy_core::{kafka, lake, serving};
use mindy_pipeline::jobs::delta_log;
use mindy_pipeline::jobs::ingest::calendar::ics::{self, IcsConfig};
use mindy_pipeline::jobs::stream::calendar::silver::parse_working_hours;
use mindy_pipeline::jobs::stream::calendar::{self, CalendarStreamArgs};
use mindy_pipeline::jobs::stream::{self, StreamConfig};
use mindy_pipeline::jobs::validate::{self, ValidateConfig};
use mindy_pipeline::persona::{self, cast, PersonaOptions};
use mindy_pipeline::shutdown::Shutdown;
use mindy_test::{unique, Stack};
use serde_json::Value;
use spark_client::SparkSession;

/// One test's topics, lake and settings.
struct Fixture {
    kafka: KafkaArgs,
    topics: CalendarTopicArgs,
    lake: std::path::PathBuf,
    stack: Stack,
    session: SparkSession,
    dir: std::path::PathBuf,
}

impl Fixture {
    async fn new(name: &str) -> Fixture {
        let stack = Stack::from_env();
        let kafka = KafkaArgs {
            bootstrap: stack.kafka_bootstrap.clone(),
            options: Vec::new(),
        };
        let topics = CalendarTopicArgs {
            calendar: unique(&format!("{name}-calendar")),
            processed: unique(&format!("{name}-processed-calendar")),
            dlq: unique(&format!("{name}-calendar-dlq")),
        };
        for (topic, partitions) in [
            (&topics.calendar, 3),
            (&topics.processed, 3),
            (&topics.dlq, 1),
        ] {
            kafka::ensure_topic(&kafka, topic, partitions)
                .await
                .unwrap();
        }
        let session = calendar::session(&stack.spark_remote).await.unwrap();
        let lake = stack.lake_path(name);
        let dir = std::env::temp_dir().join(unique(name));
        std::fs::create_dir_all(&dir).unwrap();
        Fixture {
            kafka,
            topics,
            lake,
            stack,
            session,
            dir,
        }
    }

    async fn ingest(&self, file: &std::path::Path, owner: Option<&str>) {
        self.ingest_as(file, owner, "ics:demo").await;
    }

    /// `file` as the calendar `calendar_id` (a calendar's file replaces that calendar only).
    async fn ingest_as(&self, file: &std::path::Path, owner: Option<&str>, calendar_id: &str) {
        let config = IcsConfig {
            kafka: self.kafka.clone(),
            topics: self.topics.clone(),
            paths: vec![file.to_path_buf()],
            owner: owner.map(str::to_string),
            calendar_id: Some(calendar_id.into()),
            past_days: 1000,
            future_days: 1000,
        };
        let report = ics::run(&config, Shutdown::new()).await.unwrap();
        assert_eq!(report.counts.dead_lettered, 0, "{report}");
    }

    async fn validate(&self) {
        let config = ValidateConfig {
            kafka: self.kafka.clone(),
            topics: TopicArgs {
                emails: "unused".into(),
                processed: "unused".into(),
                dlq: "unused".into(),
            },
            calendar: self.topics.clone(),
            records: vec![RecordType::Calendar],
            group: format!("{}-group", self.topics.calendar),
            transactional_id: format!("{}-txn", self.topics.calendar),
            no_transactions: false,
            batch_records: 10_000,
            batch_ms: 200,
            until_idle: true,
            metrics_addr: "127.0.0.1:0".parse().unwrap(),
            no_metrics: true,
            log_interval_secs: 10,
        };
        let report = validate::run(&config, Shutdown::new()).await.unwrap();
        assert_eq!(report.invalid, 0, "{report}");
    }

    fn stream_config(&self, timezone: &str) -> StreamConfig {
        StreamConfig {
            kafka: self.kafka.clone(),
            topics: TopicArgs {
                emails: "unused".into(),
                processed: "unused".into(),
                dlq: "unused".into(),
            },
            records: vec![RecordType::Calendar],
            calendar: CalendarStreamArgs {
                topics: self.topics.clone(),
                working_hours: parse_working_hours("09:00-17:00").unwrap(),
                direct_reports: cast::DIRECT_REPORTS
                    .iter()
                    .map(|p| p.address.to_string())
                    .collect(),
                as_of: Some(demo().until),
            },
            spark: SparkArgs {
                remote: self.stack.spark_remote.clone(),
            },
            lake: LakeArgs {
                root: self.lake.to_string_lossy().into_owned(),
            },
            checkpoint_root: None,
            trigger_interval: Duration::from_secs(1),
            available_now: true,
            starting_offsets: "earliest".into(),
            max_offsets_per_trigger: 100_000,
            fail_on_data_loss: false,
            dedup_window: "24 hours".into(),
            late_data_delay: "2 hours".into(),
            important_keywords: vec![],
            timezone: timezone.into(),
            progress_interval: Duration::from_secs(5),
            progress_database_url: None,
            metrics_addr: None,
        }
    }

    async fn stream(&self, config: &StreamConfig) {
        stream::run(config, Shutdown::new()).await.unwrap();
    }

    fn path(&self, table: &lake::LakeTable) -> String {
        LakeArgs {
            root: self.lake.to_string_lossy().into_owned(),
        }
        .location(table)
    }

    fn table(&self, table: &lake::LakeTable) -> String {
        format!(
            "delta.`{}`",
            LakeArgs {
                root: self.lake.to_string_lossy().into_owned()
            }
            .location(table)
        )
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

    async fn delete(self) {
        for topic in [
            &self.topics.calendar,
            &self.topics.processed,
            &self.topics.dlq,
        ] {
            kafka::delete_topic(&self.kafka, topic).await.unwrap();
        }
        let _ = std::fs::remove_dir_all(&self.lake);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The persona's calendar for a pinned week, in New York time.
fn demo() -> PersonaOptions {
    PersonaOptions {
        // A Friday: the coming week's Wednesday is five days later.
        until: NaiveDate::from_ymd_opt(2025, 10, 10).unwrap(),
        days: 30,
        tz: "America/New_York".parse().unwrap(),
        seed: 42,
        not_after: None,
    }
}

#[tokio::test]
async fn the_demo_calendar_through_the_pipeline_says_what_the_persona_holds() {
    let f = Fixture::new("calendar-demo").await;
    let opts = demo();
    let events = persona::calendar::events(&opts);
    let file = f.dir.join("calendar.ics");
    std::fs::write(&file, persona::calendar_ics(&opts)).unwrap();
    f.ingest(&file, None).await;
    f.validate().await;
    let config = f.stream_config(opts.tz.name());
    f.stream(&config).await;

    // Every event of the generator is one row of bronze.
    let bronze = f
        .rows(&format!(
            "SELECT count(*) AS n FROM {}",
            f.table(&lake::BRONZE_CALENDAR_EVENTS)
        ))
        .await;
    assert_eq!(bronze[0]["n"], events.len());

    // The busiest day of the coming week is the one the calendar says, with its figures.
    let week: Vec<NaiveDate> = (1..=7)
        .map(|d| opts.until + chrono::Duration::days(d))
        .collect();
    let mut expected: BTreeMap<NaiveDate, (usize, i64)> = BTreeMap::new();
    for e in &events {
        let day = e.start.with_timezone(&opts.tz).date_naive();
        let entry = expected.entry(day).or_default();
        entry.0 += 1;
        entry.1 += (e.end - e.start).num_minutes();
    }
    let busiest = week
        .iter()
        .max_by_key(|d| (expected.get(d).map_or(0, |e| e.1), std::cmp::Reverse(**d)))
        .unwrap();
    assert_eq!(busiest.weekday(), Weekday::Wed);
    assert_eq!(expected[busiest], (9, 390));
    let days = f
        .rows(&format!(
            "SELECT * FROM {} WHERE date BETWEEN '{}' AND '{}' ORDER BY meeting_minutes DESC, date LIMIT 1",
            f.table(&lake::SILVER_CALENDAR_DAYS),
            week[0],
            week[6]
        ))
        .await;
    let day = &days[0];
    assert_eq!(day["date"], busiest.to_string());
    assert_eq!(day["meeting_count"], 9);
    assert_eq!(day["meeting_hours"], 6.5);
    assert_eq!(day["free_hours"], 1.5);
    assert_eq!(day["lunch_free"], false);
    assert_eq!(day["longest_back_to_back_minutes"], 360);
    assert_eq!(day["location_count"], 3);
    assert_eq!(day["participant_count"], 12);
    assert!(day["tight_travel_count"].as_i64().unwrap() >= 1, "{day}");

    // The last day's overlapping invites at 2 PM are found, both named.
    let conflicts = f
        .rows(&format!(
            "SELECT * FROM {} WHERE date = '{}'",
            f.table(&lake::SILVER_CALENDAR_CONFLICTS),
            opts.until
        ))
        .await;
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    let names = [
        conflicts[0]["first_summary"].as_str().unwrap(),
        conflicts[0]["second_summary"].as_str().unwrap(),
    ];
    assert!(
        names.contains(&"Pricing Committee")
            && names.contains(&"Marketing Sync: Enterprise Campaign")
    );
    assert_eq!(conflicts[0]["overlap_minutes"], 30);
    let last = f
        .rows(&format!(
            "SELECT * FROM {} WHERE date = '{}'",
            f.table(&lake::SILVER_CALENDAR_DAYS),
            opts.until
        ))
        .await;
    // Six meetings, four hours of the day taken (the overlap counted once).
    assert_eq!(last[0]["meeting_count"], 6);
    assert_eq!(last[0]["busy_minutes"], 240);

    // This week's client meetings are attributed to their organisations.
    let clients = f
        .rows(&format!(
            "SELECT org_domain, min(date) AS date, first(summary) AS summary FROM {} \
             WHERE is_external AND date BETWEEN '{}' AND '{}' GROUP BY org_domain",
            f.table(&lake::SILVER_CALENDAR_ATTENDEES),
            week[0],
            week[6]
        ))
        .await;
    let by_org: BTreeMap<&str, &str> = clients
        .iter()
        .map(|r| {
            (
                r["org_domain"].as_str().unwrap(),
                r["summary"].as_str().unwrap(),
            )
        })
        .collect();
    for (org, title) in [
        ("acmecorp.example", "Acme Corp"),
        ("techflow.example", "TechFlow"),
        ("globalsystems.example", "Global Systems"),
        ("datacorp.example", "DataCorp"),
    ] {
        assert!(
            by_org.get(org).is_some_and(|s| s.starts_with(title)),
            "{org}: {by_org:?}"
        );
    }

    // 1-on-1s: John has them, the three other direct reports none.
    let one_on_ones = f
        .rows(&format!(
            "SELECT * FROM {} WHERE is_direct_report",
            f.table(&lake::GOLD_CALENDAR_ONE_ON_ONES)
        ))
        .await;
    assert_eq!(one_on_ones.len(), 4);
    let without: Vec<&Value> = one_on_ones
        .iter()
        .filter(|r| r["one_on_ones_30d"] == 0)
        .collect();
    assert_eq!(without.len(), 3, "{one_on_ones:?}");
    let patterns = f
        .rows(&format!(
            "SELECT * FROM {}",
            f.table(&lake::GOLD_CALENDAR_PATTERNS)
        ))
        .await;
    assert_eq!(patterns[0]["as_of"], opts.until.to_string());
    assert_eq!(patterns[0]["overrun_observed_meetings"], 0);

    // A lunch block of the user's own (as the optimiser writes it into the local calendar)
    // over 12:00–12:45 of the busiest day, which had no free lunch: its lunch is held now.
    let noon = |m: u32| {
        opts.tz
            .from_local_datetime(&busiest.and_hms_opt(12, m, 0).unwrap())
            .unwrap()
            .with_timezone(&chrono::Utc)
            .format("%Y%m%dT%H%M%SZ")
    };
    let blocks = f.dir.join("mini-mindy.ics");
    std::fs::write(
        &blocks,
        format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n\
             UID:lunch@mini-mindy\r\nDTSTAMP:20251001T000000Z\r\nDTSTART:{}\r\nDTEND:{}\r\n\
             SUMMARY:Lunch\r\nORGANIZER:mailto:{me}\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:{me}\r\n\
             END:VEVENT\r\nEND:VCALENDAR\r\n",
            noon(0),
            noon(45),
            me = cast::SARAH.address
        ),
    )
    .unwrap();
    f.ingest_as(&blocks, Some(cast::SARAH.address), "ics:mini-mindy.ics")
        .await;
    f.validate().await;
    f.stream(&config).await;
    let held = f
        .rows(&format!(
            "SELECT lunch_free, meeting_count FROM {} WHERE date = '{busiest}'",
            f.table(&lake::SILVER_CALENDAR_DAYS)
        ))
        .await;
    assert_eq!(held[0]["lunch_free"], true, "{held:?}");
    assert_eq!(
        held[0]["meeting_count"], 9,
        "a lunch block is not a meeting"
    );

    // Every calendar serving column is a column of its Delta table (the exporter matches them by
    // name). The email intelligence tables are `mindy enrich`'s: tests/enrich.rs exports them.
    for export in serving::LAKE_EXPORTS
        .iter()
        .filter(|e| e.target.starts_with("calendar_"))
    {
        let (serving_table, lake_table) = (export.target, &export.source);
        let location = LakeArgs {
            root: f.lake.to_string_lossy().into_owned(),
        }
        .location(lake_table);
        let names = f
            .session
            .read()
            .format("delta")
            .load_path(location)
            .columns()
            .await
            .unwrap();
        let columns: Vec<&str> = names.iter().map(String::as_str).collect();
        let table = serving::schema().table(serving_table).unwrap();
        for column in &table.columns {
            assert!(
                columns.contains(&column.name.as_str()),
                "{serving_table}.{} is not in {}",
                column.name,
                lake_table.name
            );
        }
        for key in export.key {
            assert!(
                !table.column(key).unwrap().nullable,
                "{serving_table}.{key}"
            );
        }
    }
    f.delete().await;
}

const VERSION_1: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n\
BEGIN:VEVENT\r\nUID:review@x.example\r\nDTSTART;TZID=America/New_York:20251020T090000\r\n\
DTEND;TZID=America/New_York:20251020T100000\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\nSUMMARY:Review\r\n\
ORGANIZER:mailto:sarah@northwind.example\r\nATTENDEE:mailto:john@northwind.example\r\n\
ATTENDEE:mailto:sarah@northwind.example\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:lunch@x.example\r\nDTSTART:20251021T160000Z\r\nDTEND:20251021T170000Z\r\n\
SUMMARY:Lunch with Tom\r\nORGANIZER:mailto:sarah@northwind.example\r\nATTENDEE:mailto:tom@acmecorp.example\r\n\
END:VEVENT\r\nEND:VCALENDAR\r\n";

/// The next export: the second review moved to 11:00, the third cancelled, the lunch gone.
const VERSION_2: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n\
BEGIN:VEVENT\r\nUID:review@x.example\r\nDTSTART;TZID=America/New_York:20251020T090000\r\n\
DTEND;TZID=America/New_York:20251020T100000\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\nSUMMARY:Review\r\n\
ORGANIZER:mailto:sarah@northwind.example\r\nATTENDEE:mailto:john@northwind.example\r\n\
ATTENDEE:mailto:sarah@northwind.example\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:review@x.example\r\nRECURRENCE-ID;TZID=America/New_York:20251027T090000\r\n\
DTSTART;TZID=America/New_York:20251027T110000\r\nDTEND;TZID=America/New_York:20251027T120000\r\n\
SEQUENCE:1\r\nSUMMARY:Review (moved)\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:review@x.example\r\nRECURRENCE-ID;TZID=America/New_York:20251103T090000\r\n\
DTSTART;TZID=America/New_York:20251103T090000\r\nDTEND;TZID=America/New_York:20251103T100000\r\n\
STATUS:CANCELLED\r\nSEQUENCE:1\r\nSUMMARY:Review\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

#[tokio::test]
async fn an_event_moved_and_one_cancelled_by_a_later_sync_replace_and_leave_bronze() {
    let f = Fixture::new("calendar-sync").await;
    let file = f.dir.join("work.ics");
    let config = f.stream_config("America/New_York");
    let bronze = format!(
        "SELECT id, summary, CAST(starts_at AS STRING) AS starts_at FROM {} ORDER BY id",
        f.table(&lake::BRONZE_CALENDAR_EVENTS)
    );
    std::fs::write(&file, VERSION_1).unwrap();
    f.ingest(&file, Some("sarah@northwind.example")).await;
    f.validate().await;
    f.stream(&config).await;
    let first = f.rows(&bronze).await;
    assert_eq!(first.len(), 4, "{first:?}");
    // The owner is an attendee of the review without a reply (no PARTSTAT): still a meeting.
    let meetings = f
        .rows(&format!(
            "SELECT id, busy, is_meeting FROM {} WHERE NOT (busy <=> true AND is_meeting <=> true)",
            f.table(&lake::BRONZE_CALENDAR_EVENTS)
        ))
        .await;
    assert!(meetings.is_empty(), "{meetings:?}");

    // The same file again: nothing changes in bronze, so silver and gold are not recomputed —
    // gold's last table keeps its version (a recompute would record itself there again).
    let (days, one_on_ones) = (
        f.path(&lake::SILVER_CALENDAR_DAYS),
        f.path(&lake::GOLD_CALENDAR_ONE_ON_ONES),
    );
    let versions = || async {
        let days = delta_log::latest_version(&f.session, &days).await.unwrap();
        let last = delta_log::latest_version(&f.session, &one_on_ones)
            .await
            .unwrap();
        (days, last)
    };
    let computed = versions().await;
    let recorded = delta_log::table_property(
        &f.session,
        &f.path(&lake::GOLD_CALENDAR_ONE_ON_ONES),
        calendar::LAST_RECOMPUTE,
    )
    .await
    .unwrap();
    assert!(recorded.is_some(), "a recompute records its fingerprint");
    f.ingest(&file, Some("sarah@northwind.example")).await;
    f.validate().await;
    f.stream(&config).await;
    assert_eq!(
        versions().await,
        computed,
        "an unchanged re-import recomputes nothing"
    );
    assert_eq!(f.rows(&bronze).await, first);

    std::fs::write(&file, VERSION_2).unwrap();
    f.ingest(&file, Some("sarah@northwind.example")).await;
    f.validate().await;
    f.stream(&config).await;
    let second = f.rows(&bronze).await;
    let ids: Vec<&str> = second.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "ics:demo/review@x.example/20251020T130000Z",
            "ics:demo/review@x.example/20251027T130000Z",
        ],
        "{second:?}"
    );
    assert_eq!(second[1]["summary"], "Review (moved)");
    assert_eq!(second[1]["starts_at"], "2025-10-27 15:00:00");
    let (_, last) = versions().await;
    assert!(last > computed.1, "a changed calendar is recomputed");
    // The history keeps every version; the change feed shows the update and the deletes.
    let feed = f
        .rows(&format!(
            "SELECT _change_type AS change, count(*) AS n FROM table_changes_by_path('{}', 0) GROUP BY _change_type",
            LakeArgs { root: f.lake.to_string_lossy().into_owned() }.location(&lake::BRONZE_CALENDAR_EVENTS)
        ))
        .await;
    let changes: BTreeMap<&str, i64> = feed
        .iter()
        .map(|r| (r["change"].as_str().unwrap(), r["n"].as_i64().unwrap()))
        .collect();
    assert_eq!(changes.get("delete"), Some(&2), "{changes:?}");
    assert_eq!(changes.get("update_postimage"), Some(&1), "{changes:?}");
    f.delete().await;
}

/// Running continuously (as `./stack up pipeline` does), a change is merged and served by the
/// rounds while silver and gold are recomputed beside them, on a session of their own; both
/// arrive, and the run ends cleanly when asked to.
#[tokio::test]
async fn a_continuous_stream_merges_events_and_recomputes_the_days_beside_the_rounds() {
    let f = Fixture::new("calendar-continuous").await;
    let file = f.dir.join("work.ics");
    std::fs::write(&file, VERSION_1).unwrap();
    f.ingest(&file, Some("sarah@northwind.example")).await;
    f.validate().await;
    let mut config = f.stream_config("America/New_York");
    config.available_now = false;
    let shutdown = Shutdown::new();
    let run = tokio::spawn({
        let (config, shutdown) = (config.clone(), shutdown.clone());
        async move { stream::run(&config, shutdown).await }
    });
    let days = format!(
        "SELECT CAST(date AS STRING) AS date, meeting_count FROM {} ORDER BY date",
        f.table(&lake::SILVER_CALENDAR_DAYS)
    );
    // The last table a recompute syncs: once it exists, the first recompute is complete (the
    // test's lake is not deleted under a recompute still writing).
    let last = format!(
        "SELECT count(*) FROM {}",
        f.table(&lake::GOLD_CALENDAR_ONE_ON_ONES)
    );
    let deadline = tokio::time::Instant::now() + Duration::from_secs(480);
    let found = loop {
        assert!(
            !run.is_finished(),
            "the stream ended early: {:?}",
            run.await
        );
        // The tables exist only after the first recompute.
        let rows = match f.session.sql(&last).await {
            Ok(_) => f.rows(&days).await,
            Err(_) => Vec::new(),
        };
        if rows.len() == 4 || tokio::time::Instant::now() > deadline {
            break rows;
        }
        tokio::time::sleep(Duration::from_secs(3)).await;
    };
    shutdown.trigger();
    run.await.unwrap().unwrap();
    let found: Vec<(String, i64)> = found
        .iter()
        .map(|r| {
            (
                r["date"].as_str().unwrap().to_string(),
                r["meeting_count"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("2025-10-20".to_string(), 1),
            ("2025-10-21".to_string(), 1),
            ("2025-10-27".to_string(), 1),
            ("2025-11-03".to_string(), 1),
        ]
    );
    f.delete().await;
}
