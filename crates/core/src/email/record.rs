//! The versioned JSON record every producer writes to `emails-topic` and the validator forwards,
//! normalised, to `processed-emails-topic`. `docs/email-record.md` documents it field by field;
//! a change that is not purely additive bumps [`SCHEMA_VERSION`].
//!
//! This struct is the record's one definition: its JSON is serde's, and its Spark schema (what
//! the stream parses the topic with and bronze holds) is derived from it
//! ([`EmailRecord::spark_schema`]).
//!
//! # Evolution
//!
//! - **Additive** (same [`SCHEMA_VERSION`]): a new optional top-level field, from a producer
//!   newer than this code (a new Gmail API field, say). Nothing stops for it: the validator
//!   forwards fields it does not know untouched ([`super::rules::Validated`]), and the stream
//!   keeps them in bronze's `extra_fields` column (`MAP<STRING, STRING>`: name → the value's
//!   JSON text, a string's text without quotes; null when there are none), without a restart
//!   and without a change to the table's schema. Fields unknown inside a known object (a
//!   mailbox) are not kept: the validator rebuilds mailboxes.
//! - **Promoting** such a field to a typed column: add it to [`EmailRecord`] as an `Option` (or
//!   with `#[serde(default)]`), its row to `docs/email-record.md`, and restart the stream. The
//!   field leaves `extra_fields` for its own column, which the stream adds to the existing bronze
//!   table before its queries start (`mindy_pipeline`'s `stream::evolve`; the queries also
//!   write with Delta's `mergeSchema`). Rows written before keep the field in `extra_fields`
//!   and have the column null.
//! - **Not additive** (bumps [`SCHEMA_VERSION`]): removing, renaming or retyping a field, or
//!   making an optional one required. Records of a version this code does not know are
//!   rejected by rule `schema_version` (dead-lettered by the validator, quarantined by the
//!   stream with the version they carry), and the stream refuses to start on a bronze table that
//!   has a column its plan lost or retyped: such a change comes with a migration of the table.
//! - A known field of the wrong type breaks rule `json`; the validator's detail and the
//!   quarantine's reason name the field.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use spark_client::types::StructType;

/// The record layout this crate writes and the validator, the stream and the jobs read.
pub const SCHEMA_VERSION: i32 = 1;

/// Bodies longer than this many bytes are cut (at a character boundary) and flagged, so one
/// huge newsletter cannot exceed the broker's 1 MiB message limit.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// Where a record came from.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, spark_client::SparkType,
)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// The Gmail API (`mindy ingest gmail`).
    Gmail,
    /// An mbox file, e.g. a Google Takeout export (`mindy ingest mbox`).
    Mbox,
    /// A single RFC 5322 `.eml` file (`mindy ingest eml`).
    Eml,
    /// The generated demo mailbox (`mindy ingest demo`).
    Demo,
}

impl Source {
    /// Every source, in declaration order.
    pub const ALL: [Source; 4] = [Source::Gmail, Source::Mbox, Source::Eml, Source::Demo];

    /// The lower-case name used in the JSON and in DLQ headers.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Gmail => "gmail",
            Source::Mbox => "mbox",
            Source::Eml => "eml",
            Source::Demo => "demo",
        }
    }
}

/// A display name and an address, as in `"Tom Anderson" <tom@acmecorp.example>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, spark_client::SparkType)]
pub struct Mailbox {
    /// The display name, decoded from encoded-words; `None` when the header had none.
    pub name: Option<String>,
    /// The address as the sender wrote it (trimmed), for display.
    pub address: String,
    /// The address's canonical form ([`super::address`]: lower-case, IDNA A-label domain, no
    /// trailing dot), in which addresses are compared and `sender_domain` is taken. Set by the
    /// producers and recomputed by the validator; `None` in records written before it existed,
    /// or from a producer when the address has no canonical form (the validator then rejects
    /// the sender or drops the recipient).
    #[serde(default)]
    pub canonical: Option<String>,
}

impl Mailbox {
    /// A mailbox with its canonical form computed; `None` when the address has none.
    pub fn new(name: Option<String>, address: impl Into<String>) -> Option<Self> {
        let address = address.into().trim().to_string();
        let canonical = super::address::canonical_address(&address).ok()?;
        Some(Mailbox {
            name,
            address,
            canonical: Some(canonical),
        })
    }
}

/// Where a record's `date` came from: the first of these the message has, in this order.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, spark_client::SparkType,
)]
#[serde(rename_all = "snake_case")]
pub enum DateSource {
    /// The message's `Date` header (RFC 5322, obsolete forms included).
    Header,
    /// Gmail's `internalDate` (when Google accepted the message), for mail without a readable
    /// `Date`.
    InternalDate,
    /// The newest readable `Received` header (when the last server took the message).
    Received,
    /// The date on the mbox `From ` separator line (when the mailbox stored it; its zone is
    /// often unknown and then read as UTC), the last resort.
    MboxFrom,
}

