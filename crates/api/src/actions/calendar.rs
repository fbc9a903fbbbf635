//! Where confirmed events go: the local calendar store (demo mode, the default) or the user's
//! Google Calendar ([`super::google::GoogleCalendar`], `MINDY_ACTIONS_CALENDAR=google`).
//!
//! The local store keeps confirmed events in `local_calendar_events` and writes them out after
//! each change as one iCalendar file (`MINDY_LOCAL_CALENDAR`) that `mindy ingest ics` reads like
//! any calendar export, so a new meeting flows through Kafka, the stream and the serving tables
//! into "What's on today?".

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use icalendar::{Calendar, Component, Event, EventLike, Property};
use sqlx::PgPool;

use super::google::GoogleCalendar;
use super::model::{EventDraft, EventRef, Person};
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
    /// Other iCalendar files (or directories of them) whose events the store may move: the
    /// user's own calendar in demo mode (`MINDY_LOCAL_CALENDAR_SOURCES`). A change is written
    /// into the file (the event's times and a higher `SEQUENCE`; an occurrence of a series
    /// gets a `RECURRENCE-ID` override), which `mindy ingest ics` then reads like any change.
    pub sources: Vec<PathBuf>,
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
    /// The calendar id `mindy ingest ics` gives the store's file (`ics:<file name>`).
    pub fn calendar_id(&self) -> String {
        format!(
            "ics:{}",
            self.file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        )
    }

    /// Moves `event` to `[starts_at, ends_at)`: in the store when it is one of its own, else in
    /// the source file it came from. Returns where the change was written.
    ///
    /// # Errors
    /// [`ActionError::Calendar`] when no file of the store holds the event, or it cannot be
    /// read or written.
    pub async fn move_event(
        &self,
        pool: &PgPool,
        event: &EventRef,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        organizer: &Person,
    ) -> Result<String, ActionError> {
        if event.calendar_id == self.calendar_id() {
            let moved = sqlx::query(
                "UPDATE local_calendar_events SET starts_at = $2, ends_at = $3, \
                 sequence = sequence + 1, updated_at = now() WHERE uid = $1",
            )
            .bind(&event.event_id)
            .bind(starts_at)
            .bind(ends_at)
            .execute(pool)
            .await?;
            if moved.rows_affected() == 0 {
                return Err(ActionError::Calendar(format!(
                    "no event {} in the local calendar",
                    event.event_id
                )));
            }
            self.write(pool, organizer).await?;
            return Ok(self.file.display().to_string());
        }
        let name = event.calendar_id.strip_prefix("ics:").ok_or_else(|| {
            ActionError::Calendar(format!(
                "\"{}\" is not a calendar file the local store can change",
                event.calendar_id
            ))
        })?;
        let file = self.source(name).ok_or_else(|| {
            ActionError::Calendar(format!(
                "the calendar file {name} is not among the local store's sources \
                 (MINDY_LOCAL_CALENDAR_SOURCES)"
            ))
        })?;
        let io = |e: std::io::Error| ActionError::Calendar(format!("{}: {e}", file.display()));
        let text = std::fs::read_to_string(&file).map_err(io)?;
        let changed = move_in_ics(
            &text,
            &event.event_id,
            event.recurrence_id.as_deref(),
            starts_at,
            ends_at,
            Utc::now(),
        )
        .map_err(|e| ActionError::Calendar(format!("{}: {e}", file.display())))?;
        write_atomically(&file, &changed)?;
        Ok(file.display().to_string())
    }

    /// Cancels the store's event `uid` (a block being undone) and rewrites the file; the
    /// cancellation flows downstream like any.
    ///
    /// # Errors
    /// [`ActionError::Calendar`] when the store has no such event.
    pub async fn cancel(
        &self,
        pool: &PgPool,
        uid: &str,
        organizer: &Person,
    ) -> Result<(), ActionError> {
        let cancelled = sqlx::query(
            "UPDATE local_calendar_events SET status = 'cancelled', sequence = sequence + 1, \
             updated_at = now() WHERE uid = $1 AND status <> 'cancelled'",
        )
        .bind(uid)
        .execute(pool)
        .await?;
        if cancelled.rows_affected() == 0 {
            return Err(ActionError::Calendar(format!(
                "no event {uid} to cancel in the local calendar"
            )));
        }
        self.write(pool, organizer).await
    }

    /// The source file named `name`: a source that is that file, or the file of that name
    /// inside a source directory (searched recursively, as `mindy ingest ics` does).
    fn source(&self, name: &str) -> Option<PathBuf> {
        fn find(dir: &Path, name: &str) -> Option<PathBuf> {
            for entry in std::fs::read_dir(dir).ok()?.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    if let Some(found) = find(&path, name) {
                        return Some(found);
                    }
                } else if path.file_name().is_some_and(|n| n == name) {
                    return Some(path);
                }
            }
            None
        }
        self.sources.iter().find_map(|source| {
            if source.is_dir() {
                find(source, name)
            } else {
                source
                    .file_name()
                    .is_some_and(|n| n == name)
                    .then(|| source.clone())
            }
        })
    }

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

