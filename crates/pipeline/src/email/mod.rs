//! Emails as the pipeline sees them: the versioned JSON record ([`record`]) and the MIME parser
//! that builds it from raw RFC 5322 bytes ([`parse`]).

pub mod parse;
pub mod record;

pub use parse::{parse, ParseError, SourceMeta};
pub use record::{BodyFormat, EmailRecord, Mailbox, Source, SCHEMA_VERSION};
