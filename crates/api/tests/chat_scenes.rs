//! The demo scenes through the API on seeded serving tables: the briefing, the busiest day of a
//! week, the patterns and the clients met and mailed. Every expectation is computed here from
//! the seeded rows (the mail of `chat_intel`, a week of calendar days, meetings and attendees),
//! never copied from the answer. Today is Thu 26 Nov 2026, now 09:00 UTC (the test clock).

use chrono::{DateTime, Duration, Utc};

use crate::chat_intel::{mails, seed, Mail};
use crate::util::{answer, section, TestApp};

/// A seeded `calendar_days` row: date, weekday, meetings, minutes, lunch free, back-to-back run.
struct Day {
    date: &'static str,
    weekday: &'static str,
    meetings: i64,
    minutes: i64,
    lunch_free: bool,
    run: Option<(&'static str, &'static str, i64, i64)>,
}

const WEEK: &[Day] = &[
    Day {
        date: "2026-11-23",
        weekday: "Monday",
        meetings: 2,
        minutes: 60,
        lunch_free: true,
        run: None,
    },
    Day {
        date: "2026-11-24",
        weekday: "Tuesday",
        meetings: 4,
        minutes: 210,
        lunch_free: true,
        run: None,
    },
    Day {
        date: "2026-11-25",
        weekday: "Wednesday",
        meetings: 6,
        minutes: 330,
        lunch_free: false,
        run: Some(("09:00", "14:00", 5, 300)),
    },
    Day {
        date: "2026-11-26",
        weekday: "Thursday",
        meetings: 3,
        minutes: 150,
        lunch_free: true,
        run: None,
    },
    Day {
        date: "2026-11-27",
        weekday: "Friday",
        meetings: 1,
        minutes: 30,
        lunch_free: true,
        run: None,
    },
];

