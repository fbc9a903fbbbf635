//! Optimising a day (issue 19) through the API, on the local calendar store: "What's my busiest
//! day this week?", "Yes, optimize it" → a plan (nothing changes), "yes" → the moves written
//! into the user's own calendar file (which `mindy ingest ics` reads back) and the lunch and
//! travel blocks into the store's file; then "undo" → "yes" puts everything back.
//!
//! The day (Fri 27 Nov 2026, UTC; today is Thu 26) has every concern: a client call
//! overlapping an internal standup, meetings through lunch, ten minutes to cross town, and
//! John — in two of the user's meetings — busy 15:00–16:00 in a meeting the user declined.
//! The result is checked on the files themselves, parsed: no overlap left, nothing moved onto
//! John's other meeting, nothing moved that the user does not organise.

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDateTime, Utc};
use icalendar::{Calendar, CalendarComponent, Component};
use mindy_test::unique;
use serde_json::Value;
use sqlx::PgPool;

use crate::util::{ActionSetup, Options, TestApp};

const ME: &str = "sarah@northwind.example";
const JOHN: &str = "john@northwind.example";
const EMILY: &str = "emily@northwind.example";
const TOM: &str = "tom@acme.example";
const DAY: &str = "2026-11-27";
const SOURCE: &str = "sarah.ics";

/// (uid, start, end, summary, location, organiser, other attendees, participants, recurring,
/// the user's response)
type Seeded = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
    &'static [&'static str],
    i32,
    bool,
    &'static str,
);

const EVENTS: &[Seeded] = &[
    (
        "call",
        "10:00",
        "11:00",
        "Acme escalation call",
        None,
        TOM,
        &[TOM],
        2,
        false,
        "accepted",
    ),
    (
        "standup",
        "10:30",
        "11:00",
        "Sales standup",
        None,
        ME,
        &[JOHN],
        2,
        true,
        "accepted",
    ),
    (
        "board",
        "11:00",
        "12:00",
        "Board prep",
        None,
        ME,
        &[JOHN, EMILY],
        7,
        false,
        "accepted",
    ),
    (
        "review",
        "12:00",
        "13:00",
        "Pipeline review",
        None,
        ME,
        &[JOHN],
        2,
        false,
        "accepted",
    ),
    (
        "talk",
        "13:00",
        "14:00",
        "Team talk",
        Some("HQ"),
        ME,
        &[EMILY],
        2,
        false,
        "accepted",
    ),
    (
        "visit",
        "14:10",
        "15:00",
        "Acme site visit",
        Some("Acme Office"),
        TOM,
        &[TOM],
        2,
        false,
        "accepted",
    ),
    (
        "john-1on1",
        "15:00",
        "16:00",
        "John / Priya",
        None,
        JOHN,
        &[JOHN],
        3,
        false,
        "declined",
    ),
];

fn at(hm: &str) -> DateTime<Utc> {
    format!("{DAY}T{hm}:00Z").parse().unwrap()
}

