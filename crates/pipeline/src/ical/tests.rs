//! The reader against files as Google Calendar and Outlook write them (fixtures in
//! `tests/fixtures/ics/`): recurrence with an exception, a moved and a cancelled occurrence
//! across a daylight-saving change; Windows zone names and a `VTIMEZONE`-only zone; all-day and
//! floating events; participants; what a broken event does to the rest of the file.

use chrono::{NaiveDate, TimeZone, Utc};
use mindy_core::calendar::{CalendarSource, EventStatus, Response};

use super::*;

const DST: &str = include_str!("../../tests/fixtures/ics/google-recurring-dst.ics");
const OUTLOOK: &str = include_str!("../../tests/fixtures/ics/outlook-windows-zones.ics");

fn options(calendar: &str) -> IcsOptions {
    IcsOptions {
        source: CalendarSource::Ics,
        calendar_id: format!("ics:{calendar}"),
        window: (
            Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        ),
        owner: None,
        now: Utc.with_ymd_and_hms(2025, 11, 1, 12, 0, 0).unwrap(),
    }
}

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

#[test]
fn a_weekly_series_keeps_its_local_time_across_the_dst_change_with_its_exceptions() {
    let parsed = parse(DST, &options("dst.ics")).unwrap();
    assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
    let weekly: Vec<&CalendarRecord> = parsed
        .records
        .iter()
        .filter(|r| r.event_id == "weekly-pipeline@google.com")
        .collect();
    let seen: Vec<(&str, Option<DateTime<Utc>>, EventStatus)> = weekly
        .iter()
        .map(|r| (r.recurrence_id.as_deref().unwrap(), r.start, r.status))
        .collect();
    assert_eq!(
        seen,
        [
            // 09:00 EDT is 13:00 UTC until 2 November...
            (
                "20251020T130000Z",
                Some(utc("2025-10-20T13:00:00Z")),
                EventStatus::Confirmed
            ),
            // ... the 27 October occurrence is cancelled by its override ...
            (
                "20251027T130000Z",
                Some(utc("2025-10-27T13:00:00Z")),
                EventStatus::Cancelled
            ),
            // ... the 3 November one moved to Tuesday 07:30 EST, keyed by its original start ...
            (
                "20251103T140000Z",
                Some(utc("2025-11-04T12:30:00Z")),
                EventStatus::Confirmed
            ),
            // ... 10 November is an EXDATE; after the change 09:00 EST is 14:00 UTC, and the
            // UNTIL (14:00Z) includes 24 November.
            (
                "20251117T140000Z",
                Some(utc("2025-11-17T14:00:00Z")),
                EventStatus::Confirmed
            ),
            (
                "20251124T140000Z",
                Some(utc("2025-11-24T14:00:00Z")),
                EventStatus::Confirmed
            ),
        ]
    );
    let moved = weekly[2];
    assert_eq!(
        moved.summary,
        "Weekly Sales Pipeline Review (moved to Tuesday)"
    );
    assert_eq!(moved.end, Some(utc("2025-11-04T13:30:00Z")));
    assert_eq!(moved.sequence, 1);
    // The override leaves out location and people: the master's apply.
    assert_eq!(moved.location.as_deref(), Some("HQ - Board Room"));
    assert_eq!(moved.attendees.len(), 2);
    assert_eq!(moved.timezone.as_deref(), Some("America/New_York"));
    assert_eq!(
        moved.id,
        "ics:dst.ics/weekly-pipeline@google.com/20251103T140000Z"
    );
    assert_eq!(weekly[0].end, Some(utc("2025-10-20T14:00:00Z")));
    assert_eq!(weekly[3].end, Some(utc("2025-11-17T15:00:00Z")));
}

#[test]
fn all_day_and_floating_events_stay_dates_and_wall_clock_times() {
    let parsed = parse(DST, &options("dst.ics")).unwrap();
    let offsite = parsed
        .records
        .iter()
        .find(|r| r.event_id == "offsite@google.com")
        .unwrap();
    assert!(offsite.all_day && offsite.transparent);
    assert_eq!(offsite.start_date, NaiveDate::from_ymd_opt(2025, 10, 15));
    assert_eq!(offsite.end_date, NaiveDate::from_ymd_opt(2025, 10, 17));
    assert_eq!(
        (offsite.start, offsite.recurrence_id.as_deref()),
        (None, None)
    );
    let birthdays: Vec<&CalendarRecord> = parsed
        .records
        .iter()
        .filter(|r| r.event_id == "birthday-john@google.com")
        .collect();
    // A yearly all-day series from 1980, expanded over the 2025 window only.
    assert_eq!(birthdays.len(), 1);
    assert_eq!(
        birthdays[0].start_date,
        NaiveDate::from_ymd_opt(2025, 3, 12)
    );
    assert_eq!(birthdays[0].end_date, NaiveDate::from_ymd_opt(2025, 3, 13));
    assert_eq!(birthdays[0].recurrence_id.as_deref(), Some("20250312"));
    let lunch = parsed
        .records
        .iter()
        .find(|r| r.event_id == "floating-lunch@google.com")
        .unwrap();
    assert_eq!(lunch.start, None);
    assert_eq!(
        lunch.floating_start,
        NaiveDate::from_ymd_opt(2025, 10, 15)
            .unwrap()
            .and_hms_opt(12, 0, 0)
    );
    assert_eq!(lunch.timezone, None);
}