/// Meetings: (id, date, start, end, summary, location, attendees as (address, name, domain)).
type Meeting = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static [(&'static str, &'static str, &'static str)],
);

const MEETINGS: &[Meeting] = &[
    (
        "w1",
        "2026-11-25",
        "09:00",
        "10:00",
        "Pipeline review",
        Some("Office"),
        &[],
    ),
    (
        "w2",
        "2026-11-25",
        "10:00",
        "11:30",
        "Strategy Review",
        Some("Office"),
        &[],
    ),
    (
        "w3",
        "2026-11-25",
        "13:45",
        "14:00",
        "Client site visit",
        Some("Client HQ"),
        &[],
    ),
    ("t1", "2026-11-26", "08:00", "08:30", "Standup", None, &[]),
    (
        "t2",
        "2026-11-26",
        "10:00",
        "11:00",
        "Q4 Planning with Sales",
        Some("Room 4"),
        &[],
    ),
    (
        "t3",
        "2026-11-26",
        "10:30",
        "11:30",
        "Budget Review",
        None,
        &[],
    ),
    (
        "c1",
        "2026-11-27",
        "11:00",
        "11:30",
        "Emergency call",
        None,
        &[(
            "tom.anderson@acmecorp.example",
            "Tom Anderson",
            "acmecorp.example",
        )],
    ),
    (
        "c2",
        "2026-11-28",
        "15:00",
        "16:00",
        "Globex quarterly",
        None,
        &[("hank@globex.example", "Hank Scorpio", "globex.example")],
    ),
    (
        "c3",
        "2026-11-24",
        "16:00",
        "17:00",
        "Initech intro",
        None,
        &[("bill@initech.example", "Bill Lumbergh", "initech.example")],
    ),
    (
        "c4",
        "2026-12-02",
        "09:00",
        "10:00",
        "Acme next week",
        None,
        &[(
            "lisa.chen@acmecorp.example",
            "Lisa Chen",
            "acmecorp.example",
        )],
    ),
];

pub(crate) async fn seed_calendar(app: &TestApp) {
    let db = &app.db.owner;
    let computed: DateTime<Utc> = "2026-11-26T08:30:00Z".parse().unwrap();
    for d in WEEK {
        let (start, end, n, minutes) = d.run.unwrap_or(("", "", 0, 0));
        let at = |t: &str| (!t.is_empty()).then(|| format!("{} {t}:00", d.date));
        sqlx::query(
            "INSERT INTO calendar_days (date, weekday, meeting_count, meeting_minutes, meeting_hours, \
             busy_minutes, working_minutes, free_minutes, free_hours, longest_free_minutes, lunch_free, \
             back_to_back_runs, longest_back_to_back_minutes, longest_back_to_back_start, \
             longest_back_to_back_end, longest_back_to_back_meetings, conflict_count, location_count, \
             locations, travel_count, tight_travel_count, participant_count, external_participant_count, \
             computed_at) VALUES ($1::date, $2, $3, $4, $4 / 60.0, $4, 540, 540 - $4, (540 - $4) / 60.0, \
             60, $5, $6, $7, $8::timestamp, $9::timestamp, $10, 0, 0, NULL, 0, 0, $3 * 2, 1, $11)",
        )
        .bind(d.date)
        .bind(d.weekday)
        .bind(d.meetings)
        .bind(d.minutes)
        .bind(d.lunch_free)
        .bind(i64::from(n > 0))
        .bind(minutes)
        .bind(at(start))
        .bind(at(end))
        .bind(n)
        .bind(computed)
        .execute(db)
        .await
        .unwrap();
    }
    for (id, date, start, end, summary, location, attendees) in MEETINGS {
        let starts: DateTime<Utc> = format!("{date}T{start}:00Z").parse().unwrap();
        let ends: DateTime<Utc> = format!("{date}T{end}:00Z").parse().unwrap();
        sqlx::query(
            "INSERT INTO calendar_events (id, calendar_id, event_id, status, summary, location, all_day, \
             starts_at, ends_at, local_date, local_start, local_end, duration_minutes, participant_count, \
             busy, is_meeting, is_one_on_one, recurring, ingested_at) VALUES ($1, 'ics:test', $1, \
             'confirmed', $2, $3, false, $4, $5, $6::date, $4 AT TIME ZONE 'UTC', $5 AT TIME ZONE 'UTC', \
             $7, 3, true, true, false, false, $8)",
        )
        .bind(id)
        .bind(summary)
        .bind(location)
        .bind(starts)
        .bind(ends)
        .bind(date)
        .bind((ends - starts).num_minutes() as i32)
        .bind(computed)
        .execute(db)
        .await
        .unwrap();
        for (address, name, domain) in *attendees {
            sqlx::query(
                "INSERT INTO calendar_attendees (id, address, date, starts_at, summary, name, is_self, \
                 is_organizer, response, org_domain, is_external) VALUES ($1, $2, $3::date, $4, $5, $6, \
                 false, false, 'accepted', $7, true)",
            )
            .bind(id)
            .bind(address)
            .bind(date)
            .bind(starts)
            .bind(summary)
            .bind(name)
            .bind(domain)
            .execute(db)
            .await
            .unwrap();
        }
    }
    sqlx::query(
        "INSERT INTO calendar_conflicts (date, first_id, second_id, first_summary, first_start, first_end, \
         second_summary, second_start, second_end, overlap_start, overlap_end, overlap_minutes, computed_at) \
         VALUES ('2026-11-26', 't2', 't3', 'Q4 Planning with Sales', '2026-11-26 10:00', '2026-11-26 11:00', \
         'Budget Review', '2026-11-26 10:30', '2026-11-26 11:30', '2026-11-26 10:30', '2026-11-26 11:00', 30, $1)",
    )
    .bind(computed)
    .execute(db)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO calendar_travel (date, from_id, to_id, from_summary, from_location, from_end, \
         to_summary, to_location, to_start, gap_minutes, tight, computed_at) VALUES ('2026-11-25', 'w2', \
         'w3', 'Strategy Review', 'Office', '2026-11-25 11:30', 'Client site visit', 'Client HQ', \
         '2026-11-25 13:45', 10, true, $1)",
    )
    .bind(computed)
    .execute(db)
    .await
    .unwrap();
}

async fn app() -> TestApp {
    let app = TestApp::new().await;
    seed(&app, &mails()).await;
    seed_calendar(&app).await;
    app
}

