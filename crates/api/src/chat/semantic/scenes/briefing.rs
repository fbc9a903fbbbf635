//! The morning briefing (demo scene 1): mail of the 24 hours before now (counts, urgent ones,
//! top senders, sentiment and who was negative), today's calendar (meetings, hours, the next
//! meeting, conflicts), what is due today and the threads escalating.

use chrono::{DateTime, Duration, SecondsFormat, Utc};

use super::super::answer::{cell, int, moment, text};
use super::super::dates::DateRange;
use super::{clock, count, hours, section, SceneQuery};
use crate::chat::{AnswerKind, QueryResult};

/// Hours of mail the briefing covers.
pub const MAIL_HOURS: i64 = 24;
/// Days an escalating thread stays in the briefing after its last message.
pub const ESCALATION_DAYS: i64 = 3;
/// Days an open action item past its due date stays in the briefing.
pub const OVERDUE_DAYS: i64 = 7;
/// Requests listed at most (the same request from several people counts once); the answer says
/// how many more there are.
pub const DUE_LISTED: usize = 6;

fn instant(t: DateTime<Utc>) -> String {
    format!(
        "TIMESTAMPTZ '{}'",
        t.to_rfc3339_opts(SecondsFormat::Secs, true)
    )
}

/// The main query (one row: the mail counts of the window and how fresh the data is) and the
/// sections `senders`, `negative`, `today`, `meetings`, `conflicts`, `due`, `escalating`.
pub fn build(now: DateTime<Utc>, today: &DateRange, tz: &str) -> SceneQuery {
    let until = instant(now);
    let since = instant(now - Duration::hours(MAIL_HOURS));
    let window =
        format!("e.direction = 'inbound' AND e.sent_at > {since} AND e.sent_at <= {until}");
    let day = today.start;
    let overdue_from = day - Duration::days(OVERDUE_DAYS);
    let sql = format!(
        "SELECT count(*) AS received,\n  \
         count(*) FILTER (WHERE e.urgent) AS urgent,\n  \
         count(*) FILTER (WHERE e.urgent AND e.needs_reply) AS urgent_awaiting_reply,\n  \
         count(*) FILTER (WHERE e.sentiment = 'positive') AS positive,\n  \
         count(*) FILTER (WHERE e.sentiment = 'neutral') AS neutral,\n  \
         count(*) FILTER (WHERE e.sentiment = 'negative') AS negative,\n  \
         {since} AT TIME ZONE '{tz}' AS since, {until} AT TIME ZONE '{tz}' AS until,\n  \
         (SELECT max(computed_at) FROM email_insights) AT TIME ZONE '{tz}' AS data_as_of,\n  \
         (SELECT count(*) FROM email_action_items WHERE open AND due_date = DATE '{day}') AS due_today,\n  \
         (SELECT count(*) FROM email_action_items WHERE open AND due_date BETWEEN DATE '{overdue_from}' AND DATE '{day}' - 1) AS overdue,\n  \
         (SELECT max(ingested_at) FROM calendar_events) AT TIME ZONE '{tz}' AS calendar_as_of\n\
         FROM email_insights AS e\n\
         WHERE {window}"
    );
    let sections = vec![
        section(
            "senders",
            "Top senders (last 24 hours)",
            format!(
                "SELECT CASE WHEN e.sender_role = 'client' THEN coalesce(e.organization, e.sender_domain)\n  \
                 ELSE coalesce(e.from_name, e.from_address) END AS sender,\n  \
                 CASE WHEN e.sender_role = 'client' THEN 'Client' ELSE e.sender_group END AS sender_group,\n  \
                 count(*) AS emails\n\
                 FROM email_insights AS e\n\
                 WHERE {window} AND e.sender_role <> 'newsletter_automated'\n\
                 GROUP BY 1, 2\nORDER BY emails DESC, sender\nLIMIT 3"
            ),
        ),
        section(
            "negative",
            "Negative emails (last 24 hours)",
            format!(
                "SELECT coalesce(e.from_name, e.from_address) AS sender, e.organization, e.sender_role,\n  \
                 e.subject, e.frustrated, e.sent_at AT TIME ZONE '{tz}' AS sent_local\n\
                 FROM email_insights AS e\n\
                 WHERE {window} AND e.sentiment = 'negative'\nORDER BY e.sent_at"
            ),
        ),
        section(
            "today",
            "Today's calendar",
            format!(
                "SELECT date, meeting_count, meeting_hours, free_hours, conflict_count, lunch_free\n\
                 FROM calendar_days WHERE date = DATE '{day}'"
            ),
        ),
        section(
            "meetings",
            "Today's meetings",
            format!(
                "SELECT local_start, local_end, summary, location, participant_count, is_meeting,\n  \
                 starts_at > {until} AS upcoming\n\
                 FROM calendar_events\n\
                 WHERE local_date = DATE '{day}' AND busy AND NOT all_day\nORDER BY starts_at, summary"
            ),
        ),
        section(
            "conflicts",
            "Conflicts today",
            format!(
                "SELECT first_summary, second_summary, overlap_start, overlap_end, overlap_minutes\n\
                 FROM calendar_conflicts WHERE date = DATE '{day}'\nORDER BY overlap_start"
            ),
        ),
        section(
            "due",
            "Due today (and overdue)",
            format!(
                "SELECT a.description, a.due_date, min(a.due_at) AT TIME ZONE '{tz}' AS due_local,\n  \
                 min(a.due_text) AS due_text, a.due_date < DATE '{day}' AS overdue, count(*) AS requests,\n  \
                 string_agg(DISTINCT coalesce(a.from_name, a.from_address), ', ') AS senders,\n  \
                 string_agg(DISTINCT a.organization, ', ') AS organizations\n\
                 FROM email_action_items AS a\n\
                 WHERE a.open AND a.due_date BETWEEN DATE '{overdue_from}' AND DATE '{day}'\n\
                 GROUP BY a.description, a.due_date\n\
                 ORDER BY a.due_date DESC, requests DESC, a.description\n\
                 LIMIT {DUE_LISTED}"
            ),
        ),
        section(
            "escalating",
            "Escalating threads",
            format!(
                "SELECT t.subject, t.primary_organization,\n  \
                 coalesce(t.last_from_name, t.last_from_address) AS last_from,\n  \
                 EXISTS (SELECT 1 FROM contacts AS c WHERE c.is_user AND c.address = t.last_from_address) AS last_from_user,\n  \
                 t.message_count,\n  \
                 t.inbound_count, t.needs_reply, t.latest_sentiment, t.negative_count,\n  \
                 t.awaiting_since AT TIME ZONE '{tz}' AS awaiting_since\n\
                 FROM email_threads AS t\n\
                 WHERE t.escalating AND t.last_at > {}\n\
                 ORDER BY t.max_urgency_score DESC, t.last_at DESC\nLIMIT 5",
                instant(now - Duration::days(ESCALATION_DAYS))
            ),
        ),
    ];
    SceneQuery {
        sql,
        kind: AnswerKind::Briefing,
        sections,
    }
}

