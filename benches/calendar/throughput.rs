//! Calendar throughput (issue 17): events per second through `mindy ingest ics` → Kafka →
//! `mindy validate` → `mindy stream` (Spark: the changes table, the `MERGE` into
//! `bronze/calendar_events`, and the silver and gold recompute) for generated events, against the
//! local stack. Prints one line per stage and the end-to-end rate.
//!
//! Run with the stack up: `source .stack/env && cargo run --release -p mindy-pipeline --example
//! calendar_throughput -- 100000` (the argument is the number of events; default 100,000).
//!
//! The calendar is one `.ics` file: half single events, half occurrences of weekly series (each
//! expanded by the reader), one to eight participants each, over a year in New York time.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use mindy_core::config::{
    CalendarTopicArgs, KafkaArgs, LakeArgs, RecordType, SparkArgs, TopicArgs,
};
use mindy_core::{kafka, lake};
use mindy_pipeline::jobs::ingest::calendar::ics::{self, IcsConfig};
use mindy_pipeline::jobs::stream::calendar::silver::parse_working_hours;
use mindy_pipeline::jobs::stream::calendar::CalendarStreamArgs;
use mindy_pipeline::jobs::stream::{self, StreamConfig};
use mindy_pipeline::jobs::validate::{self, ValidateConfig};
use mindy_pipeline::shutdown::Shutdown;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    rustls::crypto::ring::default_provider()
        .install_default()
        .map_err(|_| anyhow::anyhow!("a crypto provider was already installed"))?;
    let events: usize = std::env::args()
        .nth(1)
        .map(|n| n.parse())
        .transpose()?
        .unwrap_or(100_000);
    let stack = mindy_test::Stack::from_env();
    let kafka_args = KafkaArgs {
        bootstrap: stack.kafka_bootstrap.clone(),
        options: Vec::new(),
    };
    let id = mindy_test::unique("bench-calendar");
    let topics = CalendarTopicArgs {
        calendar: format!("{id}-calendar"),
        processed: format!("{id}-processed"),
        dlq: format!("{id}-dlq"),
    };
    for (topic, partitions) in [
        (&topics.calendar, 3),
        (&topics.processed, 3),
        (&topics.dlq, 1),
    ] {
        kafka::ensure_topic(&kafka_args, topic, partitions).await?;
    }
    let dir = std::env::temp_dir().join(&id);
    std::fs::create_dir_all(&dir)?;
    let file = dir.join("calendar.ics");
    std::fs::write(&file, generate(events))?;
    let lake_root = stack.lake_path(&id);
    let result = run(&kafka_args, &topics, &file, &stack, &lake_root, events).await;
    for topic in [&topics.calendar, &topics.processed, &topics.dlq] {
        kafka::delete_topic(&kafka_args, topic).await?;
    }
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&lake_root);
    result
}

