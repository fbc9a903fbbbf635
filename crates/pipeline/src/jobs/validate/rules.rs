//! The validator's rules: what a record on `emails-topic` must hold to be forwarded, and how it
//! is normalised. Each failure names its rule; the rule goes to the DLQ's `mindy-rule` header.
//!
//! | rule             | rejects when                                                        |
//! | ---------------- | ------------------------------------------------------------------- |
//! | `json`           | the value is not a JSON object of the record's field types          |
//! | `schema_version` | `schema_version` is missing or not one this validator knows         |
//! | `source`         | `source` is missing                                                 |
//! | `id`             | `id` is missing, blank, longer than 512 bytes or has control chars  |
//! | `from.address`   | `from` or `from.address` is missing, or the address is malformed    |
//! | `date`           | `date` is missing or not an RFC 3339 timestamp                      |
//! | `subject`        | `subject` is missing (`null`); an empty subject is fine             |
//! | `body`           | `body_text` is missing (`null`); an empty body is fine              |
//!
//! Normalisation: addresses trimmed and lower-cased (from, to, cc), blank display names dropped,
//! subject trimmed, a missing `thread_id` set to the id, recipients without a usable address
//! dropped.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::email::{BodyFormat, EmailRecord, Mailbox, Source, SCHEMA_VERSION};

/// Why a record was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The rule's name (see the module docs).
    pub rule: &'static str,
    /// What exactly was wrong.
    pub detail: String,
    /// The record's id, when it could be read (for the log line).
    pub id: Option<String>,
}

/// The record as it may arrive: everything optional, so a missing field is a named rule
/// failure rather than an opaque JSON error.
#[derive(Debug, Deserialize)]
struct Incoming {
    schema_version: Option<u32>,
    id: Option<String>,
    thread_id: Option<String>,
    rfc822_message_id: Option<String>,
    source: Option<Source>,
    subject: Option<String>,
    from: Option<IncomingMailbox>,
    #[serde(default)]
    to: Option<Vec<IncomingMailbox>>,
    #[serde(default)]
    cc: Option<Vec<IncomingMailbox>>,
    date: Option<String>,
    in_reply_to: Option<String>,
    #[serde(default)]
    references: Option<Vec<String>>,
    #[serde(default)]
    labels: Option<Vec<String>>,
    body_text: Option<String>,
    body_format: Option<BodyFormat>,
    body_truncated: Option<bool>,
    size_bytes: Option<u64>,
    #[serde(default)]
    attachments: Option<Vec<String>>,
    ingested_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Deserialize)]
struct IncomingMailbox {
    name: Option<String>,
    address: Option<String>,
}

/// Checks one raw value and returns the normalised record, or the rule it broke.
pub fn validate(value: &[u8]) -> Result<EmailRecord, Rejection> {
    let incoming: Incoming = serde_json::from_slice(value).map_err(|e| Rejection {
        rule: "json",
        detail: e.to_string(),
        id: None,
    })?;
    let id = incoming.id.clone();
    check(incoming).map_err(|(rule, detail)| Rejection { rule, detail, id })
}

fn check(r: Incoming) -> Result<EmailRecord, (&'static str, String)> {
    match r.schema_version {
        Some(SCHEMA_VERSION) => {}
        Some(v) => {
            return Err((
                "schema_version",
                format!("version {v} is not supported (expected {SCHEMA_VERSION})"),
            ))
        }
        None => return Err(("schema_version", "missing".into())),
    }
    let source = r.source.ok_or(("source", "missing".to_string()))?;
    let id = r.id.map(|id| id.trim().to_string()).unwrap_or_default();
    if id.is_empty() || id.len() > 512 || id.chars().any(char::is_control) {
        return Err((
            "id",
            format!("missing, blank, too long or with control characters: {id:?}"),
        ));
    }
    let from = r.from.ok_or(("from.address", "no sender".to_string()))?;
    let from = normalise_mailbox(from).map_err(|detail| ("from.address", detail))?;
    let date = r.date.ok_or(("date", "missing".to_string()))?;
    let date = DateTime::parse_from_rfc3339(&date)
        .map_err(|e| ("date", format!("{date:?} is not RFC 3339: {e}")))?
        .with_timezone(&Utc);
    let subject = r.subject.ok_or((
        "subject",
        "missing (null); an empty subject must be \"\"".to_string(),
    ))?;
    let body_text = r.body_text.ok_or((
        "body",
        "missing (null); an empty body must be \"\"".to_string(),
    ))?;
    Ok(EmailRecord {
        schema_version: SCHEMA_VERSION,
        thread_id: r
            .thread_id
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| id.clone()),
        id,
        rfc822_message_id: r.rfc822_message_id,
        source,
        subject: subject.trim().to_string(),
        from: Some(from),
        to: recipients(r.to),
        cc: recipients(r.cc),
        date: Some(date),
        in_reply_to: r.in_reply_to,
        references: r.references.unwrap_or_default(),
        labels: r.labels.unwrap_or_default(),
        body_format: r.body_format.unwrap_or(if body_text.is_empty() {
            BodyFormat::None
        } else {
            BodyFormat::Plain
        }),
        body_text,
        body_truncated: r.body_truncated.unwrap_or(false),
        size_bytes: r.size_bytes.unwrap_or(0),
        attachments: r.attachments.unwrap_or_default(),
        ingested_at: r.ingested_at.unwrap_or_else(Utc::now),
    })
}