fn ics_time(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// The user's calendar file, as an export would have it.
fn source_file(dir: &Path) -> PathBuf {
    let mut text = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n");
    for (uid, start, end, summary, location, organiser, others, _, _, response) in EVENTS {
        text.push_str(&format!(
            "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261120T000000Z\r\nDTSTART:{}\r\nDTEND:{}\r\n\
             SUMMARY:{summary}\r\nORGANIZER:mailto:{organiser}\r\n\
             ATTENDEE;PARTSTAT={}:mailto:{ME}\r\n",
            ics_time(at(start)),
            ics_time(at(end)),
            response.to_uppercase()
        ));
        for o in *others {
            text.push_str(&format!("ATTENDEE;PARTSTAT=ACCEPTED:mailto:{o}\r\n"));
        }
        if let Some(l) = location {
            text.push_str(&format!("LOCATION:{l}\r\n"));
        }
        text.push_str("END:VEVENT\r\n");
    }
    text.push_str("END:VCALENDAR\r\n");
    let file = dir.join(SOURCE);
    std::fs::write(&file, text).unwrap();
    file
}

/// The serving tables as the stream and the exporter would fill them from that file.
pub(crate) async fn seed(db: &PgPool) {
    for (
        uid,
        start,
        end,
        summary,
        location,
        organiser,
        others,
        participants,
        recurring,
        response,
    ) in EVENTS
    {
        let id = format!("ics:{SOURCE}/{uid}");
        let busy = *response != "declined";
        sqlx::query(
            "INSERT INTO calendar_events (id, calendar_id, event_id, status, summary, location, \
             location_kind, all_day, starts_at, ends_at, local_date, local_start, local_end, \
             duration_minutes, organizer_address, participant_count, busy, is_meeting, is_one_on_one, \
             recurring, ingested_at) VALUES ($1, $2, $3, 'confirmed', $4, $5, $6, false, $7, $8, \
             $9::date, $7 AT TIME ZONE 'UTC', $8 AT TIME ZONE 'UTC', $10, $11, $12, $13, true, $14, $15, now())",
        )
        .bind(&id)
        .bind(format!("ics:{SOURCE}"))
        .bind(uid)
        .bind(summary)
        .bind(location)
        .bind(location.map(|_| "physical"))
        .bind(at(start))
        .bind(at(end))
        .bind(DAY)
        .bind((at(end) - at(start)).num_minutes() as i32)
        .bind(organiser)
        .bind(participants)
        .bind(busy)
        .bind(*participants == 2)
        .bind(recurring)
        .execute(db)
        .await
        .unwrap();
        let mut people = vec![(ME, *organiser == ME, *response)];
        for o in *others {
            people.push((o, o == organiser, "accepted"));
        }
        for (address, organises, response) in people {
            sqlx::query(
                "INSERT INTO calendar_attendees (id, address, date, starts_at, summary, name, is_self, \
                 is_organizer, response, org_domain, is_external) VALUES ($1, $2, $3::date, $4, $5, $6, \
                 $7, $8, $9, split_part($2, '@', 2), split_part($2, '@', 2) <> 'northwind.example')",
            )
            .bind(&id)
            .bind(address)
            .bind(DAY)
            .bind(at(start))
            .bind(summary)
            .bind(address.split('@').next().unwrap())
            .bind(address == ME)
            .bind(organises)
            .bind(response)
            .execute(db)
            .await
            .unwrap();
        }
    }
    for (date, weekday, count, minutes) in [
        ("2026-11-24", "Tuesday", 2, 90),
        ("2026-11-26", "Thursday", 3, 150),
        (DAY, "Friday", 6, 320),
    ] {
        sqlx::query(
            "INSERT INTO calendar_days (date, weekday, meeting_count, meeting_minutes, meeting_hours, \
             lunch_free, conflict_count, computed_at) VALUES ($1::date, $2, $3, $4, $4 / 60.0, false, 1, now())",
        )
        .bind(date)
        .bind(weekday)
        .bind(count)
        .bind(minutes)
        .execute(db)
        .await
        .unwrap();
    }
}

/// Every event of the files on the day that blocks the user's time: (uid, summary, start, end).
fn busy_in(files: &[&Path]) -> Vec<(String, String, NaiveDateTime, NaiveDateTime)> {
    let time = |s: &str| NaiveDateTime::parse_from_str(s, "%Y%m%dT%H%M%SZ").unwrap();
    let mut out = Vec::new();
    for file in files {
        let calendar: Calendar = std::fs::read_to_string(file).unwrap().parse().unwrap();
        for c in &calendar.components {
            let CalendarComponent::Event(e) = c else {
                continue;
            };
            let declined = e
                .multi_properties()
                .get("ATTENDEE")
                .into_iter()
                .flatten()
                .any(|a| {
                    a.value().ends_with(ME)
                        && a.params().get("PARTSTAT").map(|p| p.value()) == Some("DECLINED")
                });
            if declined || e.property_value("STATUS") == Some("CANCELLED") {
                continue;
            }
            out.push((
                e.get_uid().unwrap().to_string(),
                e.get_summary().unwrap_or_default().to_string(),
                time(e.property_value("DTSTART").unwrap()),
                time(e.property_value("DTEND").unwrap()),
            ));
        }
    }
    out.sort_by_key(|(_, _, s, _)| *s);
    out
}

fn overlaps(events: &[(String, String, NaiveDateTime, NaiveDateTime)]) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for (i, a) in events.iter().enumerate() {
        for b in &events[i + 1..] {
            if a.2 < b.3 && b.2 < a.3 {
                pairs.push((a.1.clone(), b.1.clone()));
            }
        }
    }
    pairs
}

