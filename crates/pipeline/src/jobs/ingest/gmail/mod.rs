//! `mindy ingest gmail`: the user's Gmail into `emails-topic`.
//!
//! First run (no stored history id): `users.getProfile` for the current history id, then
//! `messages.list` with `after:<now - backfill>` (24 hours by default), page by page. Later runs:
//! `history.list` from the stored id (`messageAdded` only); a 404 means Google expired the id
//! (about a week) and the run falls back to the full sync. Messages are fetched with
//! `format=raw` through a quota limiter (`messages.get` costs 5 of the 15,000 units a user may
//! spend per minute) with bounded concurrency, and parsed like any other mail. The new history id
//! is saved only after every record is acknowledged by Kafka, so a crash repeats work (same keys)
//! instead of losing mail.
//!
//! **One bad message never stops the mailbox.** A message whose answer cannot be decoded is
//! first recovered from the answer's JSON ([`decode_message`]: `raw` is base64url, padded or
//! not — google-gmail1 rejects unpadded `raw` and would fail the whole response); if that fails
//! too, or Gmail refuses the message itself (a 4xx other than 401/403/429), it goes to the DLQ
//! with its Gmail id as `mindy-source-ref` (`gmail.undecodable`, `gmail.fetch`) and the sync
//! goes on and saves its history id. A message that still fails after the retries for a
//! transient reason (5xx, 429, connection) fails the sync without saving the history id — the
//! next sync fetches it again — and after [`MAX_FAILED_SYNCS`] syncs in a row failing on it, it
//! is dead-lettered too (`gmail.fetch`), so no message can hold the mailbox back for ever.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;
use chrono::{TimeZone, Utc};
use clap::Args;
use futures::stream::{self, StreamExt};
use google_gmail1::api::{Message, Scope};
use google_gmail1::Gmail;
use serde::{Deserialize, Serialize};

use super::{finish, progress, EmailSink, IngestReport};
use crate::mime::SourceMeta;
use crate::shutdown::Shutdown;
use crate::{Error, Result};
use mindy_core::config::{KafkaArgs, TopicArgs};
use mindy_core::email::Source;

pub mod auth;
pub mod client;

pub use auth::GmailAuthArgs;
use client::{Connector, Quota, Retrying};

/// Settings of `mindy ingest gmail`.
#[derive(Debug, Clone, Args)]
pub struct GmailConfig {
    /// Kafka connection.
    #[command(flatten)]
    pub kafka: KafkaArgs,
    /// Topics.
    #[command(flatten)]
    pub topics: TopicArgs,
    /// OAuth client and token file.
    #[command(flatten)]
    pub auth: GmailAuthArgs,
    /// Where the last history id is kept. Default: ~/.local/state/mini-mindy/gmail-state.json.
    #[arg(long, env = "MINDY_GMAIL_STATE_FILE")]
    pub state_file: Option<PathBuf>,
    /// Sync once and exit, instead of every --interval-minutes.
    #[arg(long)]
    pub once: bool,
    /// Minutes between incremental syncs.
    #[arg(long, env = "MINDY_GMAIL_INTERVAL_MINUTES", default_value_t = 5)]
    pub interval_minutes: u64,
    /// How far back the first (full) sync reads.
    #[arg(long, default_value_t = 24)]
    pub backfill_hours: u32,
    /// Concurrent `messages.get` calls at most.
    #[arg(long, default_value_t = 10)]
    pub concurrency: usize,
    /// Quota units per minute to stay under (Gmail's per-user limit is 15,000).
    #[arg(long, default_value_t = client::DEFAULT_QUOTA_PER_MINUTE)]
    pub quota_per_minute: u32,
    /// Retries per call on 429, 5xx and connection errors.
    #[arg(long, default_value_t = 5)]
    pub max_retries: u32,
    /// Gmail API base URL (tests point it at a local server).
    #[arg(
        long,
        env = "MINDY_GMAIL_API_URL",
        default_value = "https://gmail.googleapis.com/",
        hide = true
    )]
    pub api_url: String,
    /// The mailbox: `me` is the authorised user.
    #[arg(long, default_value = "me")]
    pub user: String,
}

impl GmailConfig {
    /// The state file, defaulting under `$XDG_STATE_HOME` or `~/.local/state`.
    pub fn state_path(&self) -> PathBuf {
        self.state_file.clone().unwrap_or_else(|| {
            std::env::var_os("XDG_STATE_HOME")
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))
                .unwrap_or_else(|| PathBuf::from("."))
                .join("mini-mindy")
                .join("gmail-state.json")
        })
    }
}

