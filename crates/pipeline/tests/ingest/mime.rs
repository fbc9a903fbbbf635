//! Real-world MIME from several mailers parses into records, or is dead-lettered with a reason.

use std::path::PathBuf;

use chrono::Utc;
use mindy_core::email::{BodyFormat, EmailRecord, Source};
use mindy_pipeline::mime::{self as email, ParseError, SourceMeta};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/mime")
        .join(name)
}

fn parse(name: &str) -> Result<EmailRecord, ParseError> {
    let raw = std::fs::read(fixture(name)).unwrap();
    email::parse(&raw, &SourceMeta::new(Source::Eml), Utc::now())
}

#[test]
fn outlook_multipart_alternative_quoted_printable_windows_1252() {
    let r = parse("outlook-alternative-qp-cp1252.eml").unwrap();
    assert_eq!(r.subject, "RE: Renewal – pricing “final” numbers");
    assert_eq!(r.body_format, BodyFormat::Plain);
    assert!(
        r.body_text.starts_with(
            "Hi Sarah – thanks for the “final” numbers. The 12% discount works for us"
        ),
        "{:?}",
        r.body_text
    );
    let from = r.from.unwrap();
    assert_eq!(
        (from.name.as_deref(), from.address.as_str()),
        (Some("O'Neil, Brenda"), "Brenda.ONeil@Contoso.example")
    );
    assert_eq!(r.cc[0].address, "marcus.reed@northwind.example");
    assert_eq!(r.date.unwrap().to_rfc3339(), "2025-10-06T13:12:43+00:00");
    assert_eq!(
        r.in_reply_to.as_deref(),
        Some("CAF=abc123@mail.northwind.example")
    );
    assert_eq!(r.thread_id, "CAF=abc123@mail.northwind.example");
}

#[test]
fn apple_mail_latin1_body_and_encoded_words() {
    let r = parse("apple-iso8859-1-encoded-words.eml").unwrap();
    assert_eq!(r.subject, "Reunión el jueves (café)");
    assert_eq!(r.from.unwrap().name.as_deref(), Some("José Álvarez"));
    assert!(
        r.body_text
            .contains("¿Podemos vernos el jueves para un café?"),
        "{:?}",
        r.body_text
    );
    assert_eq!(r.date.unwrap().to_rfc3339(), "2025-10-07T15:05:10+00:00");
}

#[test]
fn gmail_html_only_base64_is_rendered_to_text() {
    let r = parse("gmail-html-only-base64.eml").unwrap();
    assert_eq!(r.body_format, BodyFormat::Html);
    assert!(r.body_text.contains("Q4 deck"), "{:?}", r.body_text);
    assert!(r.body_text.contains("🎉"));
    assert!(!r.body_text.contains("<b>"));
    assert_eq!(r.date.unwrap().to_rfc3339(), "2025-10-08T15:02:11+00:00");
}

#[test]
fn thunderbird_attachment_names_follow_rfc_2231() {
    let r = parse("thunderbird-attachment-rfc2231.eml").unwrap();
    assert_eq!(r.attachments, ["Agenda Q4 – review.pdf"]);
    assert_eq!(
        r.body_text.trim_end(),
        "Hi Sarah, the agenda is attached.\n\nRobert"
    );
    assert_eq!(r.date.unwrap().to_rfc3339(), "2025-10-02T02:30:00+00:00");
}

#[test]
fn iso_2022_jp_headers_and_body_decode() {
    let r = parse("iso-2022-jp.eml").unwrap();
    assert_eq!(r.subject, "お見積もりの件");
    assert_eq!(r.from.unwrap().name.as_deref(), Some("田中 太郎"));
    assert!(
        r.body_text.contains("ご検討よろしくお願いします。"),
        "{:?}",
        r.body_text
    );
}

#[test]
fn a_missing_date_falls_back_to_received_or_stays_null() {
    let r = parse("missing-date-received.eml").unwrap();
    assert_eq!(r.date.unwrap().to_rfc3339(), "2025-10-04T06:15:00+00:00");
    let r = parse("missing-date-no-received.eml").unwrap();
    assert_eq!(r.date, None, "left for the validator's date rule");
    assert_eq!(r.id, "cron-1@legacy.example");
}

#[test]
fn binary_garbage_is_an_error_with_a_reason() {
    let err = parse("not-an-email.eml").unwrap_err();
    assert!(
        matches!(err, ParseError::NoHeaders | ParseError::NotMime),
        "{err:?}"
    );
    assert!(err.code().starts_with("parse."));
}
