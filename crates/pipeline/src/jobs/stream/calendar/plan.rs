//! The calendar's streaming plans: `processed-calendar-topic` parsed with the record's derived
//! Spark schema, checked against [`mindy_core::calendar::rules`] again (anyone can write to the
//! topic), good rows appended to `bronze/calendar_changes` and the rest quarantined with the
//! rule they broke.

use mindy_core::calendar::{CalendarRecord, Rule};
use spark_client::functions::{col, current_timestamp, from_json, lit, when};
use spark_client::types::DataType;
use spark_client::{Column, DataFrame};

/// Where `from_json` puts a value it cannot read as the record.
const CORRUPT_RECORD: &str = "_corrupt_record";

/// Kafka rows → the record (a struct), Kafka's metadata and `reject_reason` (null when good).
pub fn parse(kafka: &DataFrame) -> DataFrame {
    let raw = col("value").cast("string");
    let schema = CalendarRecord::spark_schema().field(CORRUPT_RECORD, DataType::String, true);
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

/// Why a parsed row cannot go to bronze, or null; the reason names the rule.
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
    for rule in Rule::on_parsed_records() {
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

/// Good rows: the record's fields as columns, with Kafka's metadata, for
/// `bronze/calendar_changes`.
pub fn changes(parsed: &DataFrame) -> DataFrame {
    parsed
        .filter(col("reject_reason").is_null())
        .select([
            col("record.*"),
            col("kafka_topic"),
            col("kafka_partition"),
            col("kafka_offset"),
            col("kafka_timestamp"),
        ])
        .drop([CORRUPT_RECORD])
        .with_column("received_at", current_timestamp())
}

/// Rows that failed, with the raw value and the reason, for `bronze/calendar_quarantine`.
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
