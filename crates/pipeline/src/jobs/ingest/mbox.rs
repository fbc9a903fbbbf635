//! `mindy ingest mbox`: mailbox files as exporters write them — mboxo, mboxrd, Google Takeout.
//!
//! **Framing.** A line is a message separator only when it starts the file or follows a blank
//! line, reads `From <token> <date>` with a complete date (mutt's `is_from`: asctime order, with
//! or without a zone, e.g. Takeout's `From 1781234567890123456@xxx Mon Jan 06 09:12:00 +0000
//! 2025`, Thunderbird's `From - Mon Jan 06 09:12:00 2025`), and is followed by a header line
//! (Thunderbird's extra check). Anything else that starts with `From ` — an unescaped body
//! line like `From what I can tell, …` — stays in the body. The blank line before a separator
//! belongs to the mbox, not to the message, and is removed (so is the one ending the file).
//!
//! **Unescaping.** Lines matching `>+From ` lose one `>` (the mboxrd rule, also right for every
//! line an mboxo writer escaped; the one case no reader can undo is an mboxo body line that
//! really began with `>From `). `Content-Length` (mboxcl) is not trusted: the framing above
//! does not need it and exporters get it wrong.
//!
//! Each message becomes exactly one record or one dead letter; the separator line's date is the
//! record's last-resort date (`date_source: mbox_from`). Files are read on a plain thread,
//! parsed on parser threads and sent in file order through small bounded channels
//! ([`super::disk`]), so memory stays flat on multi-gigabyte exports. Takeout's `X-GM-THRID` and
//! `X-Gmail-Labels` become the thread id and labels (in [`crate::mime`]).

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::Args;

use super::disk::{ingest_files, Feed, RawMessage};
use super::{progress, IngestReport};
use crate::mime::{date, SourceMeta};
use crate::shutdown::Shutdown;
use crate::{Error, Result};
use mindy_core::config::{KafkaArgs, TopicArgs};
use mindy_core::email::Source;

/// Settings of `mindy ingest mbox`.
#[derive(Debug, Clone, Args)]
pub struct MboxConfig {
    /// Kafka connection.
    #[command(flatten)]
    pub kafka: KafkaArgs,
    /// Topics.
    #[command(flatten)]
    pub topics: TopicArgs,
    /// mbox files to read, in order.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

/// Reads every message of the mbox files into the emails topic.
pub async fn run_mbox(config: &MboxConfig, shutdown: Shutdown) -> Result<IngestReport> {
    let total: u64 = config
        .files
        .iter()
        .map(|f| std::fs::metadata(f).map(|m| m.len()).unwrap_or(0))
        .sum();
    let files = config.files.clone();
    ingest_files(
        move |feed| read_mboxes(&files, feed),
        &config.kafka,
        &config.topics,
        Source::Mbox,
        progress(Some(total), "mbox"),
        &shutdown,
    )
    .await
}

fn read_mboxes(files: &[PathBuf], feed: &mut Feed) -> Result<()> {
    for path in files {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        let messages = MboxReader::new(BufReader::with_capacity(1 << 20, file));
        for (n, message) in messages.enumerate() {
            let message = message.map_err(|e| Error::io(path, e))?;
            let mut meta = SourceMeta::new(Source::Mbox);
            meta.mbox_from_date = message.from_date;
            let raw = RawMessage {
                bytes: message.bytes,
                source_ref: format!("{}#{}", path.display(), n + 1),
                meta,
            };
            if !feed.send(raw, message.consumed) {
                return Ok(());
            }
        }
    }
    Ok(())
}

/// One message of an mbox file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MboxMessage {
    /// The message's bytes, separator and mbox blank line removed, `>From` unescaped.
    pub bytes: Vec<u8>,
    /// The date on its `From ` separator line (UTC when the line has no zone), if readable.
    pub from_date: Option<DateTime<Utc>>,
    /// Bytes of the file this message took, separator and blank line included.
    pub consumed: u64,
}