fn kinds(proposal: &Value) -> Vec<&str> {
    proposal["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["kind"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn the_busiest_day_is_optimised_on_yes_and_undone() {
    let dir = std::env::temp_dir().join(unique("mindy-optimise"));
    std::fs::create_dir_all(&dir).unwrap();
    let source = source_file(&dir);
    let original = std::fs::read_to_string(&source).unwrap();
    let store = dir.join("mini-mindy.ics");
    let app = TestApp::with(Options {
        actions: Some(ActionSetup::local(0, store.clone(), 3600)),
        ..Options::semantic()
    })
    .await;
    seed(&app.db.owner).await;
    let before = busy_in(&[&source]);
    assert_eq!(overlaps(&before).len(), 1, "{before:?}");

    let day = app.ask("What's my busiest day this week?", None).await;
    let conversation = day["conversation_id"].as_str().unwrap().to_string();
    assert!(
        day["answer"].as_str().unwrap().contains("Fri 27 Nov"),
        "{day}"
    );
    let planned = app.ask("Yes, optimize it", Some(&conversation)).await;
    assert_eq!(planned["kind"], "action", "{planned}");
    let proposal = &planned["proposal"];
    assert_eq!(proposal["status"], "proposed", "{planned}");
    let answer = planned["answer"].as_str().unwrap();
    assert!(
        answer.contains("Friday 27 November")
            && answer.contains("conflicts 1 → 0")
            && answer.contains("lunch busy → free")
            && answer.contains("tight travel 1 → 0"),
        "{answer}"
    );
    let planned_kinds = kinds(proposal);
    assert!(
        planned_kinds.contains(&"move_event") && planned_kinds.contains(&"block_time"),
        "{planned_kinds:?}"
    );
    let moved: Vec<&str> = proposal["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "move_event")
        .map(|a| a["event"]["event_id"].as_str().unwrap())
        .collect();
    for fixed in ["call", "visit", "board", "john-1on1"] {
        assert!(
            !moved.contains(&fixed),
            "{fixed} is not the user's to move: {moved:?}"
        );
    }
    // Nothing changed before the confirmation.
    assert_eq!(std::fs::read_to_string(&source).unwrap(), original);
    assert!(!store.exists());

    let done = app.ask("yes", Some(&conversation)).await;
    assert_eq!(done["proposal"]["status"], "done", "{done}");
    let after = busy_in(&[&source, &store]);
    assert!(overlaps(&after).is_empty(), "overlaps left: {after:?}");
    let johns = (at("15:00").naive_utc(), at("16:00").naive_utc());
    for (uid, summary, start, end) in &after {
        if ["standup", "board", "review"].contains(&uid.as_str()) {
            assert!(
                !(*start < johns.1 && johns.0 < *end),
                "{summary} was put on John's other meeting"
            );
        }
    }
    let summaries: Vec<&str> = after.iter().map(|e| e.1.as_str()).collect();
    assert!(
        summaries.contains(&"Lunch") && summaries.contains(&"Travel to Acme Office"),
        "{summaries:?}"
    );
    let lunch = after.iter().find(|e| e.1 == "Lunch").unwrap();
    assert!(lunch.3 - lunch.2 >= chrono::Duration::minutes(30));
    // The moved events carry a higher SEQUENCE, so calendar clients take the change.
    let moved_text = std::fs::read_to_string(&source).unwrap();
    assert!(moved_text.contains("SEQUENCE:1"), "{moved_text}");

    // Undo: proposed, then applied on yes; the file's times are the original ones again.
    let undo = app.ask("undo that", Some(&conversation)).await;
    assert_eq!(undo["proposal"]["status"], "proposed", "{undo}");
    assert!(kinds(&undo["proposal"]).contains(&"remove_block"));
    let undone = app.ask("yes", Some(&conversation)).await;
    assert_eq!(undone["proposal"]["status"], "done", "{undone}");
    let restored = busy_in(&[&source, &store]);
    let times = |v: &[(String, String, NaiveDateTime, NaiveDateTime)]| {
        v.iter()
            .map(|(u, _, s, e)| (u.clone(), *s, *e))
            .collect::<Vec<_>>()
    };
    assert_eq!(times(&restored), times(&before));

    // The audit lists the plan and its undo, each step with its id.
    let (_, audit) = app.get("/api/actions/audit").await;
    let executed = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event"] == "executed")
        .count();
    assert!(executed >= 2 * moved.len(), "{audit}");
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn optimising_needs_a_day_to_come() {
    let dir = std::env::temp_dir().join(unique("mindy-optimise"));
    let app = TestApp::with(Options {
        actions: Some(ActionSetup::local(0, dir.join("mini-mindy.ics"), 3600)),
        ..Options::semantic()
    })
    .await;
    let reply = app.ask("optimize it", None).await;
    assert!(
        reply["answer"]
            .as_str()
            .unwrap()
            .starts_with("Which day should I optimise?"),
        "{reply}"
    );
    assert!(reply["proposal"].is_null());
    let empty = app.ask("optimize tomorrow", None).await;
    assert!(
        empty["answer"]
            .as_str()
            .unwrap()
            .contains("has no meetings to optimise"),
        "{empty}"
    );
}

/// `(kind, starts_at, ends_at)` of each action of a proposal that puts something in the calendar.
fn slots(proposal: &Value) -> Vec<(String, DateTime<Utc>, DateTime<Utc>)> {
    proposal["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "move_event" || a["kind"] == "block_time")
        .map(|a| {
            let t = |k: &str| a[k].as_str().unwrap().parse::<DateTime<Utc>>().unwrap();
            (
                a["kind"].as_str().unwrap().to_string(),
                t("starts_at"),
                t("ends_at"),
            )
        })
        .collect()
}

/// "What's my busiest day this week?", "Yes, optimize it": the plan proposed.
async fn plan(app: &TestApp) -> Value {
    let day = app.ask("What's my busiest day this week?", None).await;
    let conversation = day["conversation_id"].as_str().unwrap().to_string();
    let planned = app.ask("Yes, optimize it", Some(&conversation)).await;
    assert_eq!(planned["proposal"]["status"], "proposed", "{planned}");
    planned["proposal"].clone()
}

/// A call scheduled a moment ago is in the local store but not yet in the serving tables (the
/// pipeline carries it there a minute later): the optimiser plans around it all the same. The
/// call is put exactly where a first plan moved a meeting; the plan made after it puts nothing
/// there.
#[tokio::test]
async fn an_event_scheduled_a_moment_ago_is_planned_around() {
    let dir = std::env::temp_dir().join(unique("mindy-optimise"));
    std::fs::create_dir_all(&dir).unwrap();
    source_file(&dir);
    let app = TestApp::with(Options {
        actions: Some(ActionSetup::local(0, dir.join("mini-mindy.ics"), 3600)),
        ..Options::semantic()
    })
    .await;
    seed(&app.db.owner).await;
    let first = plan(&app).await;
    let (_, starts_at, ends_at) = slots(&first)
        .into_iter()
        .find(|(kind, _, _)| kind == "move_event")
        .expect("the first plan moves a meeting");

    sqlx::query(
        "INSERT INTO local_calendar_events (uid, summary, starts_at, ends_at, timezone, organizer, \
         attendees) VALUES ('follow-up@mini-mindy', 'Acme follow-up call', $1, $2, 'UTC', $3, $4)",
    )
    .bind(starts_at)
    .bind(ends_at)
    .bind(ME)
    .bind(serde_json::json!([{"address": TOM, "name": "Tom"}]))
    .execute(&app.db.owner)
    .await
    .unwrap();
    let second = plan(&app).await;
    for (_, start, end) in slots(&second) {
        assert!(
            !(start < ends_at && starts_at < end),
            "{start}–{end} is on the call scheduled a moment ago ({starts_at}–{ends_at}): {second}"
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}
