//! The streaming plans, as pure functions from DataFrame to DataFrame: what `mindy stream` sends
//! to the Spark Connect server. Spark's executors do all the work; nothing here touches rows.
//!
//! - [`parse`]: Kafka rows → the email record's fields plus Kafka metadata and a parse verdict,
//!   and the top-level fields the record does not know (`extra_fields`, the record's additive
//!   evolution: [`mindy_core::email::record`]).
//! - [`bronze`]: parsed rows that passed → enriched, de-duplicated bronze rows.
//! - [`quarantine`]: parsed rows that failed → the raw value and the reason.
//! - [`silver`]: bronze rows → 1-hour windows per sender domain.

use mindy_core::email::{EmailRecord, Rule};
use spark_client::functions::{
    avg, call_function, col, collect_list, concat_ws, count, current_timestamp, from_json, length,
    lit, lower, map_filter, substring_index, sum, to_date, when, window,
};
use spark_client::types::DataType;
use spark_client::{Column, DataFrame};

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

/// Where `from_json` puts a value it cannot read as the record (PERMISSIVE mode): not JSON, not
/// an object, or a field of the wrong type — the `json` rule.
const CORRUPT_RECORD: &str = "_corrupt_record";

/// Bronze's column of the record's top-level fields that [`EmailRecord`] does not know (a newer
/// producer's additive field), name → its JSON text (a string's text without quotes); null
/// when there are none. A new field lands there while the stream runs: no restart, no change
/// to the table's schema.
pub const EXTRA_FIELDS: &str = "extra_fields";

/// The parsed row's column of every top-level field as text (`MAP<STRING, STRING>`), from which
/// [`EXTRA_FIELDS`] and the reasons' details are taken; not written to any table.
const JSON_FIELDS: &str = "json_fields";

/// Parses Kafka's `value` with the record's Spark schema (derived from [`EmailRecord`]) and
/// keeps Kafka's metadata; adds [`EXTRA_FIELDS`] and `reject_reason` (null for rows that can go
/// to bronze).
///
/// The value is parsed a second time as a map of every top-level field to its JSON text, which
/// keeps what the record's schema would drop: the unknown fields, and the text of a known field
/// whose type is wrong (the quarantine's reason names it). Spark's JSON parser keeps the fields
/// it could read when one fails (`spark.sql.json.enablePartialResults`, set by the driver), so a
/// wrong-typed field is the one present in the map and null in the record.
pub fn parse(kafka: &DataFrame) -> DataFrame {
    let raw = col("value").cast("string");
    let schema = EmailRecord::spark_schema().field(CORRUPT_RECORD, DataType::String, true);
    let options = [
        ("mode", "PERMISSIVE"),
        ("columnNameOfCorruptRecord", CORRUPT_RECORD),
    ];
    kafka
        .select([
            raw.clone().alias("raw_value"),
            from_json(raw.clone(), schema, options).alias("record"),
            from_json(raw, "MAP<STRING, STRING>", []).alias(JSON_FIELDS),
            col("topic").alias("kafka_topic"),
            col("partition").alias("kafka_partition"),
            col("offset").alias("kafka_offset"),
            col("timestamp").alias("kafka_timestamp"),
        ])
        .with_column(EXTRA_FIELDS, unknown_fields())
        .with_column(
            EXTRA_FIELDS,
            when(size(col(EXTRA_FIELDS)).gt(lit(0)), col(EXTRA_FIELDS)),
        )
        .with_column("reject_reason", reject_reason())
        .drop([JSON_FIELDS])
}

/// The entries of [`JSON_FIELDS`] whose names are not the record's fields.
fn unknown_fields() -> Column {
    let known: Vec<Column> = EmailRecord::spark_schema()
        .names()
        .into_iter()
        .map(lit)
        .collect();
    map_filter(col(JSON_FIELDS), move |name, _| !name.is_in(known))
}

/// The number of entries of a map (or elements of an array); -1 for null.
fn size(column: Column) -> Column {
    call_function("size", [column])
}

/// A record field of the parsed row's `record` struct (`"from.address"` is a nested one).
fn record_field(path: &str) -> Column {
    path.split('.')
        .fold(col("record"), |column, name| column.get_field(name))
}

/// The names of the record's fields the value has (not null) but the parsed record could not
/// read: fields of the wrong type, comma-separated; empty when there are none.
fn wrong_typed_fields() -> Column {
    let wrong = EmailRecord::spark_schema()
        .names()
        .into_iter()
        .map(|name| {
            let present = col(JSON_FIELDS).get_item(name).is_not_null();
            when(present.and(record_field(name).is_null()), lit(name))
        })
        .collect::<Vec<_>>();
    concat_ws(", ", wrong)
}

