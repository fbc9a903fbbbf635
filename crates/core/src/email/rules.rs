//! The rules an email record must meet, stated once and applied in three places: the validator
//! (over the record's JSON, [`validate`]), the stream's quarantine (over the record parsed from
//! Kafka by Spark) and the daily quality job (over bronze rows) — the last two through
//! [`Rule::broken_by`], the same rule as a Spark condition. Each failure names its rule; the rule
//! goes to the DLQ's `mindy-rule` header, the quarantine's reason and the quality report.
//!
//! | rule             | breaks when                                                              |
//! | ---------------- | ------------------------------------------------------------------------ |
//! | `json`           | the value is not a JSON object of the record's field types (the detail   |
//! |                  | and the quarantine's reason name a field of the wrong type)              |
//! | `schema_version` | `schema_version` is missing or not [`SCHEMA_VERSION`] (the detail and    |
//! |                  | the quarantine's reason say which version the record carried)            |
//! | `source`         | `source` is missing or not one of the known sources                      |
//! | `id`             | `id` is missing, blank, longer than 512 bytes or has control characters  |
//! | `from.address`   | `from` or `from.address` is missing, or the address is malformed         |
//! | `date`           | `date` is missing or not an RFC 3339 timestamp                           |
//! | `subject`        | `subject` is missing (`null`); an empty subject is fine                  |
//! | `body`           | `body_text` is missing (`null`); an empty body is fine                   |
//! | `future_date`    | `date` is more than a day ahead of now — counted, never rejected         |
//!
//! `future_date` is a plausibility check the quality job reports; the validator does not reject
//! on it, since a sender's wrong clock is no reason to keep mail from the user.
//!
//! `from.address` is judged by [`ADDRESS_PATTERN`] in both places; the validator also requires
//! the address to have a canonical form ([`super::address`]: a valid IDNA domain), which Spark
//! cannot compute. The stream reads only records the validator forwarded, so the two agree on
//! every row that reaches bronze.
//!
//! Top-level fields the record does not know break no rule: they are the record's additive
//! evolution ([`super::record`]) and travel on untouched ([`Validated`]).
//!
//! Normalisation by the validator: addresses (from, to, cc) trimmed and given their canonical
//! form (`canonical`, recomputed whatever the producer wrote; the address itself is kept as
//! written, for display), blank display names dropped, subject trimmed, a missing `thread_id`
//! set to the id, recipients without a usable address dropped, optional fields defaulted.

use std::collections::HashSet;
use std::sync::LazyLock;

use chrono::{DateTime, Duration, Utc};
use regex::Regex;
use serde_json::{Map, Value};
use spark_client::functions::{
    call_function, current_timestamp, expr, lit, lower, substring_index, trim,
};
use spark_client::Column;

use super::address::canonical_address;
use super::record::{BodyFormat, EmailRecord, Source, SCHEMA_VERSION};

/// A well-formed address: a local part of 1–64 characters without whitespace, control
/// characters or `<>@,;`, then `@` and a dotted domain whose labels are letters, marks, digits and
/// hyphens, not starting with a hyphen, optionally ending in the DNS root's dot
/// (`example.org.`). Deliberately simpler than RFC 5322: it only has to catch what parsers
/// produce from broken headers. Written in the syntax both Rust's `regex` crate and
/// Java's `java.util.regex` (Spark's `rlike`) read the same way; the domain's length (at most 255)
/// is checked beside it.
pub const ADDRESS_PATTERN: &str = r"^[^\p{Z}\p{Cc}<>@,;]{1,64}@[\p{L}\p{N}][\p{L}\p{M}\p{N}-]*(?:\.[\p{L}\p{N}][\p{L}\p{M}\p{N}-]*)+\.?$";

/// The longest domain an address may have, in bytes (RFC 1035's 255 octets).
pub const MAX_DOMAIN_BYTES: usize = 255;

/// The longest id a record may have, in bytes.
pub const MAX_ID_BYTES: usize = 512;

