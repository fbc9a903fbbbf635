//! Clients met and mailed (demo scene 5): the calendar's external attendees joined with the
//! client senders of the mail on the organisation's domain (`calendar_attendees.org_domain` =
//! `email_insights.sender_domain`), one row per organisation with its first meeting of the
//! period, its emails, their latest subject and the thread's state.

use super::super::answer::{cell, int, moment, text, when};
use super::super::dates::DateRange;
use super::{count, section, SceneQuery};
use crate::chat::{AnswerKind, QueryResult};

/// The main query (one row per client organisation in both sets) and the `coverage` section
/// (how fresh each source is and how large each set was, so an empty answer can say why).
pub fn build(meeting: &DateRange, mailed: &DateRange, tz: &str) -> SceneQuery {
    let met_on = meeting.sql_condition_on("a.date");
    let mailed_on = mailed.sql_condition_on("e.sent_date");
    let sql = format!(
        "WITH met AS (\n  \
         SELECT a.org_domain, count(DISTINCT a.id) AS meetings, min(a.starts_at) AS first_meeting_at,\n    \
         string_agg(DISTINCT coalesce(a.name, a.address), ', ') AS met_people\n  \
         FROM calendar_attendees AS a\n  \
         WHERE a.is_external AND NOT a.is_self AND {met_on}\n  \
         GROUP BY a.org_domain\n\
         ), mailed AS (\n  \
         SELECT e.sender_domain, max(e.organization) AS organization, count(*) AS emails,\n    \
         count(*) FILTER (WHERE e.urgent) AS urgent_emails,\n    \
         count(*) FILTER (WHERE e.sentiment = 'negative') AS negative_emails,\n    \
         bool_or(e.escalating) AS escalating, bool_or(e.needs_reply) AS needs_reply,\n    \
         max(e.sent_at) AS last_email_at,\n    \
         string_agg(DISTINCT coalesce(e.from_name, e.from_address), ', ') AS senders\n  \
         FROM email_insights AS e\n  \
         WHERE e.direction = 'inbound' AND e.sender_role = 'client' AND {mailed_on}\n  \
         GROUP BY e.sender_domain\n\
         )\n\
         SELECT ml.organization, m.org_domain AS domain, m.meetings,\n  \
         (SELECT a.summary FROM calendar_attendees AS a\n   \
         WHERE a.org_domain = m.org_domain AND a.starts_at = m.first_meeting_at\n   \
         ORDER BY a.summary LIMIT 1) AS meeting,\n  \
         m.first_meeting_at AT TIME ZONE '{tz}' AS meeting_at, m.met_people,\n  \
         ml.emails, ml.urgent_emails, ml.negative_emails, ml.escalating, ml.needs_reply, ml.senders,\n  \
         (SELECT e.subject FROM email_insights AS e\n   \
         WHERE e.sender_domain = m.org_domain AND e.direction = 'inbound' AND {mailed_on}\n   \
         ORDER BY e.sent_at DESC LIMIT 1) AS latest_subject,\n  \
         ml.last_email_at AT TIME ZONE '{tz}' AS last_email_at\n\
         FROM met AS m JOIN mailed AS ml ON ml.sender_domain = m.org_domain\n\
         ORDER BY ml.escalating DESC, ml.urgent_emails DESC, m.first_meeting_at, ml.organization"
    );
    let coverage = format!(
        "SELECT (SELECT max(computed_at) FROM email_insights) AT TIME ZONE '{tz}' AS mail_as_of,\n  \
         (SELECT max(ingested_at) FROM calendar_events) AT TIME ZONE '{tz}' AS calendar_as_of,\n  \
         (SELECT count(DISTINCT a.org_domain) FROM calendar_attendees AS a\n   \
         WHERE a.is_external AND NOT a.is_self AND {met_on}) AS organisations_met,\n  \
         (SELECT count(DISTINCT e.sender_domain) FROM email_insights AS e\n   \
         WHERE e.direction = 'inbound' AND e.sender_role = 'client' AND {mailed_on}) AS clients_mailed"
    );
    SceneQuery {
        sql,
        kind: AnswerKind::Clients,
        sections: vec![section("coverage", "What was compared", coverage)],
    }
}

/// The answer: one entry per client, or why there are none.
pub fn answer(
    meeting: &DateRange,
    mailed: &DateRange,
    r: &QueryResult,
    find: &dyn Fn(&str) -> QueryResult,
) -> String {
    let coverage = find("coverage");
    let mail_as_of = cell(&coverage, 0, "mail_as_of");
    let calendar_as_of = cell(&coverage, 0, "calendar_as_of");
    if mail_as_of.is_null() || calendar_as_of.is_null() {
        let missing = match (mail_as_of.is_null(), calendar_as_of.is_null()) {
            (true, true) => "mail or calendar data",
            (true, false) => "per-email data",
            _ => "calendar data",
        };
        return format!(
            "I have no {missing} yet, so I can't compare your meetings with your mail."
        );
    }
    let freshness = format!(
        "(Mail as of {}, calendar as of {}.)",
        moment(mail_as_of),
        moment(calendar_as_of)
    );
    let periods = format!(
        "you meet {} that also emailed you {}",
        when(meeting),
        when(mailed)
    );
    if r.rows.is_empty() {
        return format!(
            "No client that {periods}: you meet {} there, and {} emailed you. {freshness}",
            count(
                int(cell(&coverage, 0, "organisations_met")),
                "external organisation",
                "external organisations"
            ),
            count(
                int(cell(&coverage, 0, "clients_mailed")),
                "client organisation",
                "client organisations"
            ),
        );
    }
    let mut out = format!(
        "Found {} {periods}:",
        count(r.rows.len() as i64, "client", "clients")
    );
    for i in 0..r.rows.len() {
        let name = text(cell(r, i, "organization"))
            .or(text(cell(r, i, "domain")))
            .unwrap_or("?");
        let people = text(cell(r, i, "senders")).unwrap_or_default();
        out.push_str(&format!("\n{}. **{name}** ({people})", i + 1));
        let meetings = int(cell(r, i, "meetings"));
        let more = if meetings > 1 {
            format!(
                " ({} in the period)",
                count(meetings, "meeting", "meetings")
            )
        } else {
            String::new()
        };
        out.push_str(&format!(
            "\n   Meeting: {} \"{}\"{more}, with {}",
            moment(cell(r, i, "meeting_at")),
            text(cell(r, i, "meeting")).unwrap_or("(no title)"),
            text(cell(r, i, "met_people")).unwrap_or("?"),
        ));
        let emails = int(cell(r, i, "emails"));
        let urgent = int(cell(r, i, "urgent_emails"));
        let urgent = if urgent > 0 {
            format!(" ({urgent} urgent)")
        } else {
            String::new()
        };
        out.push_str(&format!(
            "\n   Emails: {}{urgent}, latest \"{}\" on {}",
            emails,
            text(cell(r, i, "latest_subject")).unwrap_or("?"),
            moment(cell(r, i, "last_email_at")),
        ));
        let mut status = Vec::new();
        if cell(r, i, "escalating").as_bool() == Some(true) {
            status.push("escalating".to_string());
        }
        if cell(r, i, "needs_reply").as_bool() == Some(true) {
            status.push("waiting for your reply".to_string());
        }
        let negative = int(cell(r, i, "negative_emails"));
        if negative > 0 {
            status.push(format!("{negative} negative"));
        }
        if status.is_empty() {
            status.push("no open issue".to_string());
        }
        out.push_str(&format!("\n   Status: {}", status.join(", ")));
    }
    out.push('\n');
    out.push_str(&freshness);
    out
}