/// The messages of an mbox, one at a time (module docs for the framing rules).
pub struct MboxReader<R> {
    /// The file.
    input: R,
    /// A line read ahead (to see whether a `From ` line is followed by a header).
    peeked: Option<Vec<u8>>,
    /// The separator that starts the next message, once seen, and its date.
    separator: Option<(Vec<u8>, DateTime<Utc>)>,
    /// Whether the next line may be a separator: at the start, or after a blank line.
    after_blank: bool,
    /// The input is exhausted.
    done: bool,
    /// The line buffer, reused from line to line and message to message (a fresh `Vec` per line
    /// was a tenth of the parse benchmark's samples, in `realloc`).
    scratch: Vec<u8>,
}

impl<R: BufRead> MboxReader<R> {
    /// A reader at the start of an mbox.
    pub fn new(input: R) -> Self {
        MboxReader {
            input,
            peeked: None,
            separator: None,
            after_blank: true,
            done: false,
            scratch: Vec::with_capacity(256),
        }
    }

    /// Reads the next line (the one read ahead first) into `line`, replacing what it held;
    /// false at the end of the input.
    fn read_line(&mut self, line: &mut Vec<u8>) -> io::Result<bool> {
        if let Some(peeked) = self.peeked.take() {
            *line = peeked;
            return Ok(true);
        }
        line.clear();
        Ok(self.input.read_until(b'\n', line)? > 0)
    }

    /// The date of `line` (which may start a message) when it is a separator: `From <token>
    /// <date>` and a header line next.
    fn separator(&mut self, line: &[u8]) -> io::Result<Option<DateTime<Utc>>> {
        if !self.after_blank || !line.starts_with(b"From ") {
            return Ok(None);
        }
        let Some(date) = separator_date(line) else {
            return Ok(None);
        };
        let mut next = Vec::new();
        let more = self.read_line(&mut next)?;
        let header_follows = more && is_header_line(&next);
        self.peeked = more.then_some(next);
        Ok(header_follows.then_some(date))
    }

    fn next_message(&mut self) -> io::Result<Option<MboxMessage>> {
        let mut separator = self.separator.take();
        let mut bytes = Vec::with_capacity(4096);
        let mut consumed = separator.as_ref().map_or(0, |(s, _)| s.len() as u64);
        let mut last_blank = 0; // length of the last line if it was blank
        let mut line = std::mem::take(&mut self.scratch);
        while self.read_line(&mut line)? {
            if let Some(date) = self.separator(&line)? {
                // The separator keeps its line: the next one gets a buffer of its own.
                let separator_line = std::mem::take(&mut line);
                if separator.is_none() && bytes.iter().all(u8::is_ascii_whitespace) {
                    // The file's first separator: this message starts here.
                    consumed += separator_line.len() as u64;
                    separator = Some((separator_line, date));
                    bytes.clear();
                    self.after_blank = false;
                    continue;
                }
                self.separator = Some((separator_line, date));
                self.after_blank = false;
                bytes.truncate(bytes.len() - last_blank);
                return Ok(Some(finish(bytes, separator, consumed)));
            }
            consumed += line.len() as u64;
            let blank = line == b"\n" || line == b"\r\n";
            self.after_blank = blank;
            last_blank = if blank { line.len() } else { 0 };
            let escaped = line.first() == Some(&b'>') && is_escaped_from(&line);
            bytes.extend_from_slice(&line[usize::from(escaped)..]);
        }
        self.scratch = line;
        self.done = true;
        if separator.is_none() && bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        bytes.truncate(bytes.len() - last_blank);
        Ok(Some(finish(bytes, separator, consumed)))
    }
}

/// The message of `bytes`, with the date its separator carried (read once, when the separator
/// was recognised).
fn finish(
    bytes: Vec<u8>,
    separator: Option<(Vec<u8>, DateTime<Utc>)>,
    consumed: u64,
) -> MboxMessage {
    MboxMessage {
        bytes,
        from_date: separator.map(|(_, date)| date),
        consumed,
    }
}

impl<R: BufRead> Iterator for MboxReader<R> {
    type Item = io::Result<MboxMessage>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        self.next_message().transpose()
    }
}