static ADDRESS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(ADDRESS_PATTERN).expect("ADDRESS_PATTERN is a valid regex"));

/// One rule of the record contract (see the module docs for what breaks each).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Rule {
    /// The value is a JSON object of the record's field types.
    Json,
    /// `schema_version` is [`SCHEMA_VERSION`].
    SchemaVersion,
    /// `source` is a known source.
    Source,
    /// `id` is present, not blank, short and free of control characters.
    Id,
    /// `from.address` is present and well formed.
    FromAddress,
    /// `date` is present and a timestamp.
    Date,
    /// `subject` is present (possibly empty).
    Subject,
    /// `body_text` is present (possibly empty).
    Body,
    /// `date` is at most a day ahead of now (counted, never rejected).
    FutureDate,
}

impl Rule {
    /// Every rule, in the order the validator checks them.
    pub const ALL: [Rule; 9] = [
        Rule::Json,
        Rule::SchemaVersion,
        Rule::Source,
        Rule::Id,
        Rule::FromAddress,
        Rule::Date,
        Rule::Subject,
        Rule::Body,
        Rule::FutureDate,
    ];

    /// The rules a parsed record is checked against (all but `json`, which is about parsing).
    pub fn on_parsed_records() -> impl Iterator<Item = Rule> {
        Rule::ALL.into_iter().filter(|r| *r != Rule::Json)
    }