impl DateSource {
    /// Every source, in order of preference.
    pub const ALL: [DateSource; 4] = [
        DateSource::Header,
        DateSource::InternalDate,
        DateSource::Received,
        DateSource::MboxFrom,
    ];

    /// The name used in the JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            DateSource::Header => "header",
            DateSource::InternalDate => "internal_date",
            DateSource::Received => "received",
            DateSource::MboxFrom => "mbox_from",
        }
    }
}

/// How `body_text` was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, spark_client::SparkType)]
#[serde(rename_all = "lowercase")]
pub enum BodyFormat {
    /// From a `text/plain` part.
    Plain,
    /// Rendered to text from a `text/html` part (the message had no plain part).
    Html,
    /// The message had no text body at all; `body_text` is empty.
    None,
}

/// One email, as JSON on `emails-topic` (keyed by [`EmailRecord::id`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, spark_client::SparkType)]
pub struct EmailRecord {
    /// Always [`SCHEMA_VERSION`] when written by this crate.
    pub schema_version: i32,
    /// Stable id, also the Kafka key: Gmail's message id, else the RFC 5322 Message-ID without
    /// angle brackets, else `sha256:` and a digest of the raw message.
    pub id: String,
    /// Conversation id: Gmail's thread id, or `X-GM-THRID` (Takeout), or the first
    /// `References` / `In-Reply-To` id, or the message's own id.
    pub thread_id: String,
    /// The Message-ID header without angle brackets, when there was one.
    #[serde(default)]
    pub rfc822_message_id: Option<String>,
    /// Which producer wrote the record.
    pub source: Source,
    /// Decoded subject; empty when the header is missing or empty.
    pub subject: String,
    /// The first `From` mailbox that has an address; `None` when there is none (the validator
    /// rejects it).
    pub from: Option<Mailbox>,
    /// `To` recipients (groups flattened).
    #[serde(default)]
    pub to: Vec<Mailbox>,
    /// `Cc` recipients (groups flattened).
    #[serde(default)]
    pub cc: Vec<Mailbox>,
    /// When it was sent, in UTC: the `Date` header, else Gmail's `internalDate`, else the
    /// newest `Received` date, else the mbox `From ` line's date ([`DateSource`]).
    pub date: Option<DateTime<Utc>>,
    /// Which of those `date` came from; `None` when there is no date (or in records written
    /// before this field existed).
    #[serde(default)]
    pub date_source: Option<DateSource>,
    /// The `In-Reply-To` id (without brackets), which lets downstream jobs pair a reply with
    /// the message it answers and compute response times.
    #[serde(default)]
    pub in_reply_to: Option<String>,
    /// The `References` ids, oldest first.
    #[serde(default)]
    pub references: Vec<String>,
    /// Gmail label ids (`INBOX`, `SENT`, `IMPORTANT`, `CATEGORY_UPDATES`...) or Takeout's
    /// `X-Gmail-Labels` names.
    #[serde(default)]
    pub labels: Vec<String>,
    /// The text body: `text/plain` preferred, HTML rendered to text otherwise.
    pub body_text: String,
    /// Where `body_text` came from.
    pub body_format: BodyFormat,
    /// True when `body_text` was cut at [`MAX_BODY_BYTES`].
    #[serde(default)]
    pub body_truncated: bool,
    /// Size of the raw message in bytes (Gmail's `sizeEstimate` for the API source).
    #[serde(default)]
    pub size_bytes: i64,
    /// File names of the attachments, in message order.
    #[serde(default)]
    pub attachments: Vec<String>,
    /// The `List-Unsubscribe` header (RFC 2369) as written, e.g.
    /// `<mailto:leave@lists.example>, <https://lists.example/u/123>`: mail from a list.
    #[serde(default)]
    pub list_unsubscribe: Option<String>,
    /// The `List-Id` header (RFC 2919), e.g. `Weekly digest <digest.news.example>`.
    #[serde(default)]
    pub list_id: Option<String>,
    /// The `Precedence` header (`bulk`, `list`, `junk`; not standard but widely set by bulk
    /// senders), lower-cased.
    #[serde(default)]
    pub precedence: Option<String>,
    /// The `Auto-Submitted` header (RFC 3834: `auto-generated`, `auto-replied`, ...;
    /// `no` means written by a person), lower-cased, without parameters.
    #[serde(default)]
    pub auto_submitted: Option<String>,
    /// When the producer read the message.
    pub ingested_at: DateTime<Utc>,
}

