//! `mindy ingest google-calendar`: a Google Calendar into `calendar-topic`, with the production
//! client (`google-calendar3` on the same rustls/ring HTTPS client, OAuth2 token store and retry
//! delegate as Gmail; `mindy auth google-calendar` runs the consent once).
//!
//! Sync follows Google's documented protocol for `events.list`:
//! - **Full sync** (no stored token): `singleEvents=true` (recurring events arrive expanded into
//!   instances, keyed by `recurringEventId` and `originalStartTime`), `timeMin` = now minus
//!   `--past-days`, page by page (`maxResults` 2500) until a page carries `nextSyncToken`. Once
//!   every instance is acknowledged by Kafka, a snapshot record closes the read: what the
//!   calendar no longer has (over `[timeMin, ∞)`) is deleted downstream.
//! - **Incremental sync**: the stored `syncToken`; only changes since, deletions included
//!   (`status: cancelled`, which the records carry as deletions; a cancelled series' master
//!   deletes all its instances downstream).
//! - **410 Gone**: the token expired; the stored token is dropped and a full sync runs.
//! - 429, 5xx and 403 rate-limit answers are retried with backoff (honouring `Retry-After`), and
//!   every call waits for the quota limiter (Google's default is 600 requests a minute per user).
//!
//! The new token is saved only after the run's records are acknowledged, so a crash repeats
//! work (same keys; later versions win downstream) instead of losing changes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use clap::Args;
use google_calendar3::api::{Event, EventAttendee, EventDateTime, Scope};
use google_calendar3::CalendarHub;
use serde::{Deserialize, Serialize};

use super::CalendarSink;
use crate::jobs::ingest::gmail::auth::{self, GmailAuthArgs};
use crate::jobs::ingest::gmail::client::{self, https_client, Connector, Quota, Retrying};
use crate::jobs::ingest::IngestReport;
use crate::shutdown::Shutdown;
use crate::{Error, Result};
use mindy_core::calendar::record::{recurrence_id_of_date, recurrence_id_of_instant};
use mindy_core::calendar::{
    CalendarRecord, CalendarSource, EventStatus, Participant, RecordKind, Response, Snapshot,
    SCHEMA_VERSION,
};
use mindy_core::config::{CalendarTopicArgs, KafkaArgs};

/// The scope requested: read-only access to calendars and events.
pub const READONLY_SCOPE: &str = "https://www.googleapis.com/auth/calendar.readonly";

/// Google Calendar's default per-user limit, requests per minute.
pub const DEFAULT_REQUESTS_PER_MINUTE: u32 = 600;

/// The largest page `events.list` serves.
const PAGE_SIZE: i32 = 2500;

/// Settings of `mindy ingest google-calendar`.
#[derive(Debug, Clone, Args)]
pub struct GoogleCalendarConfig {
    /// Kafka connection.
    #[command(flatten)]
    pub kafka: KafkaArgs,
    /// Calendar topics.
    #[command(flatten)]
    pub topics: CalendarTopicArgs,
    /// OAuth client and token file (shared with `mindy auth`).
    #[command(flatten)]
    pub auth: GmailAuthArgs,
    /// The calendar to read: `primary` is the authorised user's own.
    #[arg(long, default_value = "primary")]
    pub calendar: String,
    /// Where the sync tokens are kept. Default: ~/.local/state/mini-mindy/google-calendar-state.json.
    #[arg(long, env = "MINDY_GCAL_STATE_FILE")]
    pub state_file: Option<PathBuf>,
    /// Sync once and exit, instead of every --interval-minutes.
    #[arg(long)]
    pub once: bool,
    /// Minutes between incremental syncs.
    #[arg(long, env = "MINDY_GCAL_INTERVAL_MINUTES", default_value_t = 5)]
    pub interval_minutes: u64,
    /// How far back a full sync reads (`timeMin`), in days.
    #[arg(long, default_value_t = 90)]
    pub past_days: u32,
    /// Requests per minute to stay under.
    #[arg(long, default_value_t = DEFAULT_REQUESTS_PER_MINUTE)]
    pub requests_per_minute: u32,
    /// Retries per call on 429, 5xx and connection errors.
    #[arg(long, default_value_t = 5)]
    pub max_retries: u32,
    /// Google Calendar API base URL (tests point it at a local server).
    #[arg(
        long,
        env = "MINDY_GCAL_API_URL",
        default_value = "https://www.googleapis.com/",
        hide = true
    )]
    pub api_url: String,
}

