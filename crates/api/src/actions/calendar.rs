//! Where confirmed events go: the local calendar store (demo mode, the default) or the user's
//! Google Calendar ([`super::google::GoogleCalendar`], `MINDY_ACTIONS_CALENDAR=google`).
//!
//! The local store keeps confirmed events in `local_calendar_events` and writes them out after
//! each change as one iCalendar file (`MINDY_LOCAL_CALENDAR`) that `mindy ingest ics` reads like
//! any calendar export, so a new meeting flows through Kafka, the stream and the serving tables
//! into "What's on today?".

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use icalendar::{Calendar, Component, Event, EventLike, Property};
use sqlx::PgPool;

use super::google::GoogleCalendar;
use super::model::{EventDraft, Person};
use super::ActionError;

/// Where confirmed events go.
#[derive(Debug, Clone)]
pub enum CalendarTarget {
    /// The local store and its iCalendar file; invitations go out by mail.
    Local(LocalCalendar),
    /// Google Calendar; Google sends the invitations (`sendUpdates=all`).
    Google(Arc<GoogleCalendar>),
}

/// The calendar store.
#[derive(Debug, Clone)]
pub struct LocalCalendar {
    /// The iCalendar file written after each change.
    pub file: PathBuf,
}

#[derive(sqlx::FromRow)]
struct Stored {
    uid: String,
    summary: String,
    description: Option<String>,
    location: Option<String>,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    organizer: String,
    attendees: sqlx::types::Json<Vec<Person>>,
    sequence: i32,
    status: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

fn mailto(person: &Person, property: &str) -> Property {
    let mut p = Property::new(property, format!("mailto:{}", person.address));
    if let Some(name) = &person.name {
        p.add_parameter("CN", name);
    }
    p.done()
}

fn attendee(person: &Person) -> Property {
    let mut p = mailto(person, "ATTENDEE");
    p.add_parameter("ROLE", "REQ-PARTICIPANT");
    p.add_parameter("PARTSTAT", "NEEDS-ACTION");
    p.add_parameter("RSVP", "TRUE");
    p.done()
}

/// One event as iCalendar: organiser, attendees, times in UTC.
fn event(
    uid: &str,
    draft: &EventDraft,
    sequence: u32,
    stamp: DateTime<Utc>,
    cancelled: bool,
) -> Event {
    let mut e = Event::new();
    e.uid(uid)
        .summary(&draft.summary)
        .description(&draft.description)
        .starts(draft.starts_at)
        .ends(draft.ends_at)
        .timestamp(stamp)
        .sequence(sequence)
        .append_property(mailto(&draft.organizer, "ORGANIZER"));
    e.status(if cancelled {
        icalendar::EventStatus::Cancelled
    } else {
        icalendar::EventStatus::Confirmed
    });
    if let Some(location) = &draft.location {
        e.location(location);
    }
    // The organiser attends, accepted: the pipeline reads the user's own meetings from it.
    let mut me = mailto(&draft.organizer, "ATTENDEE");
    me.add_parameter("PARTSTAT", "ACCEPTED");
    e.append_multi_property(me.done());
    for person in &draft.attendees {
        e.append_multi_property(attendee(person));
    }
    e.done()
}

/// `draft` as an invitation (`METHOD:REQUEST`) for the mail to the attendees.
pub fn invitation(uid: &str, draft: &EventDraft) -> String {
    let mut calendar = Calendar::new();
    calendar.append_property(("METHOD", "REQUEST"));
    calendar.push(event(uid, draft, 0, Utc::now(), false));
    calendar.done().to_string()
}

impl LocalCalendar {
    /// Stores `draft` under `uid` and rewrites the file.
    pub async fn create(
        &self,
        pool: &PgPool,
        proposal_id: uuid::Uuid,
        uid: &str,
        draft: &EventDraft,
    ) -> Result<(), ActionError> {
        sqlx::query(
            "INSERT INTO local_calendar_events (uid, proposal_id, summary, description, location, \
             starts_at, ends_at, timezone, organizer, attendees) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (uid) DO NOTHING",
        )
        .bind(uid)
        .bind(proposal_id)
        .bind(&draft.summary)
        .bind(&draft.description)
        .bind(&draft.location)
        .bind(draft.starts_at)
        .bind(draft.ends_at)
        .bind(&draft.timezone)
        .bind(&draft.organizer.address)
        .bind(sqlx::types::Json(&draft.attendees))
        .execute(pool)
        .await?;
        self.write(pool, &draft.organizer).await
    }

    /// Writes every stored event to the file (atomically: a temporary file renamed over it).
    pub async fn write(&self, pool: &PgPool, organizer: &Person) -> Result<(), ActionError> {
        let rows: Vec<Stored> = sqlx::query_as(
            "SELECT uid, summary, description, location, starts_at, ends_at, organizer, attendees, \
             sequence, status, created_at, updated_at FROM local_calendar_events ORDER BY starts_at, uid",
        )
        .fetch_all(pool)
        .await?;
        let mut calendar = Calendar::new();
        calendar.name("Mini-Mindy");
        for row in rows {
            let organizer = if row.organizer.eq_ignore_ascii_case(&organizer.address) {
                organizer.clone()
            } else {
                Person::at(row.organizer.clone())
            };
            let draft = EventDraft {
                summary: row.summary,
                starts_at: row.starts_at,
                ends_at: row.ends_at,
                timezone: String::new(),
                location: row.location,
                description: row.description.unwrap_or_default(),
                organizer,
                attendees: row.attendees.0,
            };
            let mut e = event(
                &row.uid,
                &draft,
                row.sequence.max(0) as u32,
                row.updated_at,
                row.status == "cancelled",
            );
            e.created(row.created_at);
            calendar.push(e);
        }
        write_atomically(&self.file, &calendar.done().to_string())
    }
}

fn write_atomically(file: &Path, text: &str) -> Result<(), ActionError> {
    let io = |e: std::io::Error| ActionError::Calendar(format!("{}: {e}", file.display()));
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let tmp = file.with_extension("ics.tmp");
    std::fs::write(&tmp, text).map_err(io)?;
    std::fs::rename(&tmp, file).map_err(io)
}