impl EmailRecord {
    /// A plain-text record of schema [`SCHEMA_VERSION`] sent at `at` (also its ingestion time)
    /// from `from`: its own thread, `id` as its Message-ID, no recipients, labels, attachments
    /// or list headers, the date from the header, the size the body's. What tests and
    /// benchmarks start from, changing what they need with struct update syntax:
    /// `EmailRecord { labels: vec!["INBOX".into()], ..EmailRecord::plain(..) }`.
    pub fn plain(
        source: Source,
        id: &str,
        from: Mailbox,
        subject: &str,
        body: &str,
        at: DateTime<Utc>,
    ) -> EmailRecord {
        EmailRecord {
            schema_version: SCHEMA_VERSION,
            id: id.to_string(),
            thread_id: id.to_string(),
            rfc822_message_id: Some(id.to_string()),
            source,
            subject: subject.to_string(),
            from: Some(from),
            to: vec![],
            cc: vec![],
            date: Some(at),
            date_source: Some(DateSource::Header),
            in_reply_to: None,
            references: vec![],
            labels: vec![],
            body_text: body.to_string(),
            body_format: BodyFormat::Plain,
            body_truncated: false,
            size_bytes: body.len() as i64,
            attachments: vec![],
            list_unsubscribe: None,
            list_id: None,
            precedence: None,
            auto_submitted: None,
            ingested_at: at,
        }
    }

    /// The record's Spark schema, as the stream parses `processed-emails-topic` with it.
    pub fn spark_schema() -> StructType {
        StructType::of::<EmailRecord>()
    }

    /// The record as JSON bytes.
    pub fn to_json(&self) -> Vec<u8> {
        // Serializing plain data with string keys cannot fail.
        serde_json::to_vec(self).expect("an EmailRecord serializes")
    }
}

/// Cuts `text` to at most `max` bytes on a character boundary; returns whether it cut.
pub fn truncate_utf8(text: &mut String, max: usize) -> bool {
    if text.len() <= max {
        return false;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_keeps_whole_characters() {
        let mut text = "héllo".to_string();
        assert!(truncate_utf8(&mut text, 2));
        assert_eq!(text, "h");
        let mut short = "abc".to_string();
        assert!(!truncate_utf8(&mut short, 3));
    }

    #[test]
    fn the_spark_schema_is_the_json_layout() {
        let schema = EmailRecord::spark_schema();
        let from = &schema.get("from").unwrap().data_type;
        assert_eq!(
            from.to_ddl(),
            "STRUCT<name: STRING, address: STRING NOT NULL, canonical: STRING>"
        );
        let spark_client::types::DataType::Struct(mailbox) = from else {
            panic!("from is a struct")
        };
        assert!(mailbox.get("name").unwrap().nullable);
        assert!(!mailbox.get("address").unwrap().nullable);
        assert_eq!(schema.get("date").unwrap().data_type.to_ddl(), "TIMESTAMP");
        assert!(schema.get("date").unwrap().nullable);
        assert_eq!(schema.get("source").unwrap().data_type.to_ddl(), "STRING");
        assert_eq!(
            schema.get("date_source").unwrap().data_type.to_ddl(),
            "STRING"
        );
        assert_eq!(
            schema.get("schema_version").unwrap().data_type.to_ddl(),
            "INT"
        );
        assert_eq!(
            schema.get("size_bytes").unwrap().data_type.to_ddl(),
            "BIGINT"
        );
    }

    #[test]
    fn the_record_document_lists_exactly_the_records_fields() {
        let doc = include_str!("../../../../docs/email-record.md");
        let fields_section = doc.split("## Fields").nth(1).unwrap().split("\n## ").next();
        let documented: Vec<&str> = fields_section
            .unwrap()
            .lines()
            .filter_map(|l| l.strip_prefix("| `"))
            .filter_map(|l| l.split('`').next())
            .collect();
        let fields = EmailRecord::spark_schema();
        assert_eq!(
            documented,
            fields.names(),
            "docs/email-record.md's field table"
        );
    }

    #[test]
    fn source_names_match_serde() {
        for source in Source::ALL {
            assert_eq!(
                serde_json::to_string(&source).unwrap(),
                format!("\"{}\"", source.as_str())
            );
        }
        for source in DateSource::ALL {
            assert_eq!(
                serde_json::to_string(&source).unwrap(),
                format!("\"{}\"", source.as_str())
            );
        }
    }

    #[test]
    fn a_mailbox_knows_its_canonical_form() {
        let mailbox = Mailbox::new(None, " Jane@Bücher.Example. ").unwrap();
        assert_eq!(mailbox.address, "Jane@Bücher.Example.");
        assert_eq!(
            mailbox.canonical.as_deref(),
            Some("jane@xn--bcher-kva.example")
        );
        assert!(Mailbox::new(None, "not an address").is_none());
    }
}