/// `text` (an iCalendar file) with event `uid` moved to `[starts_at, ends_at)`: a single event
/// or an existing override gets the new times, a higher `SEQUENCE` and `DTSTAMP`; an
/// occurrence of a series without an override gets one (a copy of the series' event without
/// its rules, with `RECURRENCE-ID`), written after the series.
///
/// Only that `VEVENT` is rewritten; every other byte of the file stays as it was (serialising
/// the whole calendar again would add `DTSTAMP` and `UID` to its `VTIMEZONE`s, which the
/// serializer does for any component without them).
///
/// # Errors
/// The text is not iCalendar, or holds no such event.
pub fn move_in_ics(
    text: &str,
    uid: &str,
    recurrence_id: Option<&str>,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    stamp: DateTime<Utc>,
) -> Result<String, String> {
    let retime = |e: &mut Event| {
        let sequence = e.get_sequence().unwrap_or(0) + 1;
        e.starts(starts_at)
            .ends(ends_at)
            .sequence(sequence)
            .timestamp(stamp);
    };
    let is = |e: &Event, rid: Option<&str>| {
        e.get_uid() == Some(uid)
            && match (e.properties().get("RECURRENCE-ID"), rid) {
                (None, None) => true,
                (Some(p), Some(rid)) => same_occurrence(p, rid),
                _ => false,
            }
    };
    let blocks = vevent_blocks(text);
    let mut master = None;
    for &(start, end) in &blocks {
        let mut event = parse_vevent(&text[start..end])?;
        if is(&event, recurrence_id) {
            retime(&mut event);
            return Ok(splice(text, start, end, &event.to_string()));
        }
        if recurrence_id.is_some() && is(&event, None) {
            master = Some((end, event));
        }
    }
    let Some(rid) = recurrence_id else {
        return Err(format!("no event {uid}"));
    };
    let (after, mut occurrence) =
        master.ok_or_else(|| format!("no series {uid} for the occurrence {rid}"))?;
    for rule in ["RRULE", "RDATE", "EXDATE"] {
        occurrence.remove_property(rule);
        occurrence.remove_multi_property(rule);
    }
    let mut recurrence = Property::new("RECURRENCE-ID", rid);
    if rid.len() == 8 {
        recurrence.add_parameter("VALUE", "DATE");
    }
    occurrence.append_property(recurrence.done());
    occurrence.sequence(0);
    retime(&mut occurrence);
    Ok(splice(text, after, after, &occurrence.to_string()))
}