#[tokio::test]
async fn the_busiest_day_of_the_week_with_its_concerns() {
    let app = app().await;
    let reply = app.ask("What's my busiest day this week?", None).await;
    assert_eq!(reply["kind"], "day", "{reply}");
    assert_eq!(reply["refused"], false);
    let busiest = WEEK
        .iter()
        .max_by_key(|d| (d.minutes, d.meetings, std::cmp::Reverse(d.date)))
        .unwrap();
    let text = answer(&reply);
    assert_eq!(reply["rows"][0][0], busiest.date, "{reply}");
    assert!(
        text.starts_with("Wed 25 Nov is your busiest day this week"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "{} meetings ({} hours of meetings)",
            busiest.meetings,
            busiest.minutes as f64 / 60.0
        )),
        "{text}"
    );
    let (start, end, n, minutes) = busiest.run.unwrap();
    assert!(
        text.contains(&format!(
            "Back-to-back meetings from {start} to {end} ({n} meetings in a row, {minutes} min)"
        )),
        "{text}"
    );
    assert!(text.contains("No lunch break"), "{text}");
    assert!(
        text.contains("10 min from \"Strategy Review\" (Office) to \"Client site visit\" (Client HQ) at 13:45"),
        "{text}"
    );
    // The meetings listed are the day's, in order.
    let listed: Vec<&str> = section(&reply, "meetings")["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r[2].as_str().unwrap())
        .collect();
    let expected: Vec<&str> = MEETINGS
        .iter()
        .filter(|m| m.1 == busiest.date)
        .map(|m| m.4)
        .collect();
    assert_eq!(listed, expected);
    // The lightest weekday with events is suggested for a meeting that can wait.
    let lightest = WEEK
        .iter()
        .filter(|d| d.date != busiest.date)
        .min_by_key(|d| d.minutes)
        .unwrap();
    assert_eq!(lightest.date, "2026-11-27");
    assert!(
        text.contains("Move a meeting that can wait to Fri 27 Nov"),
        "{text}"
    );
    // The SQL is shown for the main query and every section.
    assert!(reply["sql"].as_str().unwrap().contains("calendar_days"));
    assert!(section(&reply, "conflicts")["sql"]
        .as_str()
        .unwrap()
        .contains("calendar_conflicts"));

    // A follow-up moves to another day.
    let id = reply["conversation_id"].as_str().unwrap().to_string();
    let tomorrow = app.ask("And tomorrow?", Some(&id)).await;
    assert_eq!(tomorrow["kind"], "day");
    assert!(
        answer(&tomorrow).starts_with("Tomorrow (Fri 27 Nov):"),
        "{}",
        answer(&tomorrow)
    );
    assert!(
        answer(&tomorrow).contains("1 meeting (0.5 hours of meetings)"),
        "{}",
        answer(&tomorrow)
    );
}

#[tokio::test]
async fn a_week_without_events_is_said_so() {
    let app = app().await;
    let reply = app.ask("What's my busiest day next week?", None).await;
    let text = answer(&reply);
    assert!(text.starts_with("You have no events"), "{text}");
}