impl GoogleCalendarConfig {
    /// The state file, defaulting under `$XDG_STATE_HOME` or `~/.local/state`.
    pub fn state_path(&self) -> PathBuf {
        self.state_file.clone().unwrap_or_else(|| {
            std::env::var_os("XDG_STATE_HOME")
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))
                .unwrap_or_else(|| PathBuf::from("."))
                .join("mini-mindy")
                .join("google-calendar-state.json")
        })
    }
}

/// What is remembered between runs, per calendar.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncState {
    /// Calendar (as given on the command line) → its state.
    pub calendars: BTreeMap<String, CalendarState>,
}

/// One calendar's sync state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarState {
    /// The `nextSyncToken` of the last complete sync.
    pub sync_token: Option<String>,
    /// When that sync finished.
    pub synced_at: Option<DateTime<Utc>>,
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

    /// Writes the state file atomically, readable by its owner only.
    pub fn save(&self, path: &Path) -> Result<()> {
        let json = serde_json::to_vec_pretty(self).expect("state serializes");
        auth::write_private(path, &json).map_err(|e| Error::io(path, e))
    }
}

/// How one sync read the calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncKind {
    /// Everything from `timeMin`, closed by a snapshot.
    Full,
    /// Changes since the stored token.
    Incremental,
}

/// What one sync did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncOutcome {
    /// Full or incremental.
    pub kind: SyncKind,
    /// Events (instances, cancellations) produced.
    pub events: usize,
    /// True when a stored token was refused with 410 Gone (and a full sync followed).
    pub token_expired: bool,
}

/// Runs one sync (`--once`) or syncs every `--interval-minutes` until `shutdown`.
pub async fn run(config: &GoogleCalendarConfig, shutdown: Shutdown) -> Result<IngestReport> {
    let authenticator = auth::authenticator(&config.auth, false).await?;
    let syncer = Syncer {
        hub: hub(authenticator, &config.api_url)?,
        config: config.clone(),
        quota: Arc::new(Quota::new(config.requests_per_minute)),
    };
    let mut sink = CalendarSink::open(&config.kafka, &config.topics, "google").await?;
    loop {
        let outcome = syncer.sync(&mut sink).await?;
        tracing::info!(?outcome, calendar = %config.calendar, "google calendar sync done");
        if config.once || shutdown.is_triggered() {
            break;
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(config.interval_minutes.max(1) * 60)) => {}
            _ = shutdown.wait() => break,
        }
    }
    sink.finish().await
}

/// Runs the consent flow for the calendar scope if needed; returns the token file.
pub async fn login(args: &GmailAuthArgs) -> Result<PathBuf> {
    let authenticator = auth::authenticator(args, true).await?;
    authenticator
        .token(&[READONLY_SCOPE])
        .await
        .map_err(|e| Error::Auth(e.to_string()))?;
    Ok(args.token_path())
}

/// The Calendar hub pointed at `base_url` (Google's by default, a local server in tests).
pub fn hub<A>(auth: A, base_url: &str) -> Result<CalendarHub<Connector>>
where
    A: google_calendar3::common::GetToken + 'static,
{
    let mut hub = CalendarHub::new(https_client()?, auth);
    let root = if base_url.ends_with('/') {
        base_url.to_string()
    } else {
        format!("{base_url}/")
    };
    hub.base_url(format!("{root}calendar/v3/"));
    hub.root_url(root);
    Ok(hub)
}

/// The client and what every sync needs.
struct Syncer {
    /// The API hub.
    hub: CalendarHub<Connector>,
    /// Settings.
    config: GoogleCalendarConfig,
    /// Request limiter.
    quota: Arc<Quota>,
}

/// One page's outcome: the events, and the next page or the sync token.
enum Page {
    /// More pages follow.
    Next(Vec<Event>, String),
    /// The last page, with the token for the next incremental sync.
    Last(Vec<Event>, String),
}

impl Syncer {
    /// One sync of the configured calendar: incremental from the stored token, or full.
    async fn sync(&self, sink: &mut CalendarSink) -> Result<SyncOutcome> {
        let path = self.config.state_path();
        let mut state = SyncState::load(&path)?;
        let stored = state
            .calendars
            .get(&self.config.calendar)
            .and_then(|c| c.sync_token.clone());
        let mut token_expired = false;
        let (kind, events, token) = match stored {
            Some(token) => match self.read(Some(&token), sink).await? {
                Some((events, next)) => (SyncKind::Incremental, events, next),
                None => {
                    tracing::warn!(calendar = %self.config.calendar, "google calendar: sync token expired (410 Gone); running a full sync");
                    token_expired = true;
                    self.full(sink).await?
                }
            },
            None => self.full(sink).await?,
        };
        sink.flush().await?;
        state.calendars.insert(
            self.config.calendar.clone(),
            CalendarState {
                sync_token: Some(token),
                synced_at: Some(Utc::now()),
            },
        );
        state.save(&path)?;
        Ok(SyncOutcome {
            kind,
            events,
            token_expired,
        })
    }

