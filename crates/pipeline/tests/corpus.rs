//! The mail corpus (issue 14): every input under `tests/corpus/` through the production path —
//! mbox framing, the Gmail answer decoding, the MIME parser, then the validator's rules and
//! normalisation — compared with the expected outcome beside it. No stack needed.
//!
//! A fixture is one file pair, no code:
//! - the input: `NAME.eml` (one message), `NAME.mbox` (a mailbox) or `NAME.gmail.json` (the body
//!   of a Gmail `messages.get?format=raw` answer);
//! - `NAME.expected.json`: the outcome (an array of outcomes for an mbox, one per message).
//!
//! An outcome is `{"record": {...}}` — the validated, normalised record, every field but
//! `ingested_at` — with `"charset_guessed": true` when a charset had to be guessed; or `{"dead_letter": "RULE"}` (the producer's DLQ rule) or `{"rejected": "RULE"}`
//! (the validator's). Records are compared whole, so a fixture catches any field gone wrong.
//!
//! `MINDY_CORPUS_BLESS=1 cargo test -p mindy-pipeline --test corpus` writes the expected files
//! that are missing, from what the code does now: read each one before committing it.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use mindy_core::email::{rules, Source};
use mindy_pipeline::jobs::ingest::gmail;
use mindy_pipeline::jobs::ingest::mbox::MboxReader;
use mindy_pipeline::mime::{self, SourceMeta};
use serde_json::{json, Value};

/// Every fixture's input, sorted.
fn inputs() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if kind(&path).is_some() {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&corpus_dir(), &mut out);
    out.sort();
    out
}

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

/// The input's kind and its name without the extension.
fn kind(path: &Path) -> Option<(&'static str, String)> {
    let name = path.file_name()?.to_str()?;
    [(".gmail.json", "gmail"), (".eml", "eml"), (".mbox", "mbox")]
        .into_iter()
        .find_map(|(ext, kind)| name.strip_suffix(ext).map(|stem| (kind, stem.to_string())))
}

fn expected_path(input: &Path) -> PathBuf {
    let (_, stem) = kind(input).unwrap();
    input.with_file_name(format!("{stem}.expected.json"))
}

/// When every record is stamped as read, so outcomes are exact.
fn ingested_at() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// The outcome of one message: parse, then the validator.
fn outcome(raw: &[u8], meta: &SourceMeta) -> Value {
    let parsed = match mime::parse_noted(raw, meta, ingested_at()) {
        Ok(parsed) => parsed,
        Err(e) => return json!({ "dead_letter": e.code() }),
    };
    let validated = rules::validate_at(&parsed.record.to_json(), ingested_at());
    let record = match validated {
        Ok(valid) => valid.record,
        Err(rejection) => return json!({ "rejected": rejection.rule.name() }),
    };
    let mut record = serde_json::to_value(record).unwrap();
    record.as_object_mut().unwrap().remove("ingested_at");
    let mut out = json!({ "record": record });
    if parsed.charset_guessed {
        out["charset_guessed"] = json!(true);
    }
    out
}

/// What the production path makes of one input file.
fn run(input: &Path) -> Value {
    let bytes = std::fs::read(input).unwrap();
    match kind(input).unwrap().0 {
        "eml" => outcome(&bytes, &SourceMeta::new(Source::Eml)),
        "mbox" => Value::Array(
            MboxReader::new(&bytes[..])
                .map(|message| {
                    let message = message.unwrap();
                    let mut meta = SourceMeta::new(Source::Mbox);
                    meta.mbox_from_date = message.from_date;
                    outcome(&message.bytes, &meta)
                })
                .collect(),
        ),
        "gmail" => {
            let body = String::from_utf8(bytes).unwrap();
            match gmail::decode_message(&body) {
                Err(_) => json!({ "dead_letter": "gmail.undecodable" }),
                Ok(message) => match gmail::parser_input(message) {
                    None => json!({ "dead_letter": "gmail.no_raw" }),
                    Some((raw, meta)) => outcome(&raw, &meta),
                },
            }
        }
        _ => unreachable!(),
    }
}

#[test]
fn every_fixture_gives_its_expected_outcome() {
    let bless = std::env::var_os("MINDY_CORPUS_BLESS").is_some();
    let inputs = inputs();
    assert!(
        bless || inputs.len() >= 20,
        "the corpus has {} inputs",
        inputs.len()
    );
    let mut failures = Vec::new();
    for input in &inputs {
        let actual = run(input);
        let expected_path = expected_path(input);
        let name = input
            .strip_prefix(corpus_dir())
            .unwrap()
            .display()
            .to_string();
        let Ok(text) = std::fs::read_to_string(&expected_path) else {
            if bless {
                let pretty = serde_json::to_string_pretty(&actual).unwrap() + "\n";
                std::fs::write(&expected_path, pretty).unwrap();
                eprintln!(
                    "wrote {}: read it before committing",
                    expected_path.display()
                );
            } else {
                failures.push(format!("{name}: no {}", expected_path.display()));
            }
            continue;
        };
        let expected: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{}: {e}", expected_path.display()));
        if actual != expected {
            failures.push(format!(
                "{name}:\n  expected {}\n  actual   {}",
                serde_json::to_string(&expected).unwrap(),
                serde_json::to_string(&actual).unwrap()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixtures differ:\n{}",
        failures.len(),
        inputs.len(),
        failures.join("\n")
    );
}

#[test]
fn no_record_in_the_corpus_carries_a_replacement_character() {
    for input in inputs() {
        let text = run(&input).to_string();
        assert!(
            !text.contains('\u{fffd}'),
            "{}: U+FFFD in {text}",
            input.display()
        );
    }
}