/// What is remembered between runs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncState {
    /// Gmail history id to sync from next time.
    pub history_id: Option<u64>,
    /// When the last sync finished.
    pub synced_at: Option<chrono::DateTime<Utc>>,
    /// Messages whose fetch failed for a transient reason, with how many syncs in a row did.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub failing: BTreeMap<String, u32>,
}

/// Syncs in a row a message may fail to fetch for a transient reason before it is
/// dead-lettered (`gmail.fetch`) and the mailbox moves on.
pub const MAX_FAILED_SYNCS: u32 = 3;

impl SyncState {
    /// Reads the state file; a missing file is a first run.
    pub fn load(path: &Path) -> Result<Self> {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                Error::invalid(format!("{}: unreadable sync state: {e}", path.display()))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(Error::io(path, e)),
        }
    }

    /// Writes the state file atomically.
    pub fn save(&self, path: &Path) -> Result<()> {
        let json = serde_json::to_vec_pretty(self).expect("state serializes");
        auth::write_private(path, &json).map_err(|e| Error::io(path, e))
    }
}

/// How one sync found its messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncKind {
    /// `messages.list` over the backfill window.
    Full,
    /// `history.list` from the stored id.
    Incremental,
}

/// The Gmail client and what every sync needs.
struct Syncer {
    /// The API hub.
    hub: Gmail<Connector>,
    /// Settings.
    config: GmailConfig,
    /// Quota limiter shared by all calls.
    quota: Arc<Quota>,
}

/// Runs one sync (`--once`) or syncs every `--interval-minutes` until `shutdown`.
pub async fn run(config: &GmailConfig, shutdown: Shutdown) -> Result<IngestReport> {
    let authenticator = auth::authenticator(&config.auth, false).await?;
    let syncer = Syncer {
        hub: client::hub(authenticator, &config.api_url)?,
        config: config.clone(),
        quota: Arc::new(Quota::new(config.quota_per_minute)),
    };
    let mut sink = EmailSink::open(&config.kafka, &config.topics, Source::Gmail).await?;
    loop {
        let (kind, fetched) = syncer.sync(&mut sink).await?;
        tracing::info!(?kind, fetched, "gmail sync done");
        if config.once || shutdown.is_triggered() {
            break;
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(config.interval_minutes.max(1) * 60)) => {}
            _ = shutdown.wait() => break,
        }
    }
    finish(sink, Source::Gmail, &config.topics).await
}

impl Syncer {
    /// One sync: list what is new, fetch and produce it, then save the new history id.
    async fn sync(&self, sink: &mut EmailSink) -> Result<(SyncKind, usize)> {
        let state_path = self.config.state_path();
        let state = SyncState::load(&state_path)?;
        let (kind, ids, history_id) = match state.history_id {
            Some(from) => match self.history(from).await? {
                Some((ids, latest)) => (SyncKind::Incremental, ids, latest.max(from)),
                None => {
                    tracing::warn!(
                        history_id = from,
                        "gmail: stored history id expired; running a full sync"
                    );
                    self.full().await?
                }
            },
            None => self.full().await?,
        };
        let fetched = ids.len();
        let failed = self.fetch_all(ids, sink).await?;
        sink.flush().await?;
        let mut failing = BTreeMap::new();
        let mut first_error = None;
        for (id, error) in failed {
            let syncs = state.failing.get(&id).copied().unwrap_or(0) + 1;
            if syncs >= MAX_FAILED_SYNCS {
                let reason = format!("messages.get failed {syncs} syncs in a row: {error}");
                sink.send_dead_letter(b"", "gmail.fetch", &reason, &id)
                    .await?;
            } else {
                tracing::warn!(id, syncs, %error, "gmail: message not fetched; the sync will be repeated");
                failing.insert(id, syncs);
                first_error.get_or_insert(error);
            }
        }
        sink.flush().await?;
        let history_id = if failing.is_empty() {
            Some(history_id)
        } else {
            state.history_id
        };
        SyncState {
            history_id,
            synced_at: Some(Utc::now()),
            failing,
        }
        .save(&state_path)?;
        match first_error {
            Some(error) => Err(error),
            None => Ok((kind, fetched)),
        }
    }