    /// A full read from `timeMin`, closed by a snapshot once its records are acknowledged.
    async fn full(&self, sink: &mut CalendarSink) -> Result<(SyncKind, usize, String)> {
        let started_at = Utc::now();
        let (events, token) = self
            .read(None, sink)
            .await?
            .ok_or_else(|| Error::unexpected("google calendar", "410 Gone on a full sync"))?;
        let snapshot = CalendarRecord::snapshot(
            CalendarSource::Google,
            &self.calendar_id(),
            Snapshot {
                window_start: Some(self.time_min(started_at)),
                window_end: None,
                started_at,
                instances: events as i64,
            },
            Utc::now(),
        );
        sink.close_read(&snapshot).await?;
        Ok((SyncKind::Full, events, token))
    }

    /// Reads every page (from `token`, or a full read without one) into the sink; returns the
    /// events produced and the next sync token, or `None` on 410 Gone.
    async fn read(
        &self,
        token: Option<&str>,
        sink: &mut CalendarSink,
    ) -> Result<Option<(usize, String)>> {
        let started_at = Utc::now();
        let mut page_token: Option<String> = None;
        let mut produced = 0;
        loop {
            let page = match self.page(token, page_token.as_deref(), started_at).await {
                Ok(page) => page,
                Err(e) if client::status_of(&e) == Some(410) => return Ok(None),
                Err(e) => return Err(Error::unexpected("google calendar", client_error(&e))),
            };
            let (events, next) = match page {
                Page::Next(events, next) => (events, Some(next)),
                Page::Last(events, sync_token) => {
                    produced += self.produce(events, sink).await?;
                    return Ok(Some((produced, sync_token)));
                }
            };
            produced += self.produce(events, sink).await?;
            page_token = next;
        }
    }

    /// One `events.list` call.
    async fn page(
        &self,
        token: Option<&str>,
        page_token: Option<&str>,
        started_at: DateTime<Utc>,
    ) -> std::result::Result<Page, google_calendar3::Error> {
        self.quota.acquire(1).await;
        let mut retry = Retrying::new(self.config.max_retries, Duration::from_millis(500));
        let mut call = self
            .hub
            .events()
            .list(&self.config.calendar)
            .single_events(true)
            .max_results(PAGE_SIZE)
            .add_scope(Scope::Readonly);
        call = match token {
            Some(token) => call.sync_token(token),
            None => call.time_min(self.time_min(started_at)),
        };
        if let Some(page) = page_token {
            call = call.page_token(page);
        }
        let (_, events) = call.delegate(&mut retry).doit().await?;
        let items = events.items.unwrap_or_default();
        Ok(match (events.next_page_token, events.next_sync_token) {
            (Some(next), _) => Page::Next(items, next),
            (None, Some(sync)) => Page::Last(items, sync),
            // Google always ends with a token; a server that does not is answered loudly.
            (None, None) => {
                return Err(google_calendar3::Error::FieldClash(
                    "a last page without nextSyncToken",
                ))
            }
        })
    }

    async fn produce(&self, events: Vec<Event>, sink: &mut CalendarSink) -> Result<usize> {
        let now = Utc::now();
        let calendar_id = self.calendar_id();
        let mut n = 0;
        for event in events {
            match record(&event, &calendar_id, now) {
                Ok(Some(record)) => {
                    sink.send(&record).await?;
                    n += 1;
                }
                Ok(None) => {}
                Err(reason) => {
                    let raw = serde_json::to_vec(&event).unwrap_or_default();
                    let id = event.id.as_deref().unwrap_or("?");
                    sink.send_dead_letter(&raw, "google.event", &reason, id)
                        .await?;
                }
            }
        }
        Ok(n)
    }

    /// The calendar id the records carry: the configured calendar (Google's ids are stable;
    /// `primary` stays `primary`, which is the authorised user's calendar).
    fn calendar_id(&self) -> String {
        format!("google:{}", self.config.calendar)
    }

    fn time_min(&self, started_at: DateTime<Utc>) -> DateTime<Utc> {
        started_at - chrono::Duration::days(i64::from(self.config.past_days))
    }
}

