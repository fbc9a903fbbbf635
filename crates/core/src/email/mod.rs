//! Emails as the pipeline sees them: the versioned JSON record on the Kafka topics ([`record`],
//! whose Spark schema is derived from the Rust type) and the rules a record must meet
//! ([`rules`]), which the validator, the stream's quarantine and the quality job all apply.

pub mod address;
pub mod record;
pub mod rules;

pub use address::{canonical_address, canonical_domain, AddressError};
pub use record::{
    truncate_utf8, BodyFormat, DateSource, EmailRecord, Mailbox, Source, MAX_BODY_BYTES,
    SCHEMA_VERSION,
};
pub use rules::{validate, Rejection, Rule, Validated};