    /// Message ids of the backfill window, and the history id to continue from.
    async fn full(&self) -> Result<(SyncKind, Vec<String>, u64)> {
        self.quota.acquire(client::COST_PROFILE).await;
        let mut retry = self.retrying();
        let (_, profile) = self
            .hub
            .users()
            .get_profile(&self.config.user)
            .add_scope(Scope::Readonly)
            .delegate(&mut retry)
            .doit()
            .await?;
        let history_id = profile
            .history_id
            .ok_or_else(|| Error::unexpected("gmail", "profile without historyId"))?;
        let after = Utc::now().timestamp() - i64::from(self.config.backfill_hours) * 3600;
        let query = format!("after:{after}");
        let mut ids = Vec::new();
        let mut page: Option<String> = None;
        loop {
            self.quota.acquire(client::COST_LIST).await;
            let mut retry = self.retrying();
            let mut call = self
                .hub
                .users()
                .messages_list(&self.config.user)
                .q(&query)
                .max_results(500)
                .add_scope(Scope::Readonly);
            if let Some(token) = &page {
                call = call.page_token(token);
            }
            let (_, list) = call.delegate(&mut retry).doit().await?;
            ids.extend(
                list.messages
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|m| m.id),
            );
            page = list.next_page_token;
            if page.is_none() {
                break;
            }
        }
        Ok((SyncKind::Full, ids, history_id))
    }

    /// Ids added since `from` and the latest history id; `None` when `from` has expired (404).
    async fn history(&self, from: u64) -> Result<Option<(Vec<String>, u64)>> {
        let mut ids = Vec::new();
        let mut seen = HashSet::new();
        let mut latest = from;
        let mut page: Option<String> = None;
        loop {
            self.quota.acquire(client::COST_HISTORY).await;
            let mut retry = self.retrying();
            let mut call = self
                .hub
                .users()
                .history_list(&self.config.user)
                .start_history_id(from)
                .add_history_types("messageAdded")
                .max_results(500)
                .add_scope(Scope::Readonly);
            if let Some(token) = &page {
                call = call.page_token(token);
            }
            let list = match call.delegate(&mut retry).doit().await {
                Ok((_, list)) => list,
                Err(e) if client::status_of(&e) == Some(404) => return Ok(None),
                Err(e) => return Err(e.into()),
            };
            latest = latest.max(list.history_id.unwrap_or(latest));
            let added = list
                .history
                .unwrap_or_default()
                .into_iter()
                .flat_map(|h| h.messages_added.unwrap_or_default());
            for id in added.filter_map(|a| a.message.and_then(|m| m.id)) {
                if seen.insert(id.clone()) {
                    ids.push(id);
                }
            }
            page = list.next_page_token;
            if page.is_none() {
                return Ok(Some((ids, latest)));
            }
        }
    }

    /// Fetches `ids` with bounded concurrency and sends each to the sink (a record, or a dead
    /// letter for a message that cannot be had), in completion order. Returns the messages that
    /// failed for a transient reason, with the error.
    async fn fetch_all(
        &self,
        ids: Vec<String>,
        sink: &mut EmailSink,
    ) -> Result<Vec<(String, Error)>> {
        let bar = progress(Some(ids.len() as u64), "gmail");
        let mut fetches = stream::iter(ids)
            .map(|id| self.fetch(id))
            .buffer_unordered(self.config.concurrency.max(1));
        let mut failed = Vec::new();
        while let Some(fetched) = fetches.next().await {
            match fetched {
                Fetched::Message(message) => send(sink, *message).await?,
                Fetched::Gone => {}
                Fetched::Poison {
                    id,
                    rule,
                    reason,
                    body,
                } => {
                    tracing::warn!(id, rule, reason, "gmail: message sent to the DLQ");
                    sink.send_dead_letter(&body, rule, &reason, &id).await?;
                }
                Fetched::Failed { id, error } => failed.push((id, error)),
            }
            bar.inc(1);
        }
        bar.finish_and_clear();
        Ok(failed)
    }

    /// One message in `format=raw`.
    async fn fetch(&self, id: String) -> Fetched {
        self.quota.acquire(client::COST_GET).await;
        let mut retry = self.retrying();
        let call = self
            .hub
            .users()
            .messages_get(&self.config.user, &id)
            .format("raw")
            .add_scope(Scope::Readonly);
        match call.delegate(&mut retry).doit().await {
            Ok((_, message)) => Fetched::Message(Box::new(message)),
            Err(google_gmail1::Error::JsonDecodeError(body, error)) => {
                match decode_message(&body) {
                    Ok(message) => {
                        tracing::info!(id, %error, "gmail: answer recovered from its JSON");
                        Fetched::Message(Box::new(message))
                    }
                    Err(reason) => Fetched::Poison {
                        id,
                        rule: "gmail.undecodable",
                        reason: format!("messages.get answer cannot be decoded: {reason}"),
                        body: body.into_bytes(),
                    },
                }
            }
            Err(e) => match client::status_of(&e) {
                Some(404) => {
                    tracing::info!(id, "gmail: message gone before it was fetched");
                    Fetched::Gone
                }
                Some(status @ 400..=499) if ![401, 403, 429].contains(&status) => Fetched::Poison {
                    id,
                    rule: "gmail.fetch",
                    reason: format!("messages.get answered {status}: {e}"),
                    body: Vec::new(),
                },
                _ => Fetched::Failed {
                    id,
                    error: e.into(),
                },
            },
        }
    }

    fn retrying(&self) -> Retrying {
        Retrying::new(self.config.max_retries, Duration::from_millis(500))
    }
}