/// True when the `RECURRENCE-ID` property `p` names the occurrence `rid` (the producer's form:
/// `20251103T140000Z` in UTC, `20251103` for a day, `20251103T090000` floating), whatever form
/// the file gives it: a `TZID` local time (an IANA zone) is compared as the instant it is.
fn same_occurrence(p: &Property, rid: &str) -> bool {
    let value = p.value();
    if value == rid {
        return true;
    }
    let utc_of = |local: &str, zone: &str| -> Option<String> {
        let tz: chrono_tz::Tz = zone.parse().ok()?;
        let local = chrono::NaiveDateTime::parse_from_str(local, "%Y%m%dT%H%M%S").ok()?;
        let at = tz.from_local_datetime(&local).earliest()?;
        Some(at.with_timezone(&Utc).format("%Y%m%dT%H%M%SZ").to_string())
    };
    match p.params().get("TZID") {
        Some(zone) => utc_of(value, zone.value()).as_deref() == Some(rid),
        None => false,
    }
}

/// Byte ranges of the file's `VEVENT`s, each from its `BEGIN` line to after its `END` line.
fn vevent_blocks(text: &str) -> Vec<(usize, usize)> {
    let mut blocks = Vec::new();
    let mut start = None;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches(['\r', '\n']);
        if content.eq_ignore_ascii_case("BEGIN:VEVENT") {
            start = Some(at);
        } else if content.eq_ignore_ascii_case("END:VEVENT") {
            if let Some(s) = start.take() {
                blocks.push((s, at + line.len()));
            }
        }
        at += line.len();
    }
    blocks
}

fn parse_vevent(block: &str) -> Result<Event, String> {
    let calendar: Calendar = format!("BEGIN:VCALENDAR\r\n{block}END:VCALENDAR\r\n").parse()?;
    calendar
        .components
        .into_iter()
        .find_map(|c| match c {
            icalendar::CalendarComponent::Event(e) => Some(e),
            _ => None,
        })
        .ok_or_else(|| "a VEVENT that does not parse".to_string())
}

