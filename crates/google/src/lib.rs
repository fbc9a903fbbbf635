//! Google APIs as Mini-Mindy uses them, shared by the pipeline's producers (`mindy ingest gmail`,
//! `mindy ingest google-calendar`, `mindy auth`) and the API's actions (Gmail
//! `users.messages.send`, Calendar `events.insert`/`events.patch`):
//!
//! - [`auth`]: the OAuth2 client's credentials, the installed-app consent flow, and the token
//!   file (mode 0600, replaced atomically) that a background process only refreshes.
//! - [`client`]: one hyper client on rustls with the ring provider (plain `http://` too, which
//!   is how tests point the production hubs at local servers speaking Google's JSON), the
//!   Gmail and Calendar hubs on it, a retry delegate honouring `Retry-After` on 429/5xx and
//!   403 rate-limit answers, and a token-bucket quota limiter.
//!
//! The scopes are Google's, named here once: each caller asks only for what it needs.

pub mod auth;
pub mod client;

/// Read-only access to mail and its metadata (`mindy ingest gmail`).
pub const GMAIL_READONLY: &str = "https://www.googleapis.com/auth/gmail.readonly";
/// Sending mail as the user, nothing else (the API's confirmed replies and reminders).
pub const GMAIL_SEND: &str = "https://www.googleapis.com/auth/gmail.send";
/// Read-only access to calendars and events (`mindy ingest google-calendar`).
pub const CALENDAR_READONLY: &str = "https://www.googleapis.com/auth/calendar.readonly";
/// Creating and changing events on the user's calendars (the API's confirmed calls).
pub const CALENDAR_EVENTS: &str = "https://www.googleapis.com/auth/calendar.events";

/// What setting up a Google client can fail with (the calls themselves fail with the hubs'
/// own `google_apis_common::Error`).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The OAuth2 flow or a token refresh failed.
    #[error("oauth2: {0}")]
    Auth(String),
    /// The client credentials are missing or cannot be used.
    #[error("{0}")]
    Invalid(String),
    /// A local file (client secret, token) could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// Result alias for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
