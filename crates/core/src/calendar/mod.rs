//! Calendar events as the pipeline sees them: the versioned JSON record on the calendar topics
//! ([`record`], whose Spark schema is derived from the Rust type) and the rules a record must
//! meet ([`rules`]), which the validator and the stream's quarantine both apply.

pub mod record;
pub mod rules;

pub use record::{
    CalendarRecord, CalendarSource, EventStatus, Participant, RecordKind, Response, Snapshot,
    SCHEMA_VERSION,
};
pub use rules::{validate, Rejection, Rule};