    /// The rule's name, as in the DLQ's `mindy-rule` header and the quality report.
    pub fn name(self) -> &'static str {
        match self {
            Rule::Json => "json",
            Rule::SchemaVersion => "schema_version",
            Rule::Source => "source",
            Rule::Id => "id",
            Rule::FromAddress => "from.address",
            Rule::Date => "date",
            Rule::Subject => "subject",
            Rule::Body => "body",
            Rule::FutureDate => "future_date",
        }
    }

    /// What breaking the rule means, in words (the quarantine's reason).
    pub fn description(self) -> String {
        match self {
            Rule::Json => "the value is not a JSON object of the record's field types".into(),
            Rule::SchemaVersion => {
                format!("schema_version is missing or not {SCHEMA_VERSION}")
            }
            Rule::Source => "source is missing or unknown".into(),
            Rule::Id => format!(
                "id is missing, blank, longer than {MAX_ID_BYTES} bytes or has control characters"
            ),
            Rule::FromAddress => "from.address is missing or malformed".into(),
            Rule::Date => "date is missing or not a timestamp".into(),
            Rule::Subject => "subject is missing (null)".into(),
            Rule::Body => "body_text is missing (null)".into(),
            Rule::FutureDate => "date is more than a day in the future".into(),
        }
    }

    /// Whether a record breaking this rule is rejected (DLQ, quarantine) rather than only
    /// counted by the quality job.
    pub fn rejects(self) -> bool {
        self != Rule::FutureDate
    }

    /// The rule as a Spark condition that is true for a row breaking it. `field` resolves a
    /// record field (`"id"`, `"from.address"`, `"date"`, ...) to a column of the frame at hand:
    /// the stream reads fields of its parsed `record` struct, the quality job bronze's columns.
    /// `None` for `json`, which only the parser can judge (the stream checks for a null record).
    pub fn broken_by(self, field: &dyn Fn(&str) -> Column) -> Option<Column> {
        let null_or = |c: Column, broken: Column| c.clone().is_null().or(broken);
        Some(match self {
            Rule::Json => return None,
            Rule::SchemaVersion => null_or(
                field("schema_version"),
                field("schema_version").neq(lit(SCHEMA_VERSION)),
            ),
            Rule::Source => {
                let known: Vec<Column> = Source::ALL.iter().map(|s| lit(s.as_str())).collect();
                null_or(field("source"), !field("source").is_in(known))
            }
            Rule::Id => {
                let id = field("id");
                null_or(
                    id.clone(),
                    trim(id.clone())
                        .eq(lit(""))
                        .or(octet_length(id.clone()).gt(lit(MAX_ID_BYTES as i32)))
                        .or(id.rlike(r"\p{Cc}")),
                )
            }
            Rule::FromAddress => {
                let address = lower(trim(field("from.address")));
                null_or(
                    address.clone(),
                    (!address.clone().rlike(ADDRESS_PATTERN)).or(domain_too_long(address)),
                )
            }
            Rule::Date => field("date").is_null(),
            Rule::Subject => field("subject").is_null(),
            Rule::Body => field("body_text").is_null(),
            Rule::FutureDate => field("date").gt(current_timestamp() + expr("INTERVAL 1 DAY")),
        })
    }

    /// The rule over a record's JSON object: `Err` with what exactly is wrong. `json` always
    /// passes here (it is judged when the bytes are parsed).
    fn check_json(self, record: &Map<String, Value>, now: DateTime<Utc>) -> Result<(), String> {
        let text = |name: &str| record.get(name).and_then(Value::as_str);
        match self {
            Rule::Json => Ok(()),
            Rule::SchemaVersion => match record.get("schema_version") {
                None | Some(Value::Null) => Err("missing".into()),
                Some(v) if v.as_i64() == Some(i64::from(SCHEMA_VERSION)) => Ok(()),
                Some(v) => Err(format!(
                    "version {v} is not supported (expected {SCHEMA_VERSION})"
                )),
            },
            Rule::Source => match record.get("source") {
                None | Some(Value::Null) => Err("missing".into()),
                Some(Value::String(s)) if Source::ALL.iter().any(|k| k.as_str() == s) => Ok(()),
                Some(v) => Err(format!(
                    "{v} is not a known source ({})",
                    Source::ALL.map(Source::as_str).join(", ")
                )),
            },
            Rule::Id => {
                let id = text("id").map(str::trim).unwrap_or_default();
                if id.is_empty() || id.len() > MAX_ID_BYTES || id.chars().any(char::is_control) {
                    Err(format!(
                        "missing, blank, too long or with control characters: {id:?}"
                    ))
                } else {
                    Ok(())
                }
            }
            Rule::FromAddress => {
                let from = record.get("from").and_then(Value::as_object);
                let address = from
                    .ok_or("no sender")?
                    .get("address")
                    .and_then(Value::as_str)
                    .ok_or("no address")?;
                let address = address.trim().to_lowercase();
                if !well_formed(&address) {
                    return Err(format!("{address:?} is not an address"));
                }
                canonical_address(&address)
                    .map(|_| ())
                    .map_err(|e| format!("{address:?}: {e}"))
            }
            Rule::Date => {
                let date = text("date").ok_or("missing")?;
                DateTime::parse_from_rfc3339(date)
                    .map(|_| ())
                    .map_err(|e| format!("{date:?} is not RFC 3339: {e}"))
            }
            Rule::Subject => match record.get("subject") {
                Some(Value::String(_)) => Ok(()),
                _ => Err("missing (null); an empty subject must be \"\"".into()),
            },
            Rule::Body => match record.get("body_text") {
                Some(Value::String(_)) => Ok(()),
                _ => Err("missing (null); an empty body must be \"\"".into()),
            },
            Rule::FutureDate => {
                let date = text("date").and_then(|d| DateTime::parse_from_rfc3339(d).ok());
                match date {
                    Some(d) if d.with_timezone(&Utc) > now + Duration::days(1) => {
                        Err(format!("{d} is more than a day after {now}"))
                    }
                    _ => Ok(()),
                }
            }
        }
    }
}

/// True when the (lower-cased) domain of `address` is longer than [`MAX_DOMAIN_BYTES`].
fn domain_too_long(address: Column) -> Column {
    octet_length(substring_index(address, "@", -1)).gt(lit(MAX_DOMAIN_BYTES as i32))
}

/// Length in bytes of the UTF-8 text, as Rust's `str::len` counts.
fn octet_length(text: Column) -> Column {
    call_function("octet_length", [text])
}

