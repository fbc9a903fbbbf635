//! Ingestion and validation against the local stack's Kafka (issue 4): producers' records and
//! keys, validator routing, exactly-once across a SIGKILL, the Gmail client against a local
//! server speaking the Gmail API, the Google Calendar client against one speaking the Calendar API,
//! and real-world MIME.
//!
//! Every test creates its own topics (`unique` names, deleted at the end), so tests run in
//! parallel. Locations come from `.stack/env`; a missing stack fails the tests loudly.

mod ingest {
    pub mod exactly_once;
    pub mod gmail;
    pub mod google_calendar;
    pub mod mime;
    pub mod producers;
    pub mod util;
    pub mod validator;
}
