//! RFC 5322 / MIME messages to [`EmailRecord`]s. The `mail-parser` crate reads the message's
//! structure and bodies (every charset, quoted-printable and base64, HTML rendered to text,
//! RFC 2231 file names); the header fields a record is made of are read here from the raw
//! header bytes, with the rules people's mail needs:
//!
//! - [`text`]: header bytes that are not UTF-8 decoded with the message's declared charset (then
//!   a counted guess), and RFC 2047 encoded-words joined before decoding;
//! - [`address`]: address lists with unquoted commas in names, groups and odd forms;
//! - [`date`]: RFC 5322 dates including the obsolete and off-standard forms; the record's
//!   `date_source` says whether its time came from `Date` or a fallback (Gmail's
//!   `internalDate`, the newest `Received`, the mbox `From ` line — in that order).
//!
//! Parsing is lenient by design: a message with a missing `From` or `Date` still becomes a
//! record (with `null` there) so the validator can reject it with a named rule. Only input that
//! is not an email at all fails here, and the producers send it to the DLQ with the reason.

pub mod address;
pub mod date;
pub mod text;

use std::borrow::Cow;
use std::fmt;

use chrono::{DateTime, Utc};
use mail_parser::{HeaderValue, Message, MessageParser, MimeHeaders};
use sha2::{Digest, Sha256};

use mindy_core::email::{
    canonical_address, truncate_utf8, BodyFormat, DateSource, EmailRecord, Mailbox, Source,
    MAX_BODY_BYTES, SCHEMA_VERSION,
};
use text::{unfold, HeaderDecoder};

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
    /// Gmail's `internalDate`: the first fallback when there is no readable `Date` header.
    pub internal_date: Option<DateTime<Utc>>,
    /// The date of the mbox `From ` separator line: the last fallback, after `Received`.
    pub mbox_from_date: Option<DateTime<Utc>>,
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
            internal_date: None,
            mbox_from_date: None,
            size_bytes: None,
        }
    }
}

/// A parsed message and what it took to read it.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The record.
    pub record: EmailRecord,
    /// Whether a charset had to be guessed for some of its text (8-bit header or body bytes
    /// with no declared charset, or one that did not fit them).
    pub charset_guessed: bool,
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
    parse_noted(raw, meta, ingested_at).map(|p| p.record)
}

/// [`parse`], also saying whether a charset had to be guessed.
pub fn parse_noted(
    raw: &[u8],
    meta: &SourceMeta,
    ingested_at: DateTime<Utc>,
) -> Result<Parsed, ParseError> {
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Err(ParseError::Empty);
    }
    let message = MessageParser::default()
        .parse(raw)
        .ok_or(ParseError::NotMime)?;
    let headers = Headers::of(&message, raw);
    if !["from", "to", "subject", "date", "message-id"]
        .iter()
        .any(|name| headers.first(name).is_some())
    {
        return Err(ParseError::NoHeaders);
    }
    let tld = headers.first("from").and_then(top_level_domain);
    let mut decoder = HeaderDecoder::for_message(declared_charset(&message), raw, tld);
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
        .or_else(|| headers.text("x-gm-thrid", &mut decoder))
        .or_else(|| references.first().cloned())
        .or_else(|| in_reply_to.clone())
        .unwrap_or_else(|| id.clone());
    let (body_text, body_format, body_truncated) = body(&message, raw, &mut decoder);
    let (date, date_source) = match sent_at(&headers, meta, &mut decoder) {
        Some((at, from)) => (Some(at), Some(from)),
        None => (None, None),
    };
    let record = EmailRecord {
        schema_version: SCHEMA_VERSION,
        id,
        thread_id,
        rfc822_message_id,
        source: meta.source,
        subject: headers
            .decoded("subject", &mut decoder)
            .map(|s| s.trim().to_string())
            .unwrap_or_default(),
        from: headers
            .all("from")
            .flat_map(|v| mailboxes(v, &mut decoder))
            .next(),
        to: headers
            .all("to")
            .flat_map(|v| mailboxes(v, &mut decoder))
            .collect(),
        cc: headers
            .all("cc")
            .flat_map(|v| mailboxes(v, &mut decoder))
            .collect(),
        date,
        date_source,
        in_reply_to,
        references,
        labels: labels(&headers, meta, &mut decoder),
        body_text,
        body_format,
        body_truncated,
        size_bytes: meta.size_bytes.unwrap_or(raw.len() as i64),
        attachments: message
            .attachments()
            .filter_map(|p| p.attachment_name().map(str::to_string))
            .collect(),
        list_unsubscribe: headers.text("list-unsubscribe", &mut decoder),
        list_id: headers.decoded("list-id", &mut decoder),
        precedence: headers.token("precedence", &mut decoder),
        auto_submitted: headers.token("auto-submitted", &mut decoder),
        ingested_at,
    };
    Ok(Parsed {
        record,
        charset_guessed: decoder.guesses > 0,
    })
}

/// The top-level header fields as raw (unfolded) bytes, in message order.
struct Headers<'a> {
    /// `(name, value)` pairs.
    fields: Vec<(&'a str, Cow<'a, [u8]>)>,
}

impl<'a> Headers<'a> {
    fn of(message: &'a Message<'_>, raw: &'a [u8]) -> Self {
        let fields = message
            .headers()
            .iter()
            .filter_map(|h| {
                let value = raw.get(h.offset_start as usize..h.offset_end as usize)?;
                Some((h.name.as_str(), unfold(value)))
            })
            .collect();
        Headers { fields }
    }

