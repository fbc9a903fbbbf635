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

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use clap::Args;
use futures::stream::{self, StreamExt};
use google_gmail1::api::{Message, Scope};
use google_gmail1::Gmail;
use serde::{Deserialize, Serialize};

use super::{finish, progress, EmailSink, IngestCounts, IngestReport};
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
}

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
        self.fetch_all(ids, sink).await?;
        sink.flush().await?;
        SyncState {
            history_id: Some(history_id),
            synced_at: Some(Utc::now()),
        }
        .save(&state_path)?;
        Ok((kind, fetched))
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

    /// Fetches `ids` with bounded concurrency and sends each to the sink, in completion order.
    async fn fetch_all(&self, ids: Vec<String>, sink: &mut EmailSink) -> Result<IngestCounts> {
        let bar = progress(Some(ids.len() as u64), "gmail");
        let mut fetches = stream::iter(ids)
            .map(|id| self.fetch(id))
            .buffer_unordered(self.config.concurrency.max(1));
        while let Some(fetched) = fetches.next().await {
            if let Some(message) = fetched? {
                send(sink, message).await?;
            }
            bar.inc(1);
        }
        bar.finish_and_clear();
        Ok(sink.counts())
    }

    /// One message in `format=raw`; `None` if it was deleted since it was listed.
    async fn fetch(&self, id: String) -> Result<Option<Message>> {
        self.quota.acquire(client::COST_GET).await;
        let mut retry = self.retrying();
        let call = self
            .hub
            .users()
            .messages_get(&self.config.user, &id)
            .format("raw")
            .add_scope(Scope::Readonly);
        match call.delegate(&mut retry).doit().await {
            Ok((_, message)) => Ok(Some(message)),
            Err(e) if client::status_of(&e) == Some(404) => {
                tracing::info!(id, "gmail: message gone before it was fetched");
                Ok(None)
            }
            Err(e) => Err(e.into()),
        }
    }

    fn retrying(&self) -> Retrying {
        Retrying::new(self.config.max_retries, Duration::from_millis(500))
    }
}

/// Parses and sends one fetched message; one without a `raw` body is a dead letter.
async fn send(sink: &mut EmailSink, message: Message) -> Result<()> {
    let id = message.id.clone().unwrap_or_default();
    let Some(raw) = message.raw else {
        return sink
            .send_dead_letter(
                b"",
                "gmail.no_raw",
                "messages.get returned no raw body",
                &id,
            )
            .await;
    };
    let meta = SourceMeta {
        source: Source::Gmail,
        id: message.id,
        thread_id: message.thread_id,
        labels: message.label_ids.unwrap_or_default(),
        received_at: message
            .internal_date
            .and_then(|ms| Utc.timestamp_millis_opt(ms).single()),
        size_bytes: message.size_estimate.map(i64::from),
    };
    sink.ingest(&raw, &meta, &id).await.map(|_| ())
}