#[tokio::test]
async fn clients_met_this_week_that_emailed_in_the_last_3_days() {
    let app = app().await;
    let reply = app
        .ask(
            "Who are the clients I'm meeting this week that also emailed me in the last 3 days?",
            None,
        )
        .await;
    assert_eq!(reply["kind"], "clients", "{reply}");
    // The set intersection, computed here: organisations met Mon 23 – Sun 29 Nov and client
    // domains that sent mail 24 – 26 Nov.
    let met: Vec<&str> = MEETINGS
        .iter()
        .filter(|m| ("2026-11-23".."2026-11-30").contains(&m.1))
        .flat_map(|m| m.6.iter().map(|a| a.2))
        .collect();
    let all = mails();
    let mailed: Vec<&Mail> = all
        .iter()
        .filter(|m| m.inbound && m.role == "client")
        .filter(|m| ("2026-11-24".."2026-11-27").contains(&m.sent_at))
        .collect();
    let mut both: Vec<&str> = met
        .iter()
        .copied()
        .filter(|d| mailed.iter().any(|m| m.domain == *d))
        .collect();
    both.sort();
    both.dedup();
    assert_eq!(both, ["acmecorp.example", "globex.example"]);
    let mut domains: Vec<&str> = reply["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r[1].as_str().unwrap())
        .collect();
    domains.sort();
    assert_eq!(domains, both);
    let text = answer(&reply);
    assert!(
        text.starts_with("Found 2 clients you meet this week"),
        "{text}"
    );
    let acme = mailed
        .iter()
        .filter(|m| m.domain == "acmecorp.example")
        .count();
    let acme_urgent = mailed
        .iter()
        .filter(|m| m.domain == "acmecorp.example" && m.urgent())
        .count();
    assert!(
        text.contains(&format!("Emails: {acme} ({acme_urgent} urgent)")),
        "{text}"
    );
    assert!(text.contains("\"Emergency call\""), "{text}");
    // Escalating first.
    assert_eq!(reply["rows"][0][1], "acmecorp.example");
    assert!(text.contains("Status: escalating"), "{text}");
}

#[tokio::test]
async fn the_morning_briefing() {
    let app = app().await;
    for (n, description, due) in [
        (1, "Review the contract", "2026-11-26T17:00:00Z"),
        (2, "Send the slides", "2026-11-27T12:00:00Z"),
    ] {
        let due: DateTime<Utc> = due.parse().unwrap();
        sqlx::query(
            "INSERT INTO email_action_items (email_id, item_no, thread_id, sent_at, from_address, \
             from_name, organization, sender_role, description, due_at, due_date, open, computed_at) \
             VALUES ('tf1', $1, 'techflow', $2, 'jennifer@techflow.example', 'Jennifer Wu', 'TechFlow', \
             'client', $3, $2, $4, true, $2)",
        )
        .bind(n)
        .bind(due)
        .bind(description)
        .bind(due.date_naive())
        .execute(&app.db.owner)
        .await
        .unwrap();
    }
    // An escalating thread the user answered last: said so, not "last from" their own name.
    sqlx::query(
        "INSERT INTO contacts (address, name, domain, role, group_name, is_user, first_seen, last_seen, \
         emails_from, emails_from_30d, emails_to, emails_to_30d, negative_30d, urgent_30d, awaiting_reply, \
         computed_at) VALUES ('sarah@mycorp.example', 'Sarah Mitchell', 'mycorp.example', 'internal', \
         'Leadership', true, now(), now(), 1, 1, 1, 1, 0, 0, 0, now())",
    )
    .execute(&app.db.owner)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO email_threads (thread_id, subject, first_at, last_at, message_count, \
         inbound_count, user_reply_count, participants, organizations, primary_organization, \
         primary_role, last_from_address, last_from_name, needs_reply, escalating, urgent, \
         max_urgency_score, sentiment_trend, negative_count, summary, computed_at) VALUES \
         ('summit', 'Ticket escalation', '2026-11-25T20:00:00Z', '2026-11-25T21:00:00Z', 2, 1, 1, '', \
         'Summit Health', 'Summit Health', 'client', 'sarah@mycorp.example', 'Sarah Mitchell', false, \
         true, true, 80, 'worsening', 1, 's', now())",
    )
    .execute(&app.db.owner)
    .await
    .unwrap();
    let reply = app
        .ask("Good morning! What do I need to know today?", None)
        .await;
    assert_eq!(reply["kind"], "briefing", "{reply}");
    assert!(
        answer(&reply).contains(
            "Summit Health: \"Ticket escalation\" is escalating (1 message from them, you replied last)"
        ),
        "{reply}"
    );
    let text = answer(&reply);
    let now: DateTime<Utc> = "2026-11-26T09:00:00Z".parse().unwrap();
    let window: Vec<Mail> = mails()
        .into_iter()
        .filter(|m| m.inbound && m.sent_at() > now - Duration::hours(24) && m.sent_at() <= now)
        .collect();
    let urgent = window.iter().filter(|m| m.urgent()).count();
    let by = |s: &str| window.iter().filter(|m| m.sentiment == s).count();
    assert!(
        text.starts_with("Good morning! Here's your briefing for Thursday 26 November"),
        "{text}"
    );
    assert!(
        text.contains(&format!("• {} new emails received", window.len())),
        "{text}"
    );
    assert!(text.contains(&format!("• {urgent} urgent")), "{text}");
    assert!(
        text.contains(&format!(
            "Sentiment: {} positive, {} neutral, {} negative",
            by("positive"),
            by("neutral"),
            by("negative")
        )),
        "{text}"
    );
    // Today's meetings: the calendar day's figures, the next one after 09:00, the conflict.
    let today = WEEK.iter().find(|d| d.date == "2026-11-26").unwrap();
    assert!(
        text.contains(&format!("• {} meetings today", today.meetings)),
        "{text}"
    );
    let next = MEETINGS
        .iter()
        .filter(|m| m.1 == "2026-11-26" && m.2 > "09:00")
        .min_by_key(|m| m.2)
        .unwrap();
    assert!(
        text.contains(&format!("Next: {}–{} {}", next.2, next.3, next.4)),
        "{text}"
    );
    assert!(
        text.contains("Conflict detected: \"Q4 Planning with Sales\" and \"Budget Review\" overlap 10:30–11:00"),
        "{text}"
    );
    // The escalating Acme thread.
    assert!(text.contains("ACTION REQUIRED"), "{text}");
    assert!(
        text.contains("Acme Corp: \"s\" is escalating (2 messages from them, last from x), waiting for your reply"),
        "{text}"
    );
    // The action item due today, and not the one due tomorrow.
    assert!(
        text.contains("Open requests: 1 due today, 0 overdue"),
        "{text}"
    );
    assert!(
        text.contains(
            "Due today (Thu 26 Nov 17:00): Review the contract (asked by Jennifer Wu, TechFlow)"
        ),
        "{text}"
    );
    assert!(!text.contains("Send the slides"), "{text}");
    assert!(
        text.ends_with("(Mail as of Thu 26 Nov 08:20, calendar as of Thu 26 Nov 08:30.)"),
        "{text}"
    );
    for id in [
        "senders",
        "negative",
        "today",
        "meetings",
        "conflicts",
        "due",
        "escalating",
    ] {
        assert!(section(&reply, id)["sql"].is_string(), "{id}");
    }
}

