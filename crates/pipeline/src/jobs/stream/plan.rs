//! The streaming plans, as pure functions from DataFrame to DataFrame: what `mindy stream` sends
//! to the Spark Connect server. Spark's executors do all the work; nothing here touches rows.
//!
//! - [`parse`]: Kafka rows → the email record's fields plus Kafka metadata and a parse verdict.
//! - [`bronze`]: parsed rows that passed → enriched, de-duplicated bronze rows.
//! - [`quarantine`]: parsed rows that failed → the raw value and the reason.
//! - [`silver`]: bronze rows → 1-hour windows per sender domain.

use spark_client::functions::{
    avg, call_function, col, collect_list, concat_ws, count, current_timestamp, from_json, length,
    lit, lower, substring_index, sum, to_date, when, window,
};
use spark_client::{Column, DataFrame};

/// The JSON record on `processed-emails-topic` (schema version 1, `docs/email-record.md`), as the
/// DDL `from_json` parses it with. Fields the stream does not use are still parsed, so bronze
/// keeps the whole record.
pub const RECORD_SCHEMA: &str = "schema_version INT, id STRING, thread_id STRING, \
    rfc822_message_id STRING, source STRING, subject STRING, \
    `from` STRUCT<name: STRING, address: STRING>, \
    `to` ARRAY<STRUCT<name: STRING, address: STRING>>, \
    cc ARRAY<STRUCT<name: STRING, address: STRING>>, \
    `date` TIMESTAMP, in_reply_to STRING, `references` ARRAY<STRING>, labels ARRAY<STRING>, \
    body_text STRING, body_format STRING, body_truncated BOOLEAN, size_bytes BIGINT, \
    attachments ARRAY<STRING>, ingested_at TIMESTAMP";

/// The schema version this stream understands.
pub const SCHEMA_VERSION: i32 = 1;

/// Settings the plans depend on.
#[derive(Debug, Clone)]
pub struct PlanSettings {
    /// IANA timezone of the user: `event_date` is the calendar day there.
    pub timezone: String,
    /// Keywords that make an email important (matched as whole words, case-insensitively, in
    /// the subject and body).
    pub important_keywords: Vec<String>,
    /// How long a message id is remembered for de-duplication, by Kafka ingestion time
    /// (e.g. `"24 hours"`).
    pub dedup_window: String,
    /// How late (by the email's own time) a mail may arrive and still count in silver's windows
    /// (e.g. `"2 hours"`).
    pub late_data_delay: String,
}

/// Parses Kafka's `value` with the record schema and keeps Kafka's metadata; adds
/// `reject_reason` (null for rows that can go to bronze).
pub fn parse(kafka: &DataFrame) -> DataFrame {
    let raw = col("value").cast("string");
    kafka
        .select([
            raw.clone().alias("raw_value"),
            from_json(raw, RECORD_SCHEMA, [("mode", "PERMISSIVE")]).alias("record"),
            col("topic").alias("kafka_topic"),
            col("partition").alias("kafka_partition"),
            col("offset").alias("kafka_offset"),
            col("timestamp").alias("kafka_timestamp"),
        ])
        .with_column("reject_reason", reject_reason())
}

/// Why a parsed row cannot go to bronze, or null. The validator already enforces most of this;
/// the stream checks again because anyone can write to the topic.
fn reject_reason() -> Column {
    let field = |name: &str| col("record").get_field(name);
    when(col("record").is_null(), lit("value is not a JSON object"))
        .when(
            field("id").is_null(),
            lit("missing id (or value is not a JSON email record)"),
        )
        .when(
            field("schema_version")
                .neq(lit(SCHEMA_VERSION))
                .or(field("schema_version").is_null()),
            lit(format!(
                "unsupported schema_version (this stream reads {SCHEMA_VERSION})"
            )),
        )
        .when(field("date").is_null(), lit("missing or unparseable date"))
        .when(
            field("from").get_field("address").is_null(),
            lit("missing from address"),
        )
        .otherwise(lit(None::<String>))
}

/// Rows that failed parsing, with the raw value and the reason, for `bronze/emails_quarantine`.
pub fn quarantine(parsed: &DataFrame) -> DataFrame {
    parsed.filter(col("reject_reason").is_not_null()).select([
        col("raw_value"),
        col("reject_reason"),
        col("kafka_topic"),
        col("kafka_partition"),
        col("kafka_offset"),
        col("kafka_timestamp"),
        current_timestamp().alias("quarantined_at"),
    ])
}