fn client_error(error: &google_calendar3::Error) -> String {
    match client::status_of(error) {
        Some(status) => format!("HTTP {status}: {error}"),
        None => error.to_string(),
    }
}

/// One API event as a record; `None` for what is not an event the user attends (working
/// location markers); `Err` with a reason for an event missing what every event has.
pub fn record(
    event: &Event,
    calendar_id: &str,
    now: DateTime<Utc>,
) -> std::result::Result<Option<CalendarRecord>, String> {
    if event.event_type.as_deref() == Some("workingLocation") {
        return Ok(None);
    }
    let id = event.id.clone().ok_or("an event without id")?;
    let status = match event.status.as_deref() {
        Some("cancelled") => EventStatus::Cancelled,
        Some("tentative") => EventStatus::Tentative,
        _ => EventStatus::Confirmed,
    };
    let (event_id, recurrence_id) = match (&event.recurring_event_id, &event.original_start_time) {
        (Some(series), Some(original)) => (series.clone(), Some(original_id(original)?)),
        _ => (id, None),
    };
    let mut record = CalendarRecord {
        schema_version: SCHEMA_VERSION,
        kind: RecordKind::Instance,
        id: CalendarRecord::instance_id(calendar_id, &event_id, recurrence_id.as_deref()),
        source: CalendarSource::Google,
        calendar_id: calendar_id.to_string(),
        event_id,
        recurrence_id,
        status,
        summary: event.summary.clone().unwrap_or_default().trim().to_string(),
        location: event.location.clone().filter(|l| !l.trim().is_empty()),
        all_day: false,
        start: None,
        end: None,
        start_date: None,
        end_date: None,
        floating_start: None,
        floating_end: None,
        timezone: None,
        organizer: event.organizer.as_ref().and_then(|o| {
            Some(Participant {
                name: o.display_name.clone(),
                address: o.email.clone()?,
                response: None,
                is_self: o.self_.unwrap_or(false),
                optional: false,
            })
        }),
        attendees: event
            .attendees
            .iter()
            .flatten()
            .filter_map(attendee)
            .collect(),
        transparent: event.transparency.as_deref() == Some("transparent"),
        sequence: event.sequence.unwrap_or(0),
        updated: event.updated,
        snapshot: None,
        ingested_at: now,
    };
    // A cancellation in an incremental sync may carry no times at all: the id says what goes.
    if status == EventStatus::Cancelled && event.start.is_none() {
        let original = event.original_start_time.as_ref();
        match original.and_then(|o| {
            o.date_time.or_else(|| {
                o.date
                    .and_then(|d| d.and_hms_opt(0, 0, 0))
                    .map(|t| t.and_utc())
            })
        }) {
            Some(at) => {
                record.start = Some(at);
                record.end = Some(at);
            }
            None => {
                record.start = Some(now);
                record.end = Some(now);
            }
        }
        return Ok(Some(record));
    }
    let (start, end) = (
        event.start.as_ref().ok_or("no start")?,
        event.end.as_ref().ok_or("no end")?,
    );
    match (start.date_time, end.date_time, start.date, end.date) {
        (Some(s), Some(e), _, _) => {
            record.start = Some(s);
            record.end = Some(e);
            record.timezone = start.time_zone.clone();
        }
        (None, None, Some(s), Some(e)) => {
            record.all_day = true;
            record.start_date = Some(s);
            record.end_date = Some(e);
        }
        _ => return Err("start and end are neither both date-times nor both dates".into()),
    }
    Ok(Some(record))
}

/// An instance's `originalStartTime` as a recurrence id.
fn original_id(original: &EventDateTime) -> std::result::Result<String, String> {
    match (original.date_time, original.date) {
        (Some(at), _) => Ok(recurrence_id_of_instant(at)),
        (None, Some(day)) => Ok(recurrence_id_of_date(day)),
        _ => Err("an instance without originalStartTime".into()),
    }
}

/// An attendee, unless it is a room or resource or has no address.
fn attendee(a: &EventAttendee) -> Option<Participant> {
    if a.resource == Some(true) {
        return None;
    }
    Some(Participant {
        name: a.display_name.clone(),
        address: a.email.clone()?,
        response: match a.response_status.as_deref() {
            Some("accepted") => Some(Response::Accepted),
            Some("declined") => Some(Response::Declined),
            Some("tentative") => Some(Response::Tentative),
            Some("needsAction") => Some(Response::NeedsAction),
            _ => None,
        },
        is_self: a.self_.unwrap_or(false),
        optional: a.optional.unwrap_or(false),
    })
}