/// An `email_patterns` row: kind, key, label, emails, share %, per day, previous emails, change
/// %, mean response minutes.
type PatternRow = (
    &'static str,
    &'static str,
    &'static str,
    i64,
    Option<f64>,
    Option<f64>,
    Option<i64>,
    Option<f64>,
    Option<f64>,
);

#[tokio::test]
async fn patterns_quote_the_pattern_tables() {
    let app = app().await;
    let db = &app.db.owner;
    let computed: DateTime<Utc> = "2026-11-26T08:30:00Z".parse().unwrap();
    let mut rows: Vec<PatternRow> = vec![
        (
            "total",
            "emails",
            "emails",
            1200,
            Some(100.0),
            Some(40.0),
            Some(1000),
            Some(20.0),
            None,
        ),
        (
            "weekday",
            "Monday",
            "Monday",
            292,
            None,
            Some(73.0),
            None,
            None,
            None,
        ),
        (
            "hour",
            "08",
            "08:00-09:00",
            150,
            Some(12.5),
            None,
            None,
            None,
            None,
        ),
        (
            "hour",
            "09",
            "09:00-10:00",
            126,
            Some(10.5),
            None,
            None,
            None,
            None,
        ),
        (
            "hour",
            "14",
            "14:00-15:00",
            120,
            Some(10.0),
            None,
            None,
            None,
            None,
        ),
        (
            "group",
            "Sales",
            "Sales",
            408,
            Some(34.0),
            None,
            None,
            None,
            None,
        ),
        (
            "group",
            "Clients",
            "Clients",
            336,
            Some(28.0),
            None,
            None,
            None,
            None,
        ),
        (
            "trend",
            "client_escalations",
            "Client escalations",
            14,
            None,
            None,
            Some(10),
            Some(40.0),
            None,
        ),
        (
            "response_time",
            "overall",
            "overall",
            300,
            None,
            None,
            None,
            None,
            Some(138.0),
        ),
    ];
    // The other weekdays: 52 a day each.
    for day in ["Tuesday", "Wednesday", "Thursday", "Friday"] {
        rows.push(("weekday", day, day, 208, None, Some(52.0), None, None, None));
    }
    for (kind, key, label, emails, share, per_day, previous, change, response) in &rows {
        sqlx::query(
            "INSERT INTO email_patterns (kind, key, label, as_of, emails, share_pct, per_day, \
             previous_emails, change_pct, avg_response_minutes, computed_at) VALUES \
             ($1, $2, $3, '2026-11-26', $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(kind)
        .bind(key)
        .bind(label)
        .bind(emails)
        .bind(share)
        .bind(per_day)
        .bind(previous)
        .bind(change)
        .bind(response)
        .bind(computed)
        .execute(db)
        .await
        .unwrap();
    }
    sqlx::query(
        "INSERT INTO calendar_patterns (period, as_of, period_start, working_days, meeting_count, \
         meeting_hours, working_hours, meeting_share_pct, avg_meetings_per_working_day, busiest_weekday, \
         busiest_weekday_avg_hours, lightest_weekday, one_on_one_count, conflict_count, days_without_lunch, \
         overrun_observed_meetings, overrun_meetings, avg_overrun_minutes, computed_at) VALUES \
         ('last_30_days', '2026-11-26', '2026-10-28', 21, 90, 122.85, 189, 65, 4.3, 'Wednesday', 6.5, \
         'Friday', 4, 3, 5, 20, 6, 12.5, $1)",
    )
    .bind(computed)
    .execute(db)
    .await
    .unwrap();
    for (address, name, n) in [("a@x", "Ann", 0), ("b@x", "Ben", 2), ("c@x", "Cleo", 0)] {
        sqlx::query(
            "INSERT INTO calendar_one_on_ones (counterpart_address, counterpart_name, is_direct_report, \
             one_on_ones_30d, as_of) VALUES ($1, $2, true, $3, '2026-11-26')",
        )
        .bind(address)
        .bind(name)
        .bind(n)
        .execute(db)
        .await
        .unwrap();
    }
    let reply = app.ask("Any patterns I should know about?", None).await;
    assert_eq!(reply["kind"], "patterns", "{reply}");
    let text = answer(&reply);
    // Monday 73 a day against the other weekdays' mean (52): +40%.
    let others = [52.0, 52.0, 52.0, 52.0];
    let mean: f64 = others.iter().sum::<f64>() / others.len() as f64;
    let more = (73.0 / mean - 1.0) * 100.0;
    assert!(
        text.contains(&format!(
            "Mondays are your heaviest mail day: 73 emails on average vs {mean:.0} on other weekdays ({more:+.0}%)"
        )),
        "{text}"
    );
    assert!(
        text.contains("Peak email time: 08:00–10:00 (23% of your mail)"),
        "{text}"
    );
    assert!(
        text.contains("Your response time: 2.3 hours on average"),
        "{text}"
    );
    assert!(
        text.contains("Most emails from: Sales (34%), Clients (28%)"),
        "{text}"
    );
    assert!(
        text.contains("Client escalations +40% (14 vs 10)"),
        "{text}"
    );
    assert!(
        text.contains("You spend 65% of your working hours in meetings"),
        "{text}"
    );
    assert!(
        text.contains("No 1-on-1s with 2 of your 3 direct reports this month: Ann, Cleo"),
        "{text}"
    );
    assert!(
        text.contains("Block Monday mornings for email processing"),
        "{text}"
    );
    assert!(
        text.contains("Schedule recurring 1-on-1s with Ann, Cleo"),
        "{text}"
    );
    assert!(
        text.ends_with(
            "(mail patterns computed Thu 26 Nov 08:30, calendar patterns computed Thu 26 Nov 08:30.)"
        ),
        "{text}"
    );
}
