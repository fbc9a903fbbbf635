//! The dead-letter topic's contract: what a record on `emails-dlq` carries.
//!
//! Nothing is dropped silently: input the producers cannot parse and records the validator
//! rejects both land on the DLQ with the original bytes as the value (cut at
//! [`MAX_DLQ_VALUE_BYTES`]) and headers saying which stage rejected it and why.

use rdkafka::message::{Header, OwnedHeaders};

/// Header: `ingest` (a producer could not parse the input) or `validate` (a rule failed).
pub const HEADER_STAGE: &str = "mindy-stage";
/// Header: a short code for the failure, e.g. `parse.not_mime` or `from.address`.
pub const HEADER_RULE: &str = "mindy-rule";
/// Header: a human-readable reason.
pub const HEADER_REASON: &str = "mindy-reason";
/// Header: the producer's source (`gmail`, `mbox`, `eml`, `demo`) or the input topic.
pub const HEADER_SOURCE: &str = "mindy-source";
/// Header: where exactly: a file and message number, a Gmail id, or `partition/offset`.
pub const HEADER_SOURCE_REF: &str = "mindy-source-ref";
/// Header: present (`true`) when the value was cut to fit the broker's message size limit.
pub const HEADER_TRUNCATED: &str = "mindy-truncated";

/// The broker's default `message.max.bytes` is 1 MiB; leave room for headers and framing.
pub const MAX_DLQ_VALUE_BYTES: usize = 900 * 1024;

/// The stage that sent a record to the DLQ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// A producer could not turn the input into a record.
    Ingest,
    /// The validator rejected a record.
    Validate,
}

impl Stage {
    /// The header value.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Ingest => "ingest",
            Stage::Validate => "validate",
        }
    }
}

/// Why and where one dead letter was rejected.
#[derive(Debug, Clone)]
pub struct DeadLetter<'a> {
    /// Which stage rejected it.
    pub stage: Stage,
    /// Short code (`mindy-rule`).
    pub rule: &'a str,
    /// Human-readable reason (`mindy-reason`).
    pub reason: &'a str,
    /// Source or input topic (`mindy-source`).
    pub source: &'a str,
    /// Position in the source (`mindy-source-ref`).
    pub source_ref: &'a str,
}

impl DeadLetter<'_> {
    /// The value to send (cut to [`MAX_DLQ_VALUE_BYTES`]) and the headers describing it.
    pub fn encode<'v>(&self, value: &'v [u8]) -> (&'v [u8], OwnedHeaders) {
        let truncated = value.len() > MAX_DLQ_VALUE_BYTES;
        let value = &value[..value.len().min(MAX_DLQ_VALUE_BYTES)];
        let mut headers = OwnedHeaders::new_with_capacity(6)
            .insert(header(HEADER_STAGE, self.stage.as_str()))
            .insert(header(HEADER_RULE, self.rule))
            .insert(header(HEADER_REASON, self.reason))
            .insert(header(HEADER_SOURCE, self.source))
            .insert(header(HEADER_SOURCE_REF, self.source_ref));
        if truncated {
            headers = headers.insert(header(HEADER_TRUNCATED, "true"));
        }
        (value, headers)
    }
}

fn header<'a>(key: &'a str, value: &'a str) -> Header<'a, &'a str> {
    Header {
        key,
        value: Some(value),
    }
}

#[cfg(test)]
mod tests {
    use rdkafka::message::Headers;

    use super::*;

    #[test]
    fn big_values_are_cut_and_flagged() {
        let letter = DeadLetter {
            stage: Stage::Ingest,
            rule: "r",
            reason: "why",
            source: "eml",
            source_ref: "x.eml",
        };
        let big = vec![b'a'; MAX_DLQ_VALUE_BYTES + 10];
        let (value, headers) = letter.encode(&big);
        assert_eq!(value.len(), MAX_DLQ_VALUE_BYTES);
        assert_eq!(headers.count(), 6);
        let (_, small) = letter.encode(b"x");
        assert_eq!(small.count(), 5);
        assert_eq!(small.get(0).key, HEADER_STAGE);
    }
}