fn greeting(local: &serde_json::Value) -> &'static str {
    let hour = local
        .as_str()
        .and_then(|s| s.parse::<chrono::NaiveDateTime>().ok())
        .map(|t| chrono::Timelike::hour(&t))
        .unwrap_or(9);
    match hour {
        0..=11 => "Good morning!",
        12..=17 => "Good afternoon!",
        _ => "Good evening!",
    }
}

/// The answer, section by section; every figure is read from the rows.
pub fn answer(today: &DateRange, r: &QueryResult, find: &dyn Fn(&str) -> QueryResult) -> String {
    let until = cell(r, 0, "until");
    let mut out = format!(
        "{} Here's your briefing for {} (as of {}):",
        greeting(until),
        today.start.format("%A %-d %B"),
        clock(until).unwrap_or_default()
    );
    // Mail.
    out.push_str(&format!(
        "\nEMAIL (last {MAIL_HOURS} hours, since {}):",
        moment(cell(r, 0, "since"))
    ));
    if cell(r, 0, "data_as_of").is_null() {
        out.push_str("\n• I have no per-email data yet.");
    } else {
        let received = int(cell(r, 0, "received"));
        out.push_str(&format!(
            "\n• {} received",
            count(received, "new email", "new emails")
        ));
        let urgent = int(cell(r, 0, "urgent"));
        if urgent > 0 {
            out.push_str(&format!(
                "\n• {urgent} urgent ({} still waiting for your reply)",
                int(cell(r, 0, "urgent_awaiting_reply"))
            ));
        }
        let senders = find("senders");
        if !senders.rows.is_empty() {
            let list: Vec<String> = (0..senders.rows.len())
                .map(|i| {
                    let who = text(cell(&senders, i, "sender")).unwrap_or("?");
                    let group = text(cell(&senders, i, "sender_group")).unwrap_or_default();
                    let n = int(cell(&senders, i, "emails"));
                    if group == "Client" {
                        format!("Client: {who} ({n})")
                    } else {
                        format!("{who} ({group}, {n})")
                    }
                })
                .collect();
            out.push_str(&format!("\n• Top senders: {}", list.join(", ")));
        }
        if received > 0 {
            let negative = find("negative");
            let mut who: Vec<String> = Vec::new();
            for i in 0..negative.rows.len() {
                let name = text(cell(&negative, i, "sender")).unwrap_or("?");
                let label = match text(cell(&negative, i, "organization")) {
                    Some(org) if cell(&negative, i, "sender_role").as_str() == Some("client") => {
                        format!("{name}, client {org}")
                    }
                    _ => name.to_string(),
                };
                if !who.contains(&label) {
                    who.push(label);
                }
            }
            let from = if who.is_empty() {
                String::new()
            } else {
                format!(" (from {})", who.join("; "))
            };
            out.push_str(&format!(
                "\n• Sentiment: {} positive, {} neutral, {} negative{from}",
                int(cell(r, 0, "positive")),
                int(cell(r, 0, "neutral")),
                int(cell(r, 0, "negative")),
            ));
        }
    }
    // Calendar.
    out.push_str("\nCALENDAR:");
    if cell(r, 0, "calendar_as_of").is_null() {
        out.push_str("\n• I have no calendar data yet.");
    } else {
        let day = find("today");
        let meetings = find("meetings");
        if day.rows.is_empty() {
            out.push_str("\n• No meetings today.");
        } else {
            out.push_str(&format!(
                "\n• {} today ({} in total)",
                count(int(cell(&day, 0, "meeting_count")), "meeting", "meetings"),
                hours(cell(&day, 0, "meeting_hours").as_f64().unwrap_or(0.0))
            ));
        }
        let next = (0..meetings.rows.len())
            .find(|i| cell(&meetings, *i, "upcoming").as_bool() == Some(true));
        match next {
            Some(i) => {
                let place = text(cell(&meetings, i, "location"))
                    .map(|l| format!(" ({l})"))
                    .unwrap_or_default();
                out.push_str(&format!(
                    "\n• Next: {}–{} {}{place}",
                    clock(cell(&meetings, i, "local_start")).unwrap_or_default(),
                    clock(cell(&meetings, i, "local_end")).unwrap_or_default(),
                    text(cell(&meetings, i, "summary")).unwrap_or("(no title)"),
                ));
            }
            None if !meetings.rows.is_empty() => {
                out.push_str("\n• Nothing more on your calendar today.")
            }
            None => {}
        }
        let conflicts = find("conflicts");
        for i in 0..conflicts.rows.len() {
            out.push_str(&format!(
                "\n• Conflict detected: \"{}\" and \"{}\" overlap {}–{}",
                text(cell(&conflicts, i, "first_summary")).unwrap_or("?"),
                text(cell(&conflicts, i, "second_summary")).unwrap_or("?"),
                clock(cell(&conflicts, i, "overlap_start")).unwrap_or_default(),
                clock(cell(&conflicts, i, "overlap_end")).unwrap_or_default(),
            ));
        }
        if cell(&day, 0, "lunch_free").as_bool() == Some(false) {
            out.push_str("\n• No free lunch slot between 12:00 and 14:00");
        }
    }
    // What needs the user.
    let escalating = find("escalating");
    let due = find("due");
    let due_today = int(cell(r, 0, "due_today"));
    let overdue = int(cell(r, 0, "overdue"));
    if !escalating.rows.is_empty() || !due.rows.is_empty() {
        out.push_str("\nACTION REQUIRED:");
    }
    for i in 0..escalating.rows.len() {
        let org = text(cell(&escalating, i, "primary_organization"))
            .map(|o| format!("{o}: "))
            .unwrap_or_default();
        let waiting = if cell(&escalating, i, "needs_reply").as_bool() == Some(true) {
            match cell(&escalating, i, "awaiting_since") {
                serde_json::Value::Null => ", waiting for your reply".to_string(),
                v => format!(", waiting for your reply since {}", moment(v)),
            }
        } else {
            String::new()
        };
        let last = if cell(&escalating, i, "last_from_user").as_bool() == Some(true) {
            "you replied last".to_string()
        } else {
            format!(
                "last from {}",
                text(cell(&escalating, i, "last_from")).unwrap_or("?")
            )
        };
        out.push_str(&format!(
            "\n• {org}\"{}\" is escalating ({} from them, {last}){waiting}",
            text(cell(&escalating, i, "subject")).unwrap_or("?"),
            count(
                int(cell(&escalating, i, "inbound_count")),
                "message",
                "messages"
            ),
        ));
    }
    if due_today + overdue > 0 {
        out.push_str(&format!(
            "\n• Open requests: {due_today} due today, {overdue} overdue (up to {OVERDUE_DAYS} days)"
        ));
    }
    let mut listed = 0;
    for i in 0..due.rows.len() {
        let when = match cell(&due, i, "due_local") {
            serde_json::Value::Null => text(cell(&due, i, "due_text"))
                .unwrap_or("today")
                .to_string(),
            v => moment(v),
        };
        let overdue = if cell(&due, i, "overdue").as_bool() == Some(true) {
            "Overdue"
        } else {
            "Due today"
        };
        let requests = int(cell(&due, i, "requests"));
        listed += requests;
        let senders = text(cell(&due, i, "senders")).unwrap_or("?");
        let from = match text(cell(&due, i, "organizations")) {
            Some(org) => format!("{senders}, {org}"),
            None => senders.to_string(),
        };
        let asked = if requests > 1 {
            format!("asked {requests} times, by {from}")
        } else {
            format!("asked by {from}")
        };
        out.push_str(&format!(
            "\n  – {overdue} ({when}): {} ({asked})",
            text(cell(&due, i, "description")).unwrap_or("?"),
        ));
    }
    let more = due_today + overdue - listed;
    if more > 0 {
        out.push_str(&format!(
            "\n  – and {} more (the \"Due today (and overdue)\" section lists the newest)",
            count(more, "request", "requests")
        ));
    }
    let as_of: Vec<String> = [("Mail", "data_as_of"), ("calendar", "calendar_as_of")]
        .iter()
        .filter(|(_, column)| !cell(r, 0, column).is_null())
        .map(|(what, column)| format!("{what} as of {}", moment(cell(r, 0, column))))
        .collect();
    if !as_of.is_empty() {
        out.push_str(&format!("\n({}.)", as_of.join(", ")));
    }
    out
}