async fn run(
    kafka_args: &KafkaArgs,
    topics: &CalendarTopicArgs,
    file: &std::path::Path,
    stack: &mindy_test::Stack,
    lake_root: &std::path::Path,
    events: usize,
) -> anyhow::Result<()> {
    let rate = |n: u64, d: Duration| n as f64 / d.as_secs_f64().max(1e-3);
    let started = Instant::now();
    let ingest = ics::run(
        &IcsConfig {
            kafka: kafka_args.clone(),
            topics: topics.clone(),
            paths: vec![file.to_path_buf()],
            owner: Some("sarah.mitchell@northwind.example".into()),
            calendar_id: None,
            past_days: 400,
            future_days: 400,
        },
        Shutdown::new(),
    )
    .await?;
    let ingested = started.elapsed();
    println!(
        "ingest:   {} records in {:.1} s ({:.0} records/s)",
        ingest.counts.produced,
        ingested.as_secs_f64(),
        rate(ingest.counts.produced, ingested)
    );
    let unused = TopicArgs {
        emails: "unused".into(),
        processed: "unused".into(),
        dlq: "unused".into(),
    };
    let validate_start = Instant::now();
    let validated = validate::run(
        &ValidateConfig {
            kafka: kafka_args.clone(),
            topics: unused.clone(),
            calendar: topics.clone(),
            records: vec![RecordType::Calendar],
            group: format!("{}-group", topics.calendar),
            transactional_id: format!("{}-txn", topics.calendar),
            no_transactions: false,
            batch_records: 50_000,
            batch_ms: 200,
            until_idle: true,
            metrics_addr: "127.0.0.1:0".parse()?,
            no_metrics: true,
            log_interval_secs: 10,
        },
        Shutdown::new(),
    )
    .await?;
    let validating = validate_start.elapsed();
    println!(
        "validate: {} records in {:.1} s ({:.0} records/s, transactional)",
        validated.valid + validated.invalid,
        validating.as_secs_f64(),
        rate(validated.valid + validated.invalid, validating)
    );
    let lake = LakeArgs {
        root: lake_root.to_string_lossy().into_owned(),
    };
    let stream_start = Instant::now();
    stream::run(
        &StreamConfig {
            kafka: kafka_args.clone(),
            topics: unused,
            records: vec![RecordType::Calendar],
            calendar: CalendarStreamArgs {
                topics: topics.clone(),
                working_hours: parse_working_hours("09:00-17:00").map_err(anyhow::Error::msg)?,
                direct_reports: Vec::new(),
                as_of: None,
            },
            spark: SparkArgs {
                remote: stack.spark_remote.clone(),
            },
            lake: lake.clone(),
            checkpoint_root: None,
            trigger_interval: Duration::from_secs(1),
            available_now: true,
            starting_offsets: "earliest".into(),
            max_offsets_per_trigger: 200_000,
            fail_on_data_loss: false,
            dedup_window: "24 hours".into(),
            late_data_delay: "2 hours".into(),
            important_keywords: Vec::new(),
            timezone: "America/New_York".into(),
            progress_interval: Duration::from_secs(10),
            progress_database_url: None,
            metrics_addr: None,
        },
        Shutdown::new(),
    )
    .await?;
    let streaming = stream_start.elapsed();
    let total = started.elapsed();
    let session = spark_client::SparkSession::builder()
        .remote(&stack.spark_remote)
        .build()
        .await?;
    let rows = session
        .sql(format!(
            "SELECT count(*) AS n FROM delta.`{}`",
            lake.location(&lake::BRONZE_CALENDAR_EVENTS)
        ))
        .await?
        .collect()
        .await?;
    use arrow_array::cast::AsArray;
    let bronze = rows[0]
        .column(0)
        .as_primitive::<arrow_array::types::Int64Type>()
        .value(0) as u64;
    println!("stream:   {bronze} rows in bronze/calendar_events in {:.1} s ({:.0} events/s; Kafka → changes, MERGE, silver and gold)", streaming.as_secs_f64(), rate(bronze, streaming));
    println!(
        "calendar: {events} generated events → {bronze} bronze rows, ingest → validate → bronze in {:.1} s: {:.0} events/s",
        total.as_secs_f64(),
        rate(bronze, total)
    );
    anyhow::ensure!(
        bronze == ingest.counts.produced - 1,
        "bronze has {bronze} rows for {} records",
        ingest.counts.produced - 1
    );
    Ok(())
}

/// An `.ics` with `events` occurrences in 2026 (New York): half single events, half
/// occurrences of weekly series of ten.
fn generate(events: usize) -> String {
    let mut out =
        String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Mini-Mindy//bench//EN\r\n");
    let series = events / 2 / 10;
    let singles = events - series * 10;
    let person = |n: usize| format!("person{}@org{}.example", n % 997, n % 37);
    for i in 0..singles + series {
        let day = 1 + (i * 7) % 300;
        let date = chrono::NaiveDate::from_yo_opt(2026, day as u32).expect("a day of 2026");
        let hour = 8 + i % 9;
        let _ = write!(
            out,
            "BEGIN:VEVENT\r\nUID:bench-{i}@northwind.example\r\nDTSTART;TZID=America/New_York:{d}T{hour:02}{m:02}00\r\nDTEND;TZID=America/New_York:{d}T{hour:02}{m2:02}00\r\nSUMMARY:Meeting {i}\r\nLOCATION:Room {r}\r\nORGANIZER;CN=Sarah Mitchell:mailto:sarah.mitchell@northwind.example\r\n",
            d = date.format("%Y%m%d"),
            m = if i % 2 == 0 { 0 } else { 15 },
            m2 = if i % 2 == 0 { 45 } else { 55 },
            r = i % 40,
        );
        if i >= singles {
            out.push_str("RRULE:FREQ=WEEKLY;COUNT=10\r\n");
        }
        for a in 0..1 + i % 8 {
            let _ = write!(
                out,
                "ATTENDEE;PARTSTAT=ACCEPTED:mailto:{}\r\n",
                person(i + a)
            );
        }
        out.push_str("END:VEVENT\r\n");
    }
    out.push_str("END:VCALENDAR\r\n");
    out
}