/// Whether `address` (already trimmed and lower-cased) is well formed: [`ADDRESS_PATTERN`] and a
/// domain of at most [`MAX_DOMAIN_BYTES`].
pub fn well_formed(address: &str) -> bool {
    let domain_ok = address
        .rsplit_once('@')
        .is_some_and(|(_, domain)| domain.len() <= MAX_DOMAIN_BYTES);
    domain_ok && ADDRESS.is_match(address)
}

/// Why a record was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The rule broken.
    pub rule: Rule,
    /// What exactly was wrong.
    pub detail: String,
    /// The record's id, when it could be read (for the log line).
    pub id: Option<String>,
}

/// A record that met every rule: the normalised record and the top-level fields it carried that
/// [`EmailRecord`] does not know (a newer producer's additive field, [`super::record`]'s
/// evolution policy), kept untouched so they reach bronze's `extra_fields`.
#[derive(Debug, Clone, PartialEq)]
pub struct Validated {
    /// The normalised record.
    pub record: EmailRecord,
    /// Top-level fields [`EmailRecord`] has no field for, as the producer wrote them.
    pub unknown_fields: Map<String, Value>,
}

impl Validated {
    /// The record as JSON bytes: [`EmailRecord`]'s fields in their order, then the unknown ones.
    pub fn to_json(&self) -> Vec<u8> {
        #[derive(serde::Serialize)]
        struct WithUnknown<'a> {
            #[serde(flatten)]
            record: &'a EmailRecord,
            #[serde(flatten)]
            unknown: &'a Map<String, Value>,
        }
        if self.unknown_fields.is_empty() {
            return self.record.to_json();
        }
        // Plain data with string keys (none of them a record field's) cannot fail to serialise.
        serde_json::to_vec(&WithUnknown {
            record: &self.record,
            unknown: &self.unknown_fields,
        })
        .expect("a record and a JSON map serialise")
    }
}

/// The record's top-level field names (serde's, as its Spark schema has them).
static KNOWN_FIELDS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    EmailRecord::spark_schema()
        .names()
        .into_iter()
        .map(str::to_string)
        .collect()
});

/// Whether `name` is one of [`EmailRecord`]'s top-level fields.
pub fn is_known_field(name: &str) -> bool {
    KNOWN_FIELDS.contains(name)
}

/// Checks one raw value against every rejecting rule and returns the normalised record (with
/// the fields it does not know), or the first rule it broke.
pub fn validate(value: &[u8]) -> Result<Validated, Rejection> {
    validate_at(value, Utc::now())
}

/// [`validate`] with the current time given (for `ingested_at`'s default), so tests are exact.
pub fn validate_at(value: &[u8], now: DateTime<Utc>) -> Result<Validated, Rejection> {
    let reject = |rule, detail: String, id: Option<String>| Rejection { rule, detail, id };
    let mut record = match serde_json::from_slice::<Value>(value) {
        Ok(Value::Object(record)) => record,
        Ok(other) => {
            let kind = json_kind(&other);
            return Err(reject(
                Rule::Json,
                format!("a JSON {kind}, not an object"),
                None,
            ));
        }
        Err(e) => return Err(reject(Rule::Json, e.to_string(), None)),
    };
    let id = record.get("id").and_then(Value::as_str).map(str::to_string);
    for rule in Rule::ALL.into_iter().filter(|r| r.rejects()) {
        rule.check_json(&record, now)
            .map_err(|detail| reject(rule, detail, id.clone()))?;
    }
    normalise(&mut record, now);
    let unknown_fields = take_unknown_fields(&mut record);
    // The owned value: its strings (a body of up to 256 KiB) move into the record, uncopied.
    // Deserialising with the fields' paths tracked cost the validator 16–25% more CPU per
    // record (benches/validator, 1 Dec 2026), so the path is looked for only when the record
    // does not deserialise.
    let record: EmailRecord = serde_json::from_value(Value::Object(record)).map_err(|e| {
        let detail = wrong_typed_field(value, now).unwrap_or_else(|| e.to_string());
        reject(Rule::Json, detail, id)
    })?;
    Ok(Validated {
        record,
        unknown_fields,
    })
}

