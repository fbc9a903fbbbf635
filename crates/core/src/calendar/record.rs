//! The versioned JSON record every calendar producer writes to `calendar-topic` and the validator
//! forwards, normalised, to `processed-calendar-topic`. `docs/calendar-record.md` documents it
//! field by field; a change that is not purely additive bumps [`SCHEMA_VERSION`].
//!
//! A record is one of two kinds ([`RecordKind`]):
//! - an **instance**: one occurrence of an event. A single event is one instance; a recurring
//!   event is expanded by the producer into its occurrences, each its own record keyed by the
//!   series id and the occurrence's *original* start (RFC 5545's `RECURRENCE-ID`), so a moved
//!   or cancelled occurrence replaces the one it was, not a neighbour. A cancelled instance
//!   (`status = cancelled`) is a deletion.
//! - a **snapshot**: written after a producer has read a whole calendar over a window (an `.ics`
//!   file, or a full sync of the Google Calendar API): every instance of that calendar that
//!   starts in the window and was ingested before the snapshot started is gone from the source
//!   unless the snapshot delivered it again. This is how events deleted while no incremental
//!   sync was possible (a `410 Gone`, an event removed from an `.ics` file) disappear.
//!
//! The struct is the record's one definition: its JSON is serde's and its Spark schema is derived
//! from it ([`CalendarRecord::spark_schema`]).

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use spark_client::types::StructType;

/// The record layout this crate writes and the validator, the stream and the jobs read.
pub const SCHEMA_VERSION: i32 = 1;

/// What a record is (see the module docs).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, spark_client::SparkType,
)]
#[serde(rename_all = "lowercase")]
pub enum RecordKind {
    /// One occurrence of an event.
    Instance,
    /// The end of a complete read of a calendar over a window.
    Snapshot,
}

impl RecordKind {
    /// Every kind, in declaration order.
    pub const ALL: [RecordKind; 2] = [RecordKind::Instance, RecordKind::Snapshot];

    /// The lower-case name used in the JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Instance => "instance",
            RecordKind::Snapshot => "snapshot",
        }
    }
}

/// Where a calendar record came from.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, spark_client::SparkType,
)]
#[serde(rename_all = "lowercase")]
pub enum CalendarSource {
    /// The Google Calendar API (`mindy ingest google-calendar`).
    Google,
    /// An iCalendar file (`mindy ingest ics`), the demo persona's calendar included.
    Ics,
}

impl CalendarSource {
    /// Every source, in declaration order.
    pub const ALL: [CalendarSource; 2] = [CalendarSource::Google, CalendarSource::Ics];

    /// The lower-case name used in the JSON and in DLQ headers.
    pub fn as_str(self) -> &'static str {
        match self {
            CalendarSource::Google => "google",
            CalendarSource::Ics => "ics",
        }
    }
}

/// An instance's status (RFC 5545 `STATUS`, Google's `status`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, spark_client::SparkType,
)]
#[serde(rename_all = "lowercase")]
pub enum EventStatus {
    /// It takes place.
    Confirmed,
    /// Not settled yet; counted as a meeting.
    Tentative,
    /// It does not take place: the instance is deleted downstream.
    Cancelled,
}

impl EventStatus {
    /// Every status, in declaration order.
    pub const ALL: [EventStatus; 3] = [
        EventStatus::Confirmed,
        EventStatus::Tentative,
        EventStatus::Cancelled,
    ];

    /// The lower-case name used in the JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            EventStatus::Confirmed => "confirmed",
            EventStatus::Tentative => "tentative",
            EventStatus::Cancelled => "cancelled",
        }
    }
}

/// A participant's answer to the invitation (RFC 5545 `PARTSTAT`, Google's `responseStatus`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, spark_client::SparkType,
)]
#[serde(rename_all = "snake_case")]
pub enum Response {
    /// Accepted.
    Accepted,
    /// Declined: the participant does not attend.
    Declined,
    /// Tentatively accepted.
    Tentative,
    /// Not answered yet.
    NeedsAction,
}

/// The organizer or an attendee of an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, spark_client::SparkType)]
pub struct Participant {
    /// Display name (`CN`, Google's `displayName`); `None` when not given.
    pub name: Option<String>,
    /// E-mail address as written by the source (the validator trims and lower-cases it).
    pub address: String,
    /// Their answer, when the source says.
    #[serde(default)]
    pub response: Option<Response>,
    /// True for the calendar's owner (Google's `self`; for files, `--owner` or inferred).
    #[serde(default)]
    pub is_self: bool,
    /// True for an optional attendee (`ROLE=OPT-PARTICIPANT`, Google's `optional`).
    #[serde(default)]
    pub optional: bool,
}