/// `text` with `start..end` replaced by `with` (CRLF line ends, as the serializer writes).
fn splice(text: &str, start: usize, end: usize, with: &str) -> String {
    let mut out = String::with_capacity(text.len() + with.len());
    out.push_str(&text[..start]);
    if start > 0 && !text[..start].ends_with('\n') {
        out.push_str("\r\n");
    }
    out.push_str(with);
    out.push_str(&text[end..]);
    out
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

#[cfg(test)]
mod tests {
    use super::*;
    use icalendar::CalendarComponent;

    const SERIES: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n\
        BEGIN:VTIMEZONE\r\nTZID:Europe/Paris\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\n\
        TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n\
        BEGIN:VEVENT\r\nUID:weekly\r\nDTSTAMP:20261101T000000Z\r\n\
        DTSTART;TZID=Europe/Paris:20261104T110000\r\nDTEND;TZID=Europe/Paris:20261104T113000\r\n\
        RRULE:FREQ=WEEKLY\r\nSUMMARY:Standup\r\nEND:VEVENT\r\n\
        BEGIN:VEVENT\r\nUID:once\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261125T120000Z\r\n\
        DTEND:20261125T130000Z\r\nSEQUENCE:2\r\nSUMMARY:Review\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn events(text: &str) -> Vec<Event> {
        let calendar: Calendar = text.parse().unwrap();
        calendar
            .components
            .into_iter()
            .filter_map(|c| match c {
                CalendarComponent::Event(e) => Some(e),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_single_event_gets_new_times_and_a_higher_sequence() {
        let out = move_in_ics(
            SERIES,
            "once",
            None,
            t("2026-11-25T09:00:00Z"),
            t("2026-11-25T10:00:00Z"),
            t("2026-11-20T00:00:00Z"),
        )
        .unwrap();
        let once = events(&out)
            .into_iter()
            .find(|e| e.get_uid() == Some("once"))
            .unwrap();
        assert_eq!(once.property_value("DTSTART"), Some("20261125T090000Z"));
        assert_eq!(once.property_value("DTEND"), Some("20261125T100000Z"));
        assert_eq!(once.get_sequence(), Some(3));
        let zone = |t: &str| {
            t[t.find("BEGIN:VTIMEZONE").unwrap()..t.find("END:VTIMEZONE").unwrap()].to_string()
        };
        assert_eq!(zone(&out), zone(SERIES), "the zone is kept as it was");
        assert!(out.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n"));
    }

    #[test]
    fn an_occurrence_of_a_series_gets_an_override() {
        let out = move_in_ics(
            SERIES,
            "weekly",
            Some("20261125T100000Z"),
            t("2026-11-25T15:00:00Z"),
            t("2026-11-25T15:30:00Z"),
            t("2026-11-20T00:00:00Z"),
        )
        .unwrap();
        let weekly: Vec<Event> = events(&out)
            .into_iter()
            .filter(|e| e.get_uid() == Some("weekly"))
            .collect();
        assert_eq!(weekly.len(), 2);
        let master = weekly
            .iter()
            .find(|e| e.property_value("RECURRENCE-ID").is_none())
            .unwrap();
        assert_eq!(master.property_value("RRULE"), Some("FREQ=WEEKLY"));
        let moved = weekly
            .iter()
            .find(|e| e.property_value("RECURRENCE-ID") == Some("20261125T100000Z"))
            .unwrap();
        assert_eq!(moved.property_value("RRULE"), None);
        assert_eq!(moved.get_sequence(), Some(1));
        assert_eq!(moved.property_value("DTSTART"), Some("20261125T150000Z"));
        assert_eq!(moved.get_summary(), Some("Standup"));
        // Moving it again changes the override, not a second one.
        let again = move_in_ics(
            &out,
            "weekly",
            Some("20261125T100000Z"),
            t("2026-11-25T16:00:00Z"),
            t("2026-11-25T16:30:00Z"),
            t("2026-11-20T00:00:00Z"),
        )
        .unwrap();
        assert_eq!(
            events(&again)
                .iter()
                .filter(|e| e.get_uid() == Some("weekly"))
                .count(),
            2
        );
        assert!(move_in_ics(
            SERIES,
            "nope",
            None,
            t("2026-11-25T16:00:00Z"),
            t("2026-11-25T16:30:00Z"),
            t("2026-11-20T00:00:00Z")
        )
        .is_err());
    }

    /// The contract with the pipeline's reader: a Google export with a series, an override
    /// written in its zone and an EXDATE (the pipeline's fixture), with one override moved again
    /// and one occurrence moved for the first time, is the committed
    /// `google-recurring-dst-moved.ics`, which the pipeline's tests read back
    /// (`crates/pipeline/src/ical/tests.rs`). `MINDY_UPDATE_FIXTURES=1` rewrites it.
    #[test]
    fn moves_in_a_google_export_are_the_file_the_pipeline_reads() {
        let fixtures =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../pipeline/tests/fixtures/ics");
        let original = std::fs::read_to_string(fixtures.join("google-recurring-dst.ics")).unwrap();
        let stamp = t("2025-11-01T00:00:00Z");
        let uid = "weekly-pipeline@google.com";
        // The 3 November occurrence already has an override (RECURRENCE-ID in New York time).
        let once = move_in_ics(
            &original,
            uid,
            Some("20251103T140000Z"),
            t("2025-11-05T15:00:00Z"),
            t("2025-11-05T16:00:00Z"),
            stamp,
        )
        .unwrap();
        let twice = move_in_ics(
            &once,
            uid,
            Some("20251117T140000Z"),
            t("2025-11-18T16:00:00Z"),
            t("2025-11-18T17:00:00Z"),
            stamp,
        )
        .unwrap();
        let overrides = |text: &str| {
            events(text)
                .iter()
                .filter(|e| e.get_uid() == Some(uid) && e.property_value("RECURRENCE-ID").is_some())
                .count()
        };
        assert_eq!(overrides(&original), 2);
        assert_eq!(
            overrides(&once),
            2,
            "the existing override is moved, not doubled"
        );
        assert_eq!(overrides(&twice), 3);
        let path = fixtures.join("google-recurring-dst-moved.ics");
        if std::env::var_os("MINDY_UPDATE_FIXTURES").is_some() {
            std::fs::write(&path, &twice).unwrap();
        }
        assert_eq!(std::fs::read_to_string(&path).unwrap(), twice);
    }
}