    /// Every value of the field `name` (case-insensitive), in message order.
    fn all<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s [u8]> + 's {
        self.fields
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref())
    }

    fn first(&self, name: &str) -> Option<&[u8]> {
        self.fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref())
    }

    /// The first value as text (charset rules), encoded-words left as they are; `None` when
    /// missing or blank.
    fn text(&self, name: &str, decoder: &mut HeaderDecoder) -> Option<String> {
        let value = decoder.raw_to_text(self.first(name)?).trim().to_string();
        (!value.is_empty()).then_some(value)
    }

    /// The first value as text with its encoded-words decoded.
    fn decoded(&self, name: &str, decoder: &mut HeaderDecoder) -> Option<String> {
        let value = decoder.raw_to_text(self.first(name)?).into_owned();
        let value = decoder.decode_words(&value).trim().to_string();
        (!value.is_empty()).then_some(value)
    }

    /// The first value's leading token (before any `;` parameters), lower-cased.
    fn token(&self, name: &str, decoder: &mut HeaderDecoder) -> Option<String> {
        let value = self.text(name, decoder)?;
        let token = value.split(';').next().unwrap_or_default().trim();
        (!token.is_empty()).then(|| token.to_lowercase())
    }
}

/// The charset the message declares: the top-level `Content-Type`'s, else the first text
/// part's.
fn declared_charset<'a>(message: &'a Message<'_>) -> Option<&'a str> {
    message
        .parts
        .iter()
        .filter_map(|p| p.content_type())
        .filter(|ct| ct.ctype().eq_ignore_ascii_case("text"))
        .find_map(|ct| ct.attribute("charset"))
}

/// The top-level domain of the last address in a raw `From` value (`fr` of `<a@b.fr>`): a
/// hint for charset guessing.
fn top_level_domain(from: &[u8]) -> Option<&[u8]> {
    let at = from.iter().rposition(|b| *b == b'@')?;
    let domain = &from[at + 1..];
    let end = domain
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || *b == b'.' || *b == b'-'))
        .unwrap_or(domain.len());
    let domain = domain[..end].strip_suffix(b".").unwrap_or(&domain[..end]);
    let tld = domain.rsplit(|b| *b == b'.').next()?;
    (tld.len() >= 2 && tld.iter().all(u8::is_ascii_alphabetic)).then_some(tld)
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

/// The mailboxes of one address-list header value, each with its canonical form (`None` when
/// the address has none: the validator then names the problem).
fn mailboxes(value: &[u8], decoder: &mut HeaderDecoder) -> Vec<Mailbox> {
    let text = decoder.raw_to_text(value).into_owned();
    address::parse_list(&text, decoder)
        .into_iter()
        .map(|w| Mailbox {
            canonical: canonical_address(&w.address).ok(),
            name: w.name,
            address: w.address,
        })
        .collect()
}

/// The sent time and where it came from: the first readable `Date` header; else Gmail's
/// `internalDate`; else the newest (topmost) readable `Received` date; else the mbox `From `
/// line's date.
fn sent_at(
    headers: &Headers<'_>,
    meta: &SourceMeta,
    decoder: &mut HeaderDecoder,
) -> Option<(DateTime<Utc>, DateSource)> {
    let mut read = |value: &[u8]| date::parse(&decoder.raw_to_text(value));
    if let Some(at) = headers.all("date").find_map(&mut read) {
        return Some((at, DateSource::Header));
    }
    if let Some(at) = meta.internal_date {
        return Some((at, DateSource::InternalDate));
    }
    let received = headers
        .all("received")
        .find_map(|v| v.rsplit(|b| *b == b';').next().and_then(&mut read));
    if let Some(at) = received {
        return Some((at, DateSource::Received));
    }
    meta.mbox_from_date.map(|at| (at, DateSource::MboxFrom))
}

/// The source's labels, else Takeout's `X-Gmail-Labels` (comma-separated, quotes respected).
fn labels(headers: &Headers<'_>, meta: &SourceMeta, decoder: &mut HeaderDecoder) -> Vec<String> {
    if !meta.labels.is_empty() {
        return meta.labels.clone();
    }
    let Some(value) = headers.decoded("x-gmail-labels", decoder) else {
        return Vec::new();
    };
    let mut labels = Vec::new();
    let (mut current, mut quoted) = (String::new(), false);
    for c in value.chars().chain([',']) {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                let label = current.trim();
                if !label.is_empty() {
                    labels.push(label.to_string());
                }
                current.clear();
            }
            _ => current.push(c),
        }
    }
    labels
}

/// The first text body (plain preferred; mail-parser renders an HTML-only body to text). An
/// 8-bit plain body that declares no charset and is not UTF-8 is decoded with a guessed
/// charset (as headers are) instead of mail-parser's lossy UTF-8.
fn body(
    message: &Message<'_>,
    raw: &[u8],
    decoder: &mut HeaderDecoder,
) -> (String, BodyFormat, bool) {
    let Some(text) = message.body_text(0) else {
        return (String::new(), BodyFormat::None, false);
    };
    let part = message.text_part(0);
    let format = match part {
        Some(part) if part.is_text_html() => BodyFormat::Html,
        _ => BodyFormat::Plain,
    };
    let undeclared_8bit = part.filter(|p| {
        format == BodyFormat::Plain
            && p.encoding == mail_parser::Encoding::None
            && p.content_type()
                .and_then(|c| c.attribute("charset"))
                .is_none()
    });
    let text = match undeclared_8bit {
        Some(p) if text.contains('\u{fffd}') => {
            let bytes = raw
                .get(p.offset_body as usize..p.offset_end as usize)
                .unwrap_or_default();
            Cow::Owned(decoder.raw_to_text(bytes).into_owned())
        }
        _ => text,
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
        chrono::TimeZone::with_ymd_and_hms(&Utc, 2025, 1, 1, 0, 0, 0).unwrap()
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
