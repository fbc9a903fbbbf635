//! RFC 5322 / MIME messages to [`EmailRecord`]s, on the `mail-parser` crate (every charset,
//! encoded-words, quoted-printable and base64, HTML rendered to text).
//!
//! Parsing is lenient by design: a message with a missing `From` or `Date` still becomes a
//! record (with `null` there) so the validator can reject it with a named rule. Only input that
//! is not an email at all fails here, and the producers send it to the DLQ with the reason.

use std::borrow::Cow;
use std::fmt;

use chrono::{DateTime, TimeZone, Utc};
use mail_parser::{Addr, Address, HeaderValue, Message, MessageParser, MimeHeaders};
use sha2::{Digest, Sha256};

use mindy_core::email::{
    truncate_utf8, BodyFormat, EmailRecord, Mailbox, Source, MAX_BODY_BYTES, SCHEMA_VERSION,
};

/// What the mailbox or API knows about a message besides its raw bytes.
#[derive(Debug, Clone)]
pub struct SourceMeta {
    /// Which producer read it.
    pub source: Source,
    /// The source's own id (Gmail's message id); `None` for files.
    pub id: Option<String>,
    /// The source's thread id (Gmail's `threadId`).
    pub thread_id: Option<String>,
    /// Labels from the source (Gmail `labelIds`); Takeout's `X-Gmail-Labels` header is used
    /// when this is empty.
    pub labels: Vec<String>,
    /// The mailbox's own receive date (Gmail `internalDate`, mbox `From ` line), used when
    /// the `Date` header is missing or invalid.
    pub received_at: Option<DateTime<Utc>>,
    /// Size as the source reports it; the raw length otherwise.
    pub size_bytes: Option<i64>,
}

impl SourceMeta {
    /// Metadata with nothing but the source: what a bare `.eml` file gives.
    pub fn new(source: Source) -> Self {
        SourceMeta {
            source,
            id: None,
            thread_id: None,
            labels: Vec::new(),
            received_at: None,
            size_bytes: None,
        }
    }
}

/// Why input could not be turned into a record (sent to the DLQ as `mindy-reason`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseError {
    /// Zero bytes, or only whitespace.
    Empty,
    /// The MIME parser found no message structure.
    NotMime,
    /// Parsed, but none of From, To, Subject, Date or Message-ID is there: not an email.
    NoHeaders,
}

impl ParseError {
    /// A short machine-friendly code, used as the `mindy-rule` DLQ header.
    pub fn code(&self) -> &'static str {
        match self {
            ParseError::Empty => "parse.empty",
            ParseError::NotMime => "parse.not_mime",
            ParseError::NoHeaders => "parse.no_headers",
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ParseError::Empty => "empty input",
            ParseError::NotMime => "not a MIME message",
            ParseError::NoHeaders => {
                "no email headers (From, To, Subject, Date, Message-ID all missing)"
            }
        })
    }
}

impl std::error::Error for ParseError {}

/// Parses one raw message into a record stamped with `ingested_at`.
pub fn parse(
    raw: &[u8],
    meta: &SourceMeta,
    ingested_at: DateTime<Utc>,
) -> Result<EmailRecord, ParseError> {
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Err(ParseError::Empty);
    }
    let message = MessageParser::default()
        .parse(raw)
        .ok_or(ParseError::NotMime)?;
    if !has_email_headers(&message) {
        return Err(ParseError::NoHeaders);
    }
    let rfc822_message_id = message
        .message_id()
        .map(strip_brackets)
        .filter(|id| !id.is_empty());
    let id = meta
        .id
        .clone()
        .or_else(|| rfc822_message_id.clone())
        .unwrap_or_else(|| digest_id(raw));
    let references = text_list(message.references());
    let in_reply_to = text_list(message.in_reply_to()).into_iter().next();
    let thread_id = meta
        .thread_id
        .clone()
        .or_else(|| header_text(&message, "X-GM-THRID"))
        .or_else(|| references.first().cloned())
        .or_else(|| in_reply_to.clone())
        .unwrap_or_else(|| id.clone());
    let (body_text, body_format, body_truncated) = body(&message);
    Ok(EmailRecord {
        schema_version: SCHEMA_VERSION,
        id,
        thread_id,
        rfc822_message_id,
        source: meta.source,
        subject: message
            .subject()
            .map(|s| s.trim().to_string())
            .unwrap_or_default(),
        from: message.from().and_then(Address::first).and_then(mailbox),
        to: mailboxes(message.to()),
        cc: mailboxes(message.cc()),
        date: sent_at(&message, meta),
        in_reply_to,
        references,
        labels: labels(&message, meta),
        body_text,
        body_format,
        body_truncated,
        size_bytes: meta.size_bytes.unwrap_or(raw.len() as i64),
        attachments: message
            .attachments()
            .filter_map(|p| p.attachment_name().map(str::to_string))
            .collect(),
        ingested_at,
    })
}

fn has_email_headers(message: &Message<'_>) -> bool {
    message.from().is_some()
        || message.to().is_some()
        || message.subject().is_some()
        || message.date().is_some()
        || message.message_id().is_some()
}