/// What a snapshot record says: the calendar was read completely over `[window_start,
/// window_end)` by a read that started at `started_at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, spark_client::SparkType)]
pub struct Snapshot {
    /// Start of the window read; `None` means unbounded.
    pub window_start: Option<DateTime<Utc>>,
    /// End of the window read (exclusive); `None` means unbounded.
    pub window_end: Option<DateTime<Utc>>,
    /// When the read started: every instance it delivered has `ingested_at` at or after it.
    pub started_at: DateTime<Utc>,
    /// Instances the read delivered (for the log; not used to decide anything).
    #[serde(default)]
    pub instances: i64,
}

/// One calendar record, as JSON on `calendar-topic` (keyed by [`CalendarRecord::id`]).
///
/// An instance's time is exactly one of: a timed event at an instant (`start`, `end`); an
/// all-day event (`all_day`, `start_date`, `end_date` with the end exclusive, as in RFC 5545);
/// or a floating timed event, a wall-clock time in whatever zone the user is in
/// (`floating_start`, `floating_end`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, spark_client::SparkType)]
pub struct CalendarRecord {
    /// Always [`SCHEMA_VERSION`] when written by this crate.
    pub schema_version: i32,
    /// Instance or snapshot.
    pub kind: RecordKind,
    /// Stable id, also the Kafka key: `<calendar_id>/<event_id>` for a single event,
    /// `<calendar_id>/<event_id>/<recurrence_id>` for an occurrence of a series, and
    /// `<calendar_id>#snapshot` for a snapshot.
    pub id: String,
    /// Which producer wrote the record.
    pub source: CalendarSource,
    /// The calendar: Google's calendar id (the owner's address for a primary calendar), or
    /// `google:<calendar>` for Google (`google:primary`), `ics:<file name>` for a file.
    pub calendar_id: String,
    /// The event (a series' id for its occurrences): iCalendar's `UID`, Google's event id
    /// (`recurringEventId` for an instance). Empty for a snapshot.
    #[serde(default)]
    pub event_id: String,
    /// The occurrence's original start, as RFC 5545 writes a `RECURRENCE-ID`: `20251008T130000Z`
    /// (UTC) or `20251008` (all-day). `None` for a single event.
    #[serde(default)]
    pub recurrence_id: Option<String>,
    /// Confirmed, tentative or cancelled (a deletion).
    pub status: EventStatus,
    /// The title (`SUMMARY`); empty when there is none.
    pub summary: String,
    /// Where (`LOCATION`): a room, an address, or a video-call link.
    #[serde(default)]
    pub location: Option<String>,
    /// True for an all-day event.
    #[serde(default)]
    pub all_day: bool,
    /// Start of a timed event, in UTC.
    #[serde(default)]
    pub start: Option<DateTime<Utc>>,
    /// End of a timed event, in UTC.
    #[serde(default)]
    pub end: Option<DateTime<Utc>>,
    /// First day of an all-day event.
    #[serde(default)]
    pub start_date: Option<NaiveDate>,
    /// The day after the last day of an all-day event (exclusive, as in RFC 5545).
    #[serde(default)]
    pub end_date: Option<NaiveDate>,
    /// Start of a floating timed event: a wall-clock time without a zone.
    #[serde(default)]
    pub floating_start: Option<NaiveDateTime>,
    /// End of a floating timed event.
    #[serde(default)]
    pub floating_end: Option<NaiveDateTime>,
    /// The zone the source wrote the event in, resolved to an IANA name when it could be
    /// (`TZID`, a Windows zone name, a `VTIMEZONE`'s own rules as `vtimezone:<TZID>`); `None`
    /// for UTC, all-day and floating events.
    #[serde(default)]
    pub timezone: Option<String>,
    /// Who organises it.
    #[serde(default)]
    pub organizer: Option<Participant>,
    /// Who is invited (the organizer too, when the source lists them).
    #[serde(default)]
    pub attendees: Vec<Participant>,
    /// True when the event does not block time (`TRANSP:TRANSPARENT`, Google's
    /// `transparency: transparent`): not counted as a meeting.
    #[serde(default)]
    pub transparent: bool,
    /// The source's revision number (`SEQUENCE`), 0 when absent.
    #[serde(default)]
    pub sequence: i32,
    /// When the source last changed the event (`LAST-MODIFIED`, Google's `updated`).
    #[serde(default)]
    pub updated: Option<DateTime<Utc>>,
    /// The read this snapshot closes (`kind = snapshot` only).
    #[serde(default)]
    pub snapshot: Option<Snapshot>,
    /// When the producer read the event: the record's version downstream (a later one replaces
    /// an earlier one with the same id).
    pub ingested_at: DateTime<Utc>,
}

impl CalendarRecord {
    /// The record's Spark schema, as the stream parses `processed-calendar-topic` with it.
    pub fn spark_schema() -> StructType {
        StructType::of::<CalendarRecord>()
    }