/// Why a parsed row cannot go to bronze, or null: the record contract's rules
/// ([`mindy_core::email::rules`], which the validator applies too), checked again because
/// anyone can write to the topic. The reason names the rule: `<rule>: <what it means>`, then
/// what was wrong where it can say (the fields of the wrong type, the unsupported version).
fn reject_reason() -> Column {
    let unreadable = col("record")
        .is_null()
        .or(record_field(CORRUPT_RECORD).is_not_null());
    let json = format!("{}: {}", Rule::Json.name(), Rule::Json.description());
    let wrong = wrong_typed_fields();
    let mut reason = when(
        unreadable.clone().and(wrong.clone().neq(lit(""))),
        concat_ws("", [lit(format!("{json} (wrong type: ")), wrong, lit(")")]),
    )
    .when(unreadable, lit(json));
    for rule in Rule::on_parsed_records().filter(|r| r.rejects()) {
        let broken = rule
            .broken_by(&record_field)
            .expect("every rule but json has a Spark condition");
        let mut text = vec![lit(format!("{}: {}", rule.name(), rule.description()))];
        if rule == Rule::SchemaVersion {
            let got = record_field("schema_version").cast("string");
            // concat is null when the version is; concat_ws skips it: a missing one adds nothing.
            text.push(call_function("concat", [lit(" (got "), got, lit(")")]));
        }
        reason = reason.when(broken, concat_ws("", text));
    }
    reason.otherwise(lit(None::<String>))
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
    let record = flatten(&parsed.filter(col("reject_reason").is_null()));
    // A re-sync re-delivers a message hours or days later (by Kafka time) with the same event
    // time; de-duplicating on ingestion time keeps old mail from a backfill from being "late".
    let deduped = record
        .with_watermark("kafka_timestamp", &settings.dedup_window)
        .drop_duplicates_within_watermark(["id"]);
    enrich(&deduped, settings)
}

/// Bronze's row shape for parsed rows as they are, unchecked and not de-duplicated: what
/// [`bronze`] writes, for tools that must write bronze rows of their own (the batch tests seed
/// days with it, bad rows included, so the quality job meets the table the stream writes).
pub fn bronze_unchecked(parsed: &DataFrame, settings: &PlanSettings) -> DataFrame {
    enrich(&flatten(parsed), settings)
}

/// The record's fields as columns (`date` renamed `event_time`) and Kafka's metadata.
fn flatten(parsed: &DataFrame) -> DataFrame {
    parsed
        .select([
            col("record.*"),
            col(EXTRA_FIELDS),
            col("kafka_topic"),
            col("kafka_partition"),
            col("kafka_offset"),
            col("kafka_timestamp"),
        ])
        .drop([CORRUPT_RECORD])
        .with_column_renamed("date", "event_time")
}

/// The enrichment columns of bronze. `from_address` and `sender_domain` come from the sender's
/// canonical address (lower-case, IDNA A-label domain, no trailing dot: computed by the
/// validator, since Spark cannot run IDNA), so one organisation is one domain whatever the
/// spelling; records written before `canonical` existed fall back to the lower-cased address.
fn enrich(records: &DataFrame, settings: &PlanSettings) -> DataFrame {
    let from = col("from");
    let sender = call_function(
        "coalesce",
        [
            from.clone().get_field("canonical"),
            lower(from.clone().get_field("address")),
        ],
    );
    let local_time = call_function(
        "from_utc_timestamp",
        [col("event_time"), lit(settings.timezone.as_str())],
    );
    records.with_columns([
        ("from_address", sender.clone()),
        ("from_name", from.get_field("name")),
        ("sender_domain", substring_index(sender, "@", -1)),
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
    fn the_evolution_columns_cannot_clash_with_record_fields() {
        // What they hold is checked on Spark (tests/stream.rs): the plans only build columns.
        let record = EmailRecord::spark_schema();
        for name in [EXTRA_FIELDS, JSON_FIELDS, CORRUPT_RECORD] {
            assert!(record.get(name).is_none(), "{name} is a record field");
        }
    }

    #[test]
    fn keywords_are_escaped_and_matched_as_words() {
        assert_eq!(regex_escape("c++"), r"c\+\+");
        assert_eq!(regex_escape("asap"), "asap");
    }
}