/// Removes and returns the top-level fields [`EmailRecord`] does not know.
fn take_unknown_fields(record: &mut Map<String, Value>) -> Map<String, Value> {
    if record.keys().all(|k| is_known_field(k)) {
        return Map::new();
    }
    let unknown: Vec<String> = record
        .keys()
        .filter(|k| !is_known_field(k))
        .cloned()
        .collect();
    unknown
        .into_iter()
        .filter_map(|k| record.remove_entry(&k))
        .collect()
}

/// "field <path> has the wrong type: …" for a `value` whose normalised record did not
/// deserialise (the rare path: parsed again, with the path tracked); `None` when it does.
fn wrong_typed_field(value: &[u8], now: DateTime<Utc>) -> Option<String> {
    let Ok(Value::Object(mut record)) = serde_json::from_slice::<Value>(value) else {
        return None;
    };
    normalise(&mut record, now);
    take_unknown_fields(&mut record);
    serde_path_to_error::deserialize::<_, EmailRecord>(Value::Object(record))
        .err()
        .map(|e| format!("field {} has the wrong type: {}", e.path(), e.inner()))
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The validator's normalisation (module docs), on a record that passed every rule.
fn normalise(record: &mut Map<String, Value>, now: DateTime<Utc>) {
    let trimmed = |v: &Value| v.as_str().map(|s| s.trim().to_string());
    let id = trimmed(&record["id"]).unwrap_or_default();
    record.insert("id".into(), Value::String(id.clone()));
    let thread = record
        .get("thread_id")
        .and_then(trimmed)
        .filter(|t| !t.is_empty())
        .unwrap_or(id);
    record.insert("thread_id".into(), Value::String(thread));
    if let Some(subject) = record.get("subject").and_then(trimmed) {
        record.insert("subject".into(), Value::String(subject));
    }
    if let Some(from) = record.get("from").and_then(normalise_mailbox) {
        record.insert("from".into(), from);
    }
    for list in ["to", "cc"] {
        let kept: Vec<Value> = match record.get(list) {
            Some(Value::Array(items)) => items.iter().filter_map(normalise_mailbox).collect(),
            _ => Vec::new(),
        };
        record.insert(list.into(), Value::Array(kept));
    }
    let body_empty = record["body_text"].as_str().is_some_and(str::is_empty);
    if record.get("body_format").is_none_or(Value::is_null) {
        let format = if body_empty {
            BodyFormat::None
        } else {
            BodyFormat::Plain
        };
        record.insert(
            "body_format".into(),
            serde_json::to_value(format).expect("enum"),
        );
    }
    if record.get("ingested_at").is_none_or(Value::is_null) {
        record.insert("ingested_at".into(), Value::String(now.to_rfc3339()));
    }
    // A null list or flag is the same as a missing one: the record's serde defaults apply.
    record.retain(|_, v| !v.is_null());
}

/// A mailbox with a trimmed, well-formed address, its canonical form and a non-blank name, or
/// `None`.
fn normalise_mailbox(mailbox: &Value) -> Option<Value> {
    let address = mailbox.get("address")?.as_str()?.trim();
    if !well_formed(&address.to_lowercase()) {
        return None;
    }
    let canonical = canonical_address(address).ok()?;
    let name = mailbox
        .get("name")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|n| !n.is_empty());
    Some(serde_json::json!({ "name": name, "address": address, "canonical": canonical }))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn valid() -> Value {
        json!({
            "schema_version": 1, "id": "m1", "thread_id": "t1", "rfc822_message_id": "m1@x", "source": "eml",
            "subject": "  Hello  ", "from": {"name": " Tom ", "address": " Tom@AcmeCorp.Example "},
            "to": [{"name": null, "address": "SARAH@northwind.example"}, {"name": "bad", "address": "nope"}],
            "cc": [], "date": "2025-01-06T22:47:00Z", "in_reply_to": null, "references": [], "labels": ["INBOX"],
            "body_text": "hi", "body_format": "plain", "body_truncated": false, "size_bytes": 10,
            "attachments": [], "ingested_at": "2025-01-07T00:00:00Z"
        })
    }

    fn rule_of(value: Value) -> Rule {
        validate(&serde_json::to_vec(&value).unwrap())
            .unwrap_err()
            .rule
    }

    #[test]
    fn valid_records_are_normalised() {
        let validated = validate(&serde_json::to_vec(&valid()).unwrap()).unwrap();
        assert!(validated.unknown_fields.is_empty());
        let record = validated.record;
        assert_eq!(record.subject, "Hello");
        let from = record.from.unwrap();
        assert_eq!(
            (from.name.as_deref(), from.address.as_str()),
            (Some("Tom"), "Tom@AcmeCorp.Example"),
            "the address as written, for display"
        );
        assert_eq!(from.canonical.as_deref(), Some("tom@acmecorp.example"));
        assert_eq!(record.to.len(), 1);
        assert_eq!(record.to[0].address, "SARAH@northwind.example");
        assert_eq!(
            record.to[0].canonical.as_deref(),
            Some("sarah@northwind.example")
        );
    }

    #[test]
    fn optional_fields_default() {
        let now = DateTime::parse_from_rfc3339("2025-01-07T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let minimal = json!({
            "schema_version": 1, "id": " m2 ", "source": "demo", "subject": "", "body_text": "",
            "from": {"address": "a@b.example"}, "date": "2025-01-06T22:47:00Z", "to": null
        });
        let record = validate_at(&serde_json::to_vec(&minimal).unwrap(), now)
            .unwrap()
            .record;
        assert_eq!(record.id, "m2");
        assert_eq!(record.thread_id, "m2");
        assert_eq!(record.body_format, BodyFormat::None);
        assert_eq!(record.ingested_at, now);
        assert!(record.to.is_empty() && record.references.is_empty());
    }

    #[test]
    fn each_rule_rejects_its_field() {
        assert_eq!(validate(b"not json").unwrap_err().rule, Rule::Json);
        assert_eq!(validate(b"[1]").unwrap_err().rule, Rule::Json);
        let broken: [(&str, Value, Rule); 10] = [
            ("schema_version", json!(2), Rule::SchemaVersion),
            ("source", Value::Null, Rule::Source),
            ("source", json!("imap"), Rule::Source),
            ("id", json!("  "), Rule::Id),
            ("id", json!("a\u{7}b"), Rule::Id),
            ("from", Value::Null, Rule::FromAddress),
            ("date", json!("Mon, 6 Jan 2025"), Rule::Date),
            ("subject", Value::Null, Rule::Subject),
            ("body_text", Value::Null, Rule::Body),
            ("size_bytes", json!("ten"), Rule::Json),
        ];
        for (field, value, rule) in broken {
            let mut v = valid();
            v[field] = value;
            assert_eq!(rule_of(v), rule, "{field}");
        }
        let mut v = valid();
        v["from"]["address"] = json!("tom at acme");
        assert_eq!(rule_of(v), Rule::FromAddress);
        let mut v = valid();
        v["from"]["address"] = json!("tom@xn--a.example");
        assert_eq!(
            rule_of(v),
            Rule::FromAddress,
            "no canonical form: bad punycode"
        );
        let mut v = valid();
        v["from"] =
            json!({"address": "Tom@XN--BCHER-KVA.example.", "canonical": "forged@x.example"});
        let from = validate(&serde_json::to_vec(&v).unwrap())
            .unwrap()
            .record
            .from
            .unwrap();
        assert_eq!(from.address, "Tom@XN--BCHER-KVA.example.");
        assert_eq!(
            from.canonical.as_deref(),
            Some("tom@xn--bcher-kva.example"),
            "recomputed, whatever the producer wrote"
        );
        let mut v = valid();
        v["subject"] = json!("");
        assert!(validate(&serde_json::to_vec(&v).unwrap()).is_ok());
        // A wrong clock is counted by the quality job, never rejected.
        let mut v = valid();
        v["date"] = json!("2999-01-01T00:00:00Z");
        assert!(validate(&serde_json::to_vec(&v).unwrap()).is_ok());
        let future = Rule::FutureDate.check_json(v.as_object().unwrap(), Utc::now());
        assert!(future.is_err());
    }

    #[test]
    fn unknown_top_level_fields_pass_through_untouched() {
        let mut v = valid();
        v["label_colors"] = json!({"Important": "#ff0000"});
        v["importance_score"] = json!(0.75);
        let validated = validate(&serde_json::to_vec(&v).unwrap()).unwrap();
        assert_eq!(
            Value::Object(validated.unknown_fields.clone()),
            json!({"label_colors": {"Important": "#ff0000"}, "importance_score": 0.75})
        );
        let out: Value = serde_json::from_slice(&validated.to_json()).unwrap();
        assert_eq!(out["label_colors"], v["label_colors"]);
        assert_eq!(out["importance_score"], v["importance_score"]);
        assert_eq!(
            out["subject"], "Hello",
            "the known fields are still normalised"
        );
        let own = validated.record.to_json();
        assert!(
            validated.to_json().starts_with(&own[..own.len() - 1]),
            "the record's fields first, in their order"
        );
        // Without unknown fields, the output is the record's own JSON.
        let plain = validate(&serde_json::to_vec(&valid()).unwrap()).unwrap();
        assert_eq!(plain.to_json(), plain.record.to_json());
    }

    #[test]
    fn a_wrong_typed_field_is_named() {
        let mut v = valid();
        v["size_bytes"] = json!("ten");
        let rejection = validate(&serde_json::to_vec(&v).unwrap()).unwrap_err();
        assert_eq!(rejection.rule, Rule::Json);
        assert!(
            rejection
                .detail
                .starts_with("field size_bytes has the wrong type: "),
            "{}",
            rejection.detail
        );
        let mut v = valid();
        v["schema_version"] = json!(2);
        let rejection = validate(&serde_json::to_vec(&v).unwrap()).unwrap_err();
        assert_eq!(rejection.detail, "version 2 is not supported (expected 1)");
    }

    #[test]
    fn address_shapes() {
        for ok in [
            "a@b.example",
            "first.last+tag@sub.domain.example",
            "josé@correo.example",
            "user@हिन्दी.example",
            "root@example.org.",
        ] {
            assert!(well_formed(ok), "{ok}");
        }
        let long_domain = format!("a@{}.example", "x".repeat(250));
        for bad in [
            "",
            "a",
            "@b.example",
            "a@",
            "a@b",
            "a b@c.example",
            "<a@b.example>",
            "a@b..example",
            "a@@b.example",
            "a@-b.example",
            long_domain.as_str(),
        ] {
            assert!(!well_formed(bad), "{bad}");
        }
    }

    #[test]
    fn the_record_document_lists_every_rule() {
        let doc = include_str!("../../../../docs/email-record.md");
        let section = doc
            .split("## Validation")
            .nth(1)
            .unwrap()
            .split("\n## ")
            .next();
        let documented: Vec<&str> = section
            .unwrap()
            .lines()
            .filter_map(|l| l.strip_prefix("| `"))
            .filter_map(|l| l.split('`').next())
            .collect();
        let names: Vec<&str> = Rule::ALL.iter().map(|r| r.name()).collect();
        assert_eq!(documented, names, "docs/email-record.md's rule table");
    }

    #[test]
    fn every_rejecting_rule_but_json_has_a_spark_condition() {
        let field = |name: &str| spark_client::functions::col(name);
        for rule in Rule::ALL {
            assert_eq!(
                rule.broken_by(&field).is_some(),
                rule != Rule::Json,
                "{rule:?}"
            );
        }
    }
}