/// Good rows, flattened, enriched and de-duplicated on the message id.
pub fn bronze(parsed: &DataFrame, settings: &PlanSettings) -> DataFrame {
    let record = parsed
        .filter(col("reject_reason").is_null())
        .select([
            col("record.*"),
            col("kafka_topic"),
            col("kafka_partition"),
            col("kafka_offset"),
            col("kafka_timestamp"),
        ])
        .with_column_renamed("date", "event_time");
    // A re-sync re-delivers a message hours or days later (by Kafka time) with the same event
    // time; de-duplicating on ingestion time keeps old mail from a backfill from being "late".
    let deduped = record
        .with_watermark("kafka_timestamp", &settings.dedup_window)
        .drop_duplicates_within_watermark(["id"]);
    enrich(&deduped, settings)
}

/// The enrichment columns of bronze.
fn enrich(records: &DataFrame, settings: &PlanSettings) -> DataFrame {
    let address = col("from").get_field("address");
    let local_time = call_function(
        "from_utc_timestamp",
        [col("event_time"), lit(settings.timezone.as_str())],
    );
    records.with_columns([
        ("from_address", lower(address.clone())),
        ("from_name", col("from").get_field("name")),
        ("sender_domain", lower(substring_index(address, "@", -1))),
        ("email_length", length(col("body_text"))),
        ("is_important", importance(&settings.important_keywords)),
        ("event_date", to_date(local_time)),
        ("processed_at", current_timestamp()),
    ])
}

/// True when a keyword appears as a whole word in the subject or body.
fn importance(keywords: &[String]) -> Column {
    if keywords.is_empty() {
        return lit(false);
    }
    let words: Vec<String> = keywords
        .iter()
        .map(|k| regex_escape(&k.to_lowercase()))
        .collect();
    let pattern = format!(r"\b({})\b", words.join("|"));
    let text = lower(concat_ws(" ", [col("subject"), col("body_text")]));
    // coalesce: a null subject and body is "not important", never null.
    call_function("coalesce", [text.rlike(pattern), lit(false)])
}

fn regex_escape(word: &str) -> String {
    word.chars()
        .flat_map(|c| {
            let special = r"\.^$|?*+()[]{}".contains(c);
            special.then_some('\\').into_iter().chain([c])
        })
        .collect()
}

/// 1-hour tumbling windows per sender domain, on the email's own time, emitted once the
/// watermark (latest event time seen minus `late_data_delay`) passes the window's end.
pub fn silver(bronze: &DataFrame, settings: &PlanSettings) -> DataFrame {
    bronze
        .with_watermark("event_time", &settings.late_data_delay)
        .group_by([
            window(col("event_time"), "1 hour").alias("window"),
            col("sender_domain"),
        ])
        .agg([
            count(lit(1)).alias("email_count"),
            avg(col("email_length")).alias("avg_email_length"),
            collect_list(col("subject")).alias("subjects"),
            sum(when(col("is_important"), lit(1)).otherwise(lit(0))).alias("important_count"),
        ])
        .select([
            col("window").get_field("start").alias("window_start"),
            col("window").get_field("end").alias("window_end"),
            col("sender_domain"),
            col("email_count"),
            col("avg_email_length"),
            col("subjects"),
            col("important_count"),
        ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_are_escaped_and_matched_as_words() {
        assert_eq!(regex_escape("c++"), r"c\+\+");
        assert_eq!(regex_escape("asap"), "asap");
    }

    #[test]
    fn record_schema_names_every_field_of_the_email_record() {
        use crate::email::{BodyFormat, EmailRecord, Mailbox, Source};
        let mailbox = Mailbox {
            name: Some("Tom".into()),
            address: "tom@acme.example".into(),
        };
        let record = EmailRecord {
            schema_version: 1,
            id: "m1".into(),
            thread_id: "t1".into(),
            rfc822_message_id: None,
            source: Source::Demo,
            subject: "Hello".into(),
            from: Some(mailbox.clone()),
            to: vec![mailbox.clone()],
            cc: vec![mailbox],
            date: Some(chrono::Utc::now()),
            in_reply_to: None,
            references: vec![],
            labels: vec![],
            body_text: "Hi".into(),
            body_format: BodyFormat::Plain,
            body_truncated: false,
            size_bytes: 10,
            attachments: vec![],
            ingested_at: chrono::Utc::now(),
        };
        let record: serde_json::Value = serde_json::from_slice(&record.to_json()).unwrap();
        for field in record.as_object().unwrap().keys() {
            let plain = format!("{field} ");
            let quoted = format!("`{field}` ");
            assert!(
                RECORD_SCHEMA.contains(&plain) || RECORD_SCHEMA.contains(&quoted),
                "{field} is in the record but not in RECORD_SCHEMA"
            );
        }
    }
}
