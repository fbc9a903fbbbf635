//! The streaming plans, as pure functions from DataFrame to DataFrame: what `mindy stream` sends
//! to the Spark Connect server. Spark's executors do all the work; nothing here touches rows.
//!
//! - [`parse`]: Kafka rows → the email record's fields plus Kafka metadata and a parse verdict.
//! - [`bronze`]: parsed rows that passed → enriched, de-duplicated bronze rows.
//! - [`quarantine`]: parsed rows that failed → the raw value and the reason.
//! - [`silver`]: bronze rows → 1-hour windows per sender domain.

use mindy_core::email::{EmailRecord, Rule};
use spark_client::functions::{
    avg, call_function, col, collect_list, concat_ws, count, current_timestamp, from_json, length,
    lit, lower, substring_index, sum, to_date, when, window,
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

/// Parses Kafka's `value` with the record's Spark schema (derived from [`EmailRecord`]) and
/// keeps Kafka's metadata; adds `reject_reason` (null for rows that can go to bronze).
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
            from_json(raw, schema, options).alias("record"),
            col("topic").alias("kafka_topic"),
            col("partition").alias("kafka_partition"),
            col("offset").alias("kafka_offset"),
            col("timestamp").alias("kafka_timestamp"),
        ])
        .with_column("reject_reason", reject_reason())
}

/// Why a parsed row cannot go to bronze, or null: the record contract's rules
/// ([`mindy_core::email::rules`], which the validator applies too), checked again because
/// anyone can write to the topic. The reason names the rule: `<rule>: <what it means>`.
fn reject_reason() -> Column {
    let field = |path: &str| {
        path.split('.')
            .fold(col("record"), |column, name| column.get_field(name))
    };
    let unreadable = col("record")
        .is_null()
        .or(field(CORRUPT_RECORD).is_not_null());
    let mut reason = when(
        unreadable,
        lit(format!(
            "{}: {}",
            Rule::Json.name(),
            Rule::Json.description()
        )),
    );
    for rule in Rule::on_parsed_records().filter(|r| r.rejects()) {
        let broken = rule
            .broken_by(&field)
            .expect("every rule but json has a Spark condition");
        reason = reason.when(
            broken,
            lit(format!("{}: {}", rule.name(), rule.description())),
        );
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
    fn keywords_are_escaped_and_matched_as_words() {
        assert_eq!(regex_escape("c++"), r"c\+\+");
        assert_eq!(regex_escape("asap"), "asap");
    }
}