/// What fetching one message gave.
enum Fetched {
    /// The message (boxed: it is large beside the other variants).
    Message(Box<Message>),
    /// Deleted since it was listed (404): nothing to do.
    Gone,
    /// The message itself cannot be had: a dead letter.
    Poison {
        /// Gmail's id.
        id: String,
        /// The DLQ rule.
        rule: &'static str,
        /// What went wrong.
        reason: String,
        /// What Gmail answered, when it answered.
        body: Vec<u8>,
    },
    /// A transient failure that outlasted the retries.
    Failed {
        /// Gmail's id.
        id: String,
        /// The error.
        error: Error,
    },
}

/// Base64url as Gmail's `raw` may arrive: padded or not (RFC 4648 §3.2 makes padding
/// optional when the length is known), and the standard alphabet's `+/` read as `-_`.
const RAW_ENCODING: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// A `messages.get` answer (JSON) as google-gmail1's `Message`, reading `raw` leniently
/// ([`RAW_ENCODING`]) when the strict decoding fails; `Err` says why it cannot be read.
pub fn decode_message(body: &str) -> std::result::Result<Message, String> {
    if let Ok(message) = serde_json::from_str::<Message>(body) {
        return Ok(message);
    }
    let mut value: serde_json::Value =
        serde_json::from_str(body).map_err(|e| format!("not JSON: {e}"))?;
    let raw = match value.as_object_mut().and_then(|o| o.remove("raw")) {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(raw)) => {
            let cleaned: String = raw
                .chars()
                .filter(|c| !c.is_ascii_whitespace())
                .map(|c| match c {
                    '+' => '-',
                    '/' => '_',
                    c => c,
                })
                .collect();
            Some(
                RAW_ENCODING
                    .decode(cleaned)
                    .map_err(|e| format!("raw is not base64url: {e}"))?,
            )
        }
        Some(other) => return Err(format!("raw is not a string: {other}")),
    };
    let mut message: Message =
        serde_json::from_value(value).map_err(|e| format!("not a Gmail message: {e}"))?;
    message.raw = raw;
    Ok(message)
}

/// A fetched message as the parser's input: its raw bytes and what Gmail knows about it;
/// `None` when the answer has no `raw` body.
pub fn parser_input(message: Message) -> Option<(Vec<u8>, SourceMeta)> {
    let meta = SourceMeta {
        source: Source::Gmail,
        id: message.id,
        thread_id: message.thread_id,
        labels: message.label_ids.unwrap_or_default(),
        internal_date: message
            .internal_date
            .and_then(|ms| Utc.timestamp_millis_opt(ms).single()),
        mbox_from_date: None,
        size_bytes: message.size_estimate.map(i64::from),
    };
    Some((message.raw?, meta))
}

/// Parses and sends one fetched message; one without a `raw` body is a dead letter.
async fn send(sink: &mut EmailSink, message: Message) -> Result<()> {
    let id = message.id.clone().unwrap_or_default();
    let Some((raw, meta)) = parser_input(message) else {
        return sink
            .send_dead_letter(
                b"",
                "gmail.no_raw",
                "messages.get returned no raw body",
                &id,
            )
            .await;
    };
    sink.ingest(&raw, &meta, &id).await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_is_read_padded_unpadded_or_in_the_standard_alphabet() {
        let bytes = b"Subject: x\r\n\r\n\xfb\xff?>\r\n".to_vec();
        let padded = base64::engine::general_purpose::URL_SAFE.encode(&bytes);
        let unpadded = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes);
        let standard = base64::engine::general_purpose::STANDARD.encode(&bytes);
        assert_ne!(padded, unpadded);
        for raw in [padded, unpadded, standard] {
            let body = serde_json::json!({"id": "m1", "raw": raw, "internalDate": "1759891621000"});
            let message = decode_message(&body.to_string()).unwrap();
            assert_eq!(message.raw.as_deref(), Some(&bytes[..]), "{raw}");
            assert_eq!(message.internal_date, Some(1_759_891_621_000));
        }
        let bad = serde_json::json!({"id": "m1", "raw": "not base64 at all!"});
        assert!(decode_message(&bad.to_string())
            .unwrap_err()
            .contains("base64url"));
        assert!(decode_message("<html>").unwrap_err().contains("not JSON"));
    }
}