    /// The record as JSON bytes.
    pub fn to_json(&self) -> Vec<u8> {
        // Serializing plain data with string keys cannot fail.
        serde_json::to_vec(self).expect("a CalendarRecord serializes")
    }

    /// The id of an instance: `<calendar>/<event>` or `<calendar>/<event>/<recurrence id>`.
    pub fn instance_id(calendar_id: &str, event_id: &str, recurrence_id: Option<&str>) -> String {
        match recurrence_id {
            Some(r) => format!("{calendar_id}/{event_id}/{r}"),
            None => format!("{calendar_id}/{event_id}"),
        }
    }

    /// The id of a calendar's snapshot records.
    pub fn snapshot_id(calendar_id: &str) -> String {
        format!("{calendar_id}#snapshot")
    }

    /// A snapshot record for `calendar_id`.
    pub fn snapshot(
        source: CalendarSource,
        calendar_id: &str,
        snapshot: Snapshot,
        now: DateTime<Utc>,
    ) -> CalendarRecord {
        CalendarRecord {
            schema_version: SCHEMA_VERSION,
            kind: RecordKind::Snapshot,
            id: CalendarRecord::snapshot_id(calendar_id),
            source,
            calendar_id: calendar_id.to_string(),
            event_id: String::new(),
            recurrence_id: None,
            status: EventStatus::Confirmed,
            summary: String::new(),
            location: None,
            all_day: false,
            start: None,
            end: None,
            start_date: None,
            end_date: None,
            floating_start: None,
            floating_end: None,
            timezone: None,
            organizer: None,
            attendees: Vec::new(),
            transparent: false,
            sequence: 0,
            updated: None,
            snapshot: Some(snapshot),
            ingested_at: now,
        }
    }
}

/// Formats an original start the way [`CalendarRecord::recurrence_id`] holds it.
pub fn recurrence_id_of_instant(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

/// Formats an all-day original start the way [`CalendarRecord::recurrence_id`] holds it.
pub fn recurrence_id_of_date(day: NaiveDate) -> String {
    day.format("%Y%m%d").to_string()
}

/// Formats a floating original start (no zone, no `Z`).
pub fn recurrence_id_of_floating(at: NaiveDateTime) -> String {
    at.format("%Y%m%dT%H%M%S").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spark_schema_is_the_json_layout() {
        let schema = CalendarRecord::spark_schema();
        let ddl = |name: &str| schema.get(name).unwrap().data_type.to_ddl();
        assert_eq!(ddl("start"), "TIMESTAMP");
        assert_eq!(ddl("start_date"), "DATE");
        assert_eq!(ddl("floating_start"), "TIMESTAMP_NTZ");
        assert_eq!(ddl("kind"), "STRING");
        assert!(ddl("attendees").starts_with("ARRAY<STRUCT<name: STRING, address: STRING"));
        assert!(!schema.get("id").unwrap().nullable);
        assert!(schema.get("start").unwrap().nullable);
    }

    #[test]
    fn the_record_document_lists_exactly_the_records_fields() {
        let doc = include_str!("../../../../docs/calendar-record.md");
        let section = doc.split("## Fields").nth(1).unwrap().split("\n## ").next();
        let documented: Vec<&str> = section
            .unwrap()
            .lines()
            .filter_map(|l| l.strip_prefix("| `"))
            .filter_map(|l| l.split('`').next())
            .collect();
        assert_eq!(
            documented,
            CalendarRecord::spark_schema().names(),
            "docs/calendar-record.md's field table"
        );
    }

    #[test]
    fn names_match_serde() {
        for kind in RecordKind::ALL {
            assert_eq!(
                serde_json::to_string(&kind).unwrap(),
                format!("\"{}\"", kind.as_str())
            );
        }
        for source in CalendarSource::ALL {
            assert_eq!(
                serde_json::to_string(&source).unwrap(),
                format!("\"{}\"", source.as_str())
            );
        }
        for status in EventStatus::ALL {
            assert_eq!(
                serde_json::to_string(&status).unwrap(),
                format!("\"{}\"", status.as_str())
            );
        }
        assert_eq!(
            serde_json::to_string(&Response::NeedsAction).unwrap(),
            "\"needs_action\""
        );
    }

    #[test]
    fn ids_name_the_calendar_the_event_and_the_occurrence() {
        assert_eq!(
            CalendarRecord::instance_id("ics:work.ics", "uid-1", Some("20251008T130000Z")),
            "ics:work.ics/uid-1/20251008T130000Z"
        );
        assert_eq!(CalendarRecord::instance_id("c", "e", None), "c/e");
        assert_eq!(CalendarRecord::snapshot_id("c"), "c#snapshot");
    }
}