#[test]
fn windows_zone_names_and_vtimezone_rules_resolve() {
    let parsed = parse(OUTLOOK, &options("outlook.ics")).unwrap();
    assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
    let by_uid = |uid: &str| -> Vec<&CalendarRecord> {
        parsed
            .records
            .iter()
            .filter(|r| r.event_id.starts_with(uid))
            .collect()
    };
    let techflow = by_uid("040000008200E00074C5B7101A82E008")[0];
    assert_eq!(techflow.timezone.as_deref(), Some("America/New_York"));
    assert_eq!(techflow.start, Some(utc("2025-10-14T13:00:00Z")));
    assert_eq!(techflow.summary, "TechFlow renewal; contract review");
    assert_eq!(
        techflow.location.as_deref(),
        Some("TechFlow Inc HQ, 200 Harbor Drive")
    );
    assert_eq!(techflow.updated, Some(utc("2025-10-10T09:12:00Z")));
    let organizer = techflow.organizer.as_ref().unwrap();
    assert_eq!(organizer.name.as_deref(), Some("Mitchell, Sarah"));
    assert_eq!(organizer.address, "sarah.mitchell@northwind.example");
    // The room is a resource, not a participant; Marcus is optional and declined.
    let attendees: Vec<(&str, Option<Response>, bool)> = techflow
        .attendees
        .iter()
        .map(|a| (a.address.as_str(), a.response, a.optional))
        .collect();
    assert_eq!(
        attendees,
        [
            (
                "jennifer.martinez@techflow.example",
                Some(Response::Accepted),
                false
            ),
            (
                "marcus.reed@northwind.example",
                Some(Response::Declined),
                true
            ),
        ]
    );
    // W. Europe Standard Time is Europe/Berlin: 10:00 CET on 27 October (after the change) is
    // 09:00 UTC.
    let emea = by_uid("emea-weekly");
    assert_eq!(emea.len(), 3);
    assert_eq!(emea[0].timezone.as_deref(), Some("Europe/Berlin"));
    assert_eq!(emea[0].start, Some(utc("2025-10-27T09:00:00Z")));
    // A custom zone only its VTIMEZONE defines (-03:00, no DST).
    let custom = by_uid("custom-zone")[0];
    assert_eq!(
        custom.timezone.as_deref(),
        Some("vtimezone:Customized Time Zone")
    );
    assert_eq!(custom.start, Some(utc("2025-10-15T12:00:00Z")));
    // A Windows name without a VTIMEZONE, and a DURATION instead of DTEND.
    let paris = by_uid("romance")[0];
    assert_eq!(paris.timezone.as_deref(), Some("Europe/Paris"));
    assert_eq!(paris.start, Some(utc("2025-10-16T12:00:00Z")));
    assert_eq!(paris.end, Some(utc("2025-10-16T12:45:00Z")));
}

#[test]
fn the_owner_is_inferred_and_marked() {
    let parsed = parse(DST, &options("dst.ics")).unwrap();
    assert_eq!(
        parsed.owner,
        Some(("sarah.mitchell@northwind.example".to_string(), true))
    );
    let first = &parsed.records[0];
    let sarah = first
        .attendees
        .iter()
        .find(|a| a.address.starts_with("sarah"))
        .unwrap();
    assert!(sarah.is_self);
    assert!(first.organizer.as_ref().unwrap().is_self);
    let mut given = options("dst.ics");
    given.owner = Some("John.Carter@northwind.example".into());
    let parsed = parse(DST, &given).unwrap();
    assert_eq!(
        parsed.owner,
        Some(("john.carter@northwind.example".to_string(), false))
    );
}

#[test]
fn a_complete_read_ends_with_a_snapshot_of_its_window() {
    let opts = options("dst.ics");
    let parsed = parse(DST, &opts).unwrap();
    let snapshot = parsed.snapshot.unwrap();
    assert_eq!(snapshot.id, "ics:dst.ics#snapshot");
    let window = snapshot.snapshot.unwrap();
    assert_eq!(
        (window.window_start, window.window_end),
        (Some(opts.window.0), Some(opts.window.1))
    );
    assert_eq!(window.started_at, opts.now);
    assert_eq!(window.instances as usize, parsed.records.len());
    // Every record passes the contract's rules.
    for record in &parsed.records {
        mindy_core::calendar::validate(&record.to_json())
            .unwrap_or_else(|e| panic!("{}: {e:?}", record.id));
    }
}

#[test]
fn a_broken_event_is_rejected_with_its_text_and_costs_the_file_its_snapshot() {
    let broken = DST.replace(
        "DTSTART:20251015T120000\r\n",
        "DTSTART;TZID=Mars/Olympus_Mons:20251015T120000\r\n",
    );
    let parsed = parse(&broken, &options("dst.ics")).unwrap();
    assert_eq!(parsed.rejected.len(), 1);
    let rejected = &parsed.rejected[0];
    assert_eq!(rejected.code, "ics.timezone");
    assert_eq!(rejected.source_ref, "floating-lunch@google.com");
    assert!(
        rejected.reason.contains("Mars/Olympus_Mons"),
        "{}",
        rejected.reason
    );
    assert!(rejected.raw.contains("BEGIN:VEVENT") && rejected.raw.contains("Lunch"));
    assert!(parsed
        .records
        .iter()
        .any(|r| r.event_id == "offsite@google.com"));
    assert!(parsed.snapshot.is_none());
    assert!(matches!(
        parse("From: someone\r\n\r\nnot a calendar", &options("x")),
        Err(IcalError::File(_))
    ));
}

#[test]
fn durations_read_as_rfc_5545_writes_them() {
    assert_eq!(parse_duration("PT1H30M").unwrap(), Duration::minutes(90));
    assert_eq!(parse_duration("P1D").unwrap(), Duration::days(1));
    assert_eq!(parse_duration("P2W").unwrap(), Duration::days(14));
    assert_eq!(parse_duration("-PT15M").unwrap(), Duration::minutes(-15));
    assert!(parse_duration("an hour").is_err());
}