/// `sha256:` + the first 32 hex digits of the raw message's digest: stable across re-runs, so a
/// message without a Message-ID is still deduplicated by key downstream.
fn digest_id(raw: &[u8]) -> String {
    let digest = Sha256::digest(raw);
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

fn strip_brackets(id: &str) -> String {
    id.trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim()
        .to_string()
}

fn text_list(value: &HeaderValue<'_>) -> Vec<String> {
    match value {
        HeaderValue::Text(text) => vec![strip_brackets(text)],
        HeaderValue::TextList(list) => list.iter().map(|t| strip_brackets(t)).collect(),
        _ => Vec::new(),
    }
    .into_iter()
    .filter(|id| !id.is_empty())
    .collect()
}

fn header_text(message: &Message<'_>, name: &str) -> Option<String> {
    message
        .header_raw(name)
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

fn mailbox(addr: &Addr<'_>) -> Option<Mailbox> {
    let address = addr.address.as_deref()?.trim();
    if address.is_empty() {
        return None;
    }
    let name = addr
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string);
    Some(Mailbox {
        name,
        address: address.to_string(),
    })
}

fn mailboxes(list: Option<&Address<'_>>) -> Vec<Mailbox> {
    list.map(|l| l.iter().filter_map(mailbox).collect())
        .unwrap_or_default()
}

/// The `Date` header in UTC when valid; else the source's date; else the newest `Received`.
fn sent_at(message: &Message<'_>, meta: &SourceMeta) -> Option<DateTime<Utc>> {
    let from_header = message
        .date()
        .filter(|d| d.is_valid())
        .and_then(|d| Utc.timestamp_opt(d.to_timestamp(), 0).single());
    from_header.or(meta.received_at).or_else(|| {
        message
            .received_all()
            .filter_map(|r| r.date())
            .filter(|d| d.is_valid())
            .filter_map(|d| Utc.timestamp_opt(d.to_timestamp(), 0).single())
            .max()
    })
}

fn labels(message: &Message<'_>, meta: &SourceMeta) -> Vec<String> {
    if !meta.labels.is_empty() {
        return meta.labels.clone();
    }
    header_text(message, "X-Gmail-Labels")
        .map(|v| {
            v.split(',')
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// The first text body (plain preferred; mail-parser renders an HTML-only body to text).
fn body(message: &Message<'_>) -> (String, BodyFormat, bool) {
    let Some(text) = message.body_text(0) else {
        return (String::new(), BodyFormat::None, false);
    };
    let format = match message.text_part(0) {
        Some(part) if part.is_text_html() => BodyFormat::Html,
        _ => BodyFormat::Plain,
    };
    let mut text = normalise_newlines(text);
    let truncated = truncate_utf8(&mut text, MAX_BODY_BYTES);
    (text, format, truncated)
}

fn normalise_newlines(text: Cow<'_, str>) -> String {
    if text.contains('\r') {
        text.replace("\r\n", "\n")
    } else {
        text.into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap()
    }

    #[test]
    fn plain_message_becomes_a_record() {
        let raw = b"From: \"Tom Anderson\" <Tom@AcmeCorp.example>\r\nTo: sarah@northwind.example\r\n\
Subject: Production Issue\r\nDate: Mon, 6 Jan 2025 22:47:00 -0500\r\nMessage-ID: <abc@acme>\r\n\r\nHelp!\r\n";
        let record = parse(raw, &SourceMeta::new(Source::Eml), now()).unwrap();
        assert_eq!(record.id, "abc@acme");
        assert_eq!(record.thread_id, "abc@acme");
        assert_eq!(
            record.from.as_ref().unwrap().address,
            "Tom@AcmeCorp.example"
        );
        assert_eq!(record.from.unwrap().name.as_deref(), Some("Tom Anderson"));
        assert_eq!(
            record.date.unwrap().to_rfc3339(),
            "2025-01-07T03:47:00+00:00"
        );
        assert_eq!(record.body_text.trim(), "Help!");
        assert_eq!(record.body_format, BodyFormat::Plain);
    }

    #[test]
    fn garbage_is_rejected_with_a_reason() {
        assert_eq!(
            parse(b"  \n", &SourceMeta::new(Source::Eml), now()),
            Err(ParseError::Empty)
        );
        let err = parse(
            b"just some text\nwithout headers\n",
            &SourceMeta::new(Source::Eml),
            now(),
        )
        .unwrap_err();
        assert!(
            matches!(err, ParseError::NoHeaders | ParseError::NotMime),
            "{err:?}"
        );
    }

    #[test]
    fn missing_message_id_gets_a_stable_digest_id() {
        let raw = b"From: a@b.example\r\nSubject: hi\r\n\r\nbody\r\n";
        let one = parse(raw, &SourceMeta::new(Source::Eml), now()).unwrap();
        let two = parse(raw, &SourceMeta::new(Source::Eml), now()).unwrap();
        assert!(one.id.starts_with("sha256:"));
        assert_eq!(one.id, two.id);
        assert_eq!(one.date, None);
    }

    #[test]
    fn replies_thread_on_their_first_reference() {
        let raw =
            b"From: a@b.example\r\nSubject: Re: x\r\nMessage-ID: <3@b>\r\nIn-Reply-To: <2@b>\r\n\
References: <1@b> <2@b>\r\n\r\nok\r\n";
        let record = parse(raw, &SourceMeta::new(Source::Eml), now()).unwrap();
        assert_eq!(record.thread_id, "1@b");
        assert_eq!(record.in_reply_to.as_deref(), Some("2@b"));
        assert_eq!(record.references, ["1@b", "2@b"]);
    }
}
