//! CPU cost of reading mail (issue 14), without Kafka: an mbox of the demo persona's mail is
//! generated in memory (`--size-mb`, default 50), then timed in three stages, each over the whole
//! file and `--runs` times: framing only (`MboxReader`), framing and parsing (`mime::parse_noted`:
//! MIME, charsets, encoded words, addresses, dates), and both plus the record's JSON (what
//! `mindy ingest mbox` sends). Prints MB/s and messages/s per stage; `benches/ingest/run.sh`
//! measures the whole command against Kafka.
//!
//! Run with `cargo run --release -p mindy-pipeline --example ingest_parse [-- --size-mb 50 --runs 3]`.

use std::io::Cursor;
use std::time::Instant;

use chrono::{NaiveDate, Utc};
use clap::Parser;
use mindy_core::email::Source;
use mindy_pipeline::jobs::ingest::mbox::MboxReader;
use mindy_pipeline::mime::{self, SourceMeta};
use mindy_pipeline::persona::{self, PersonaOptions};

/// CPU cost of framing, parsing and serialising an mbox.
#[derive(Debug, Parser)]
struct Cli {
    /// Size of the generated mbox, in MB (10^6 bytes).
    #[arg(long, default_value_t = 50)]
    size_mb: u64,
    /// Runs per stage.
    #[arg(long, default_value_t = 3)]
    runs: u32,
}

fn generate(bytes: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes as usize + (1 << 20));
    let mut seed = 1;
    while (out.len() as u64) < bytes {
        let opts = PersonaOptions {
            until: NaiveDate::from_ymd_opt(2025, 10, 8).expect("a date"),
            days: 30,
            tz: chrono_tz::America::New_York,
            seed,
            not_after: None,
        };
        persona::write_mbox(&persona::mailbox(&opts), &mut out).expect("writing to memory");
        seed += 1;
    }
    out
}

/// Runs one stage over the whole mbox; returns (seconds, messages, records).
fn stage(mbox: &[u8], parse: bool, json: bool) -> (f64, u64, u64) {
    let started = Instant::now();
    let (mut messages, mut records, mut json_bytes) = (0u64, 0u64, 0usize);
    for message in MboxReader::new(Cursor::new(mbox)) {
        let message = message.expect("reading memory");
        messages += 1;
        if !parse {
            continue;
        }
        let meta = SourceMeta {
            mbox_from_date: message.from_date,
            ..SourceMeta::new(Source::Mbox)
        };
        if let Ok(parsed) = mime::parse_noted(&message.bytes, &meta, Utc::now()) {
            records += 1;
            if json {
                json_bytes += parsed.record.to_json().len();
            }
        }
    }
    std::hint::black_box(json_bytes);
    (started.elapsed().as_secs_f64(), messages, records)
}

fn main() {
    let cli = Cli::parse();
    let started = Instant::now();
    let mbox = generate(cli.size_mb * 1_000_000);
    let mb = mbox.len() as f64 / 1e6;
    println!(
        "mbox: {mb:.1} MB in memory, generated in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    for (name, parse, json) in [
        ("framing", false, false),
        ("framing + parsing", true, false),
        ("framing + parsing + JSON", true, true),
    ] {
        for run in 1..=cli.runs {
            let (secs, messages, records) = stage(&mbox, parse, json);
            println!(
                "{name} run {run}: {secs:.2} s, {:.1} MB/s, {:.0} messages/s ({messages} messages, {records} records)",
                mb / secs,
                messages as f64 / secs
            );
        }
    }
}