fn normalise_mailbox(m: IncomingMailbox) -> Result<Mailbox, String> {
    let address = m.address.ok_or("no address")?.trim().to_lowercase();
    if !well_formed(&address) {
        return Err(format!("{address:?} is not an address"));
    }
    let name = m
        .name
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty());
    Ok(Mailbox { name, address })
}

fn recipients(list: Option<Vec<IncomingMailbox>>) -> Vec<Mailbox> {
    list.unwrap_or_default()
        .into_iter()
        .filter_map(|m| normalise_mailbox(m).ok())
        .collect()
}

/// `local@domain`: one `@`, a non-empty local part, a dotted domain of letters, digits and
/// hyphens, no whitespace or angle brackets. Deliberately simpler than RFC 5322: it only has to
/// catch what parsers produce from broken headers.
pub fn well_formed(address: &str) -> bool {
    let Some((local, domain)) = address.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && local.len() <= 64
        && !local.chars().any(|c| {
            c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '@' | ',' | ';')
        })
        && domain.len() <= 255
        && domain.contains('.')
        && domain.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

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

    fn rule_of(value: Value) -> &'static str {
        validate(&serde_json::to_vec(&value).unwrap())
            .unwrap_err()
            .rule
    }

    #[test]
    fn valid_records_are_normalised() {
        let record = validate(&serde_json::to_vec(&valid()).unwrap()).unwrap();
        assert_eq!(record.subject, "Hello");
        let from = record.from.unwrap();
        assert_eq!(
            (from.name.as_deref(), from.address.as_str()),
            (Some("Tom"), "tom@acmecorp.example")
        );
        assert_eq!(record.to.len(), 1);
        assert_eq!(record.to[0].address, "sarah@northwind.example");
    }

    #[test]
    fn each_rule_rejects_its_field() {
        assert_eq!(validate(b"not json").unwrap_err().rule, "json");
        let mut v = valid();
        v["schema_version"] = json!(2);
        assert_eq!(rule_of(v), "schema_version");
        let mut v = valid();
        v["source"] = Value::Null;
        assert_eq!(rule_of(v), "source");
        let mut v = valid();
        v["id"] = json!("  ");
        assert_eq!(rule_of(v), "id");
        let mut v = valid();
        v["from"] = Value::Null;
        assert_eq!(rule_of(v), "from.address");
        let mut v = valid();
        v["from"]["address"] = json!("tom at acme");
        assert_eq!(rule_of(v), "from.address");
        let mut v = valid();
        v["date"] = json!("Mon, 6 Jan 2025");
        assert_eq!(rule_of(v), "date");
        let mut v = valid();
        v["subject"] = Value::Null;
        assert_eq!(rule_of(v), "subject");
        let mut v = valid();
        v.as_object_mut().unwrap().remove("body_text");
        assert_eq!(rule_of(v), "body");
        let mut v = valid();
        v["subject"] = json!("");
        assert!(validate(&serde_json::to_vec(&v).unwrap()).is_ok());
    }

    #[test]
    fn address_shapes() {
        for ok in [
            "a@b.example",
            "first.last+tag@sub.domain.example",
            "josé@correo.example",
        ] {
            assert!(well_formed(ok), "{ok}");
        }
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
        ] {
            assert!(!well_formed(bad), "{bad}");
        }
    }
}