/// The date of a `From <token> <date>` line; `None` when the line is not one.
fn separator_date(line: &[u8]) -> Option<DateTime<Utc>> {
    let text = std::str::from_utf8(line.strip_prefix(b"From ")?)
        .ok()?
        .trim();
    // UUCP's "remote from host" suffix is not part of the date.
    let text = text.split(" remote from ").next().unwrap_or(text);
    let after_token = text.split_once(char::is_whitespace).map(|(_, d)| d);
    after_token
        .and_then(date::parse)
        .or_else(|| date::parse(text))
}

/// `Name:` at the start of the line (a header field), or a folded continuation.
fn is_header_line(line: &[u8]) -> bool {
    let name_len = line
        .iter()
        .take_while(|b| (b'!'..=b'~').contains(*b) && **b != b':')
        .count();
    name_len > 0 && line.get(name_len) == Some(&b':')
}

/// `>From `, `>>From `, …: a body line an mbox writer escaped.
fn is_escaped_from(line: &[u8]) -> bool {
    let quotes = line.iter().take_while(|b| **b == b'>').count();
    quotes > 0 && line[quotes..].starts_with(b"From ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(mbox: &[u8]) -> Vec<MboxMessage> {
        MboxReader::new(mbox).collect::<io::Result<_>>().unwrap()
    }

    fn texts(mbox: &[u8]) -> Vec<String> {
        messages(mbox)
            .into_iter()
            .map(|m| String::from_utf8(m.bytes).unwrap())
            .collect()
    }

    #[test]
    fn body_lines_starting_with_from_stay_in_the_body() {
        let mbox = b"From kofi@example.org Mon Jan  6 09:12:00 2025\nSubject: a\n\nText\nFrom what I can tell, fine.\n\nFrom my side, yes.\n\nFrom billing@example.org Mon Jan  6 12:00:00 2025\nSubject: b\n\nInvoice\n";
        assert_eq!(
            texts(mbox),
            [
                "Subject: a\n\nText\nFrom what I can tell, fine.\n\nFrom my side, yes.\n",
                "Subject: b\n\nInvoice\n"
            ]
        );
    }

    #[test]
    fn a_separator_needs_a_date_and_a_header_after_it() {
        // A real-looking separator followed by body text is body text.
        let mbox = b"From a@example.org Mon Jan  6 09:12:00 2025\nSubject: a\n\nquote:\n\nFrom b@example.org Mon Jan  6 09:00:00 2025\nwrote something\n";
        assert_eq!(messages(mbox).len(), 1);
    }

    #[test]
    fn escaped_from_lines_lose_one_quote() {
        let mbox = b"From a@example.org Mon Jan  6 09:12:00 2025\nSubject: a\n\n>From here\n>>From there\n> From kept\n";
        assert_eq!(
            texts(mbox),
            ["Subject: a\n\nFrom here\n>From there\n> From kept\n"]
        );
    }

    #[test]
    fn takeout_and_thunderbird_separators_and_crlf() {
        let mbox = b"From 1781234567890123456@xxx Mon Jan 06 09:12:00 +0100 2025\r\nX-GM-THRID: 1\r\nSubject: a\r\n\r\nx\r\n\r\nFrom - Mon Jan 06 10:00:00 2025\r\nSubject: b\r\n\r\ny\r\n";
        let got = messages(mbox);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].bytes, b"X-GM-THRID: 1\r\nSubject: a\r\n\r\nx\r\n");
        assert_eq!(
            got[0].from_date.unwrap().to_rfc3339(),
            "2025-01-06T08:12:00+00:00"
        );
        assert_eq!(got[1].bytes, b"Subject: b\r\n\r\ny\r\n");
        let consumed: u64 = got.iter().map(|m| m.consumed).sum();
        assert_eq!(consumed, mbox.len() as u64);
    }

    #[test]
    fn content_before_the_first_separator_is_a_message_and_empty_files_have_none() {
        assert_eq!(texts(b"Subject: x\n\nbody\n").len(), 1);
        assert!(texts(b"").is_empty());
        assert!(texts(b"\n\n").is_empty());
    }
}
