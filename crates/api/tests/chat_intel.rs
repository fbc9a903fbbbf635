//! The embedded engine over the per-email serving tables (`email_insights`, `email_threads`):
//! the urgent emails of an organisation (demo scene 2) and its paraphrases, all of an
//! organisation's mail, an organisation the data does not hold, distinct sender domains, and a
//! weekday of last week. Every expectation is computed here from the seeded rows.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;

use crate::util::{as_f64, cell, column, date, seed_days, TestApp};

/// One seeded `email_insights` row (the columns the chat reads; the others get fixed values).
#[derive(Debug, Clone)]
pub(crate) struct Mail {
    pub(crate) id: &'static str,
    pub(crate) thread: &'static str,
    pub(crate) sent_at: &'static str,
    pub(crate) inbound: bool,
    pub(crate) from_name: &'static str,
    pub(crate) from_address: &'static str,
    pub(crate) domain: &'static str,
    pub(crate) organization: Option<&'static str>,
    pub(crate) role: &'static str,
    pub(crate) title: Option<&'static str>,
    pub(crate) subject: &'static str,
    pub(crate) summary: &'static str,
    pub(crate) sentiment: &'static str,
    pub(crate) urgency: i32,
    pub(crate) escalating: bool,
    pub(crate) needs_reply: bool,
    pub(crate) follow_ups: i32,
}

impl Mail {
    pub(crate) fn sent_at(&self) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(self.sent_at)
            .unwrap()
            .with_timezone(&Utc)
    }
    /// Tests run in UTC.
    fn sent_date(&self) -> NaiveDate {
        self.sent_at().date_naive()
    }
    pub(crate) fn urgent(&self) -> bool {
        self.urgency >= 60
    }
}

#[allow(clippy::too_many_arguments)]
const fn mail(
    id: &'static str,
    thread: &'static str,
    sent_at: &'static str,
    from: (&'static str, &'static str, &'static str),
    organization: Option<&'static str>,
    role: &'static str,
    title: Option<&'static str>,
    subject: &'static str,
    summary: &'static str,
    sentiment: &'static str,
    urgency: i32,
    escalating: bool,
) -> Mail {
    Mail {
        id,
        thread,
        sent_at,
        inbound: true,
        from_name: from.0,
        from_address: from.1,
        domain: from.2,
        organization,
        role,
        title,
        subject,
        summary,
        sentiment,
        urgency,
        escalating,
        needs_reply: escalating,
        follow_ups: 0,
    }
}

const TOM: (&str, &str, &str) = (
    "Tom Anderson",
    "tom.anderson@acmecorp.example",
    "acmecorp.example",
);
const LISA: (&str, &str, &str) = (
    "Lisa Chen",
    "lisa.chen@acmecorp.example",
    "acmecorp.example",
);
const HANK: (&str, &str, &str) = ("Hank Scorpio", "hank@globex.example", "globex.example");
const ACME: Option<&str> = Some("Acme Corp");

/// Acme Corp's story (routine mail, an overnight escalation, a new thread), Globex, a private
/// sender, a newsletter and one email the user sent. Today is Thu 26 Nov 2026.
pub(crate) fn mails() -> Vec<Mail> {
    let mut out = vec![
        mail(
            "a1",
            "acme-rollout",
            "2026-11-10T10:05:00Z",
            TOM,
            ACME,
            "client",
            Some("CTO"),
            "Q4 rollout plan",
            "Asks for a rollout plan for 500 users.",
            "positive",
            20,
            false,
        ),
        mail(
            "a2",
            "acme-renewal",
            "2026-11-17T14:20:00Z",
            LISA,
            ACME,
            "client",
            Some("VP Operations"),
            "Renewal timeline",
            "Wants to align on the renewal timeline.",
            "neutral",
            65,
            false,
        ),
        mail(
            "a3",
            "acme-sync",
            "2026-11-23T15:10:00Z",
            TOM,
            ACME,
            "client",
            Some("CTO"),
            "Intermittent sync delays",
            "Sync delays of up to two hours.",
            "neutral",
            45,
            false,
        ),
        mail(
            "a4",
            "acme-prod",
            "2026-11-25T22:47:00Z",
            TOM,
            ACME,
            "client",
            Some("CTO"),
            "Production Issue - Need Immediate Support",
            "Data sync failing, 500 users cannot access reports; asks for an emergency call.",
            "negative",
            88,
            true,
        ),
        mail(
            "a5",
            "acme-prod",
            "2026-11-26T07:23:00Z",
            TOM,
            ACME,
            "client",
            Some("CTO"),
            "Re: Production Issue - Status Update?",
            "Still no update; executives consider alternatives.",
            "negative",
            95,
            true,
        ),
        mail(
            "a6",
            "acme-exec",
            "2026-11-26T08:15:00Z",
            LISA,
            ACME,
            "client",
            Some("VP Operations"),
            "Executive Review Meeting Request",
            "Wants an executive review of the partnership.",
            "neutral",
            70,
            false,
        ),
        mail(
            "g1",
            "globex-po",
            "2026-11-24T09:00:00Z",
            HANK,
            Some("Globex"),
            "client",
            None,
            "Purchase order overdue",
            "The purchase order is overdue.",
            "negative",
            75,
            false,
        ),
        mail(
            "g2",
            "globex-hi",
            "2026-11-18T11:30:00Z",
            HANK,
            Some("Globex"),
            "client",
            None,
            "Hello again",
            "Catching up.",
            "positive",
            10,
            false,
        ),
        mail(
            "p1",
            "private",
            "2026-11-19T19:00:00Z",
            ("Mum", "mum@gmail.com", "gmail.com"),
            None,
            "personal",
            None,
            "Sunday lunch",
            "Lunch on Sunday?",
            "positive",
            5,
            false,
        ),
        mail(
            "n1",
            "news",
            "2026-11-21T06:00:00Z",
            ("Weekly digest", "digest@substack.com", "substack.com"),
            Some("Substack"),
            "newsletter_automated",
            None,
            "This week in data",
            "A digest.",
            "neutral",
            0,
            false,
        ),
    ];
    out[4].follow_ups = 1;
    let mut sent = mail(
        "s1",
        "acme-sync",
        "2026-11-17T09:00:00Z",
        (
            "Sarah Miller",
            "sarah@northwind.example",
            "northwind.example",
        ),
        Some("Northwind"),
        "internal",
        Some("CEO"),
        "Re: sync",
        "Reply.",
        "neutral",
        80,
        false,
    );
    sent.inbound = false;
    out.push(sent);
    out
}

pub(crate) async fn seed(app: &TestApp, mails: &[Mail]) {
    let computed: DateTime<Utc> = "2026-11-26T08:20:00Z".parse().unwrap();
    for m in mails {
        sqlx::query(
            "INSERT INTO email_insights (id, thread_id, sent_at, sent_date, direction, from_address, \
             from_name, sender_domain, organization, sender_role, sender_title, sender_group, \
             recipients, subject, summary, sentiment, sentiment_score, frustrated, urgency_score, \
             urgent, urgency_reasons, needs_reply, escalating, action_item_count, thread_position, \
             thread_message_count, follow_ups, computed_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10, \
             $11,'Clients','sarah@northwind.example',$12,$13,$14,0,false,$15,$16,'',$17,$18,0,1,1,$19,$20)",
        )
        .bind(m.id)
        .bind(m.thread)
        .bind(m.sent_at())
        .bind(m.sent_date())
        .bind(if m.inbound { "inbound" } else { "outbound" })
        .bind(m.from_address)
        .bind(m.from_name)
        .bind(m.domain)
        .bind(m.organization)
        .bind(m.role)
        .bind(m.title)
        .bind(m.subject)
        .bind(m.summary)
        .bind(m.sentiment)
        .bind(m.urgency)
        .bind(m.urgent())
        .bind(m.needs_reply)
        .bind(m.escalating)
        .bind(m.follow_ups)
        .bind(computed)
        .execute(&app.db.owner)
        .await
        .unwrap();
    }
    // Threads for two of them; the others have no row yet (the email's own flags count then).
    for (thread, escalating, needs_reply, messages) in
        [("acme-prod", true, true, 2), ("acme-exec", false, true, 1)]
    {
        sqlx::query(
            "INSERT INTO email_threads (thread_id, subject, first_at, last_at, message_count, \
             inbound_count, user_reply_count, participants, organizations, primary_organization, \
             primary_role, last_from_address, needs_reply, escalating, urgent, max_urgency_score, \
             sentiment_trend, negative_count, summary, computed_at) VALUES ($1, 's', $2, $2, $3, \
             $3, 0, '', 'Acme Corp', 'Acme Corp', 'client', 'x', $4, $5, true, 90, 'worsening', \
             0, 's', $2)",
        )
        .bind(thread)
        .bind(computed)
        .bind(messages)
        .bind(needs_reply)
        .bind(escalating)
        .execute(&app.db.owner)
        .await
        .unwrap();
    }
}

async fn app() -> TestApp {
    let app = TestApp::new().await;
    seed(&app, &mails()).await;
    app
}

/// The received mail of `organization` between `start` and `end`, oldest first.
fn expected(organization: &str, urgent_only: bool, start: &str, end: &str) -> Vec<Mail> {
    let (start, end) = (date(start), date(end));
    let mut out: Vec<Mail> = mails()
        .into_iter()
        .filter(|m| {
            m.inbound
                && m.organization == Some(organization)
                && (m.urgent() || !urgent_only)
                && (start..=end).contains(&m.sent_date())
        })
        .collect();
    out.sort_by_key(Mail::sent_at);
    out
}

/// Asks `question` and checks the rows are exactly `want`'s emails, in order.
async fn expect_emails(app: &TestApp, question: &str, want: &[Mail]) -> Value {
    let reply = app.ask(question, None).await;
    assert_eq!(reply["refused"], false, "{question}: {reply}");
    let sql = reply["sql"].as_str().unwrap();
    assert!(
        sql.contains("FROM email_insights") && sql.contains("email_threads"),
        "{question}: {sql}"
    );
    assert!(
        sql.starts_with("WITH matched AS (\n"),
        "the SQL is shown as written: {sql}"
    );
    let subjects: Vec<&str> = column(&reply, "subject")
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    let wanted: Vec<&str> = want.iter().map(|m| m.subject).collect();
    assert_eq!(subjects, wanted, "{question}: {reply}");
    let senders: Vec<&str> = column(&reply, "from_name")
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert_eq!(
        senders,
        want.iter().map(|m| m.from_name).collect::<Vec<_>>(),
        "{question}"
    );
    let answer = reply["answer"].as_str().unwrap();
    assert!(
        answer.contains(&format!("I found {} ", want.len())),
        "{question}: {answer}"
    );
    for m in want {
        assert!(answer.contains(m.subject), "{question}: {answer}");
        assert!(answer.contains(m.summary), "{question}: {answer}");
        assert!(
            answer.contains(&format!("urgency {}/100", m.urgency)),
            "{question}: {answer}"
        );
    }
    assert!(
        answer.contains("Data as of Thu 26 Nov 08:20"),
        "{question}: {answer}"
    );
    reply
}

// Today is Thursday 26 November 2026: the default period is the last 7 days, 20-26 November.

#[tokio::test]
async fn urgent_emails_from_acme_and_paraphrases() {
    let app = app().await;
    let want = expected("Acme Corp", true, "2026-11-20", "2026-11-26");
    assert_eq!(want.len(), 3, "the seed's overnight escalation");
    for q in [
        "Show me the urgent emails from Acme Corp",
        "urgent emails from Acme",
        "urgent mail from Acme",
        "anything urgent from Acme Corp?",
        "Any urgent messages from acmecorp?",
        "List urgent emails from ACME CORP",
        "What urgent emails did I get from Acme Corp?",
        "Which urgent emails came in from Acme?",
        "Show urgent mail from Acme Corp, please",
        "Are there urgent emails from Acme?",
        "important emails from acme corp",
        "high-priority emails sent by Acme Corp",
    ] {
        let reply = expect_emails(&app, q, &want).await;
        let answer = reply["answer"].as_str().unwrap();
        assert!(
            answer.contains("Wed 25 Nov 22:47 - Tom Anderson (CTO, client)"),
            "{q}: {answer}"
        );
        // The production thread escalates and waits for a reply; the executive review does not
        // escalate.
        assert!(
            answer.contains(
                "the thread \"Production Issue - Need Immediate Support\" is escalating (2 of these emails, 1 follow-up without your reply, negative sentiment, it waits for your reply). I suggest: reply now, then propose a call."
            ),
            "{q}: {answer}"
        );
        assert!(!answer.contains("\"Executive Review Meeting Request\" is escalating"));
        assert!(answer.contains("You didn't say when"), "{q}: {answer}");
    }
}

#[tokio::test]
async fn all_emails_of_an_organisation_and_periods() {
    let app = app().await;
    let reply = expect_emails(
        &app,
        "emails from Acme",
        &expected("Acme Corp", false, "2026-11-20", "2026-11-26"),
    )
    .await;
    assert_eq!(column(&reply, "subject").len(), 4);
    expect_emails(
        &app,
        "Show me all emails from Acme Corp last week",
        &expected("Acme Corp", false, "2026-11-16", "2026-11-22"),
    )
    .await;
    expect_emails(
        &app,
        "urgent emails from Globex this month",
        &expected("Globex", true, "2026-11-01", "2026-11-26"),
    )
    .await;
}

#[tokio::test]
async fn what_about_another_organisation_keeps_the_question() {
    let app = app().await;
    let first = app.ask("urgent emails from Acme Corp", None).await;
    let id = first["conversation_id"].as_str().unwrap();
    let reply = app.ask("what about Globex?", Some(id)).await;
    let want = expected("Globex", true, "2026-11-20", "2026-11-26");
    assert_eq!(want.len(), 1);
    let subjects: Vec<&str> = column(&reply, "subject")
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert_eq!(subjects, vec![want[0].subject], "{reply}");
    assert!(
        reply["answer"]
            .as_str()
            .unwrap()
            .starts_with("I found 1 urgent email from Globex"),
        "{reply}"
    );
}

/// The received mail of the sender at `address` between `start` and `end`, oldest first.
fn expected_from(address: &str, urgent_only: bool, start: &str, end: &str) -> Vec<Mail> {
    let (start, end) = (date(start), date(end));
    let mut out: Vec<Mail> = mails()
        .into_iter()
        .filter(|m| {
            m.inbound
                && m.from_address == address
                && (m.urgent() || !urgent_only)
                && (start..=end).contains(&m.sent_date())
        })
        .collect();
    out.sort_by_key(Mail::sent_at);
    out
}

#[tokio::test]
async fn a_persons_emails_by_name_or_address() {
    let app = app().await;
    let toms = expected_from(TOM.1, false, "2026-11-20", "2026-11-26");
    assert!(
        !toms.is_empty()
            && toms.len() < expected("Acme Corp", false, "2026-11-20", "2026-11-26").len()
    );
    for q in [
        "Show me the emails from Tom",
        "emails from Tom Anderson",
        "emails from tom.anderson@acmecorp.example",
    ] {
        let reply = expect_emails(&app, q, &toms).await;
        let answer = reply["answer"].as_str().unwrap();
        assert!(
            answer.contains("from Tom Anderson (Acme Corp)"),
            "{q}: {answer}"
        );
    }
    let urgent = expected_from(TOM.1, true, "2026-11-20", "2026-11-26");
    expect_emails(&app, "urgent emails from Tom", &urgent).await;
    // A name nobody has, and a first name with another's surname, find nobody.
    for q in ["emails from Zed", "emails from Tom Chen"] {
        let reply = app.ask(q, None).await;
        let answer = reply["answer"].as_str().unwrap();
        assert!(
            answer.contains("no organisation or person of that name"),
            "{q}: {answer}"
        );
    }
}

#[tokio::test]
async fn organisations_the_data_does_not_hold_get_no_one_elses_mail() {
    let app = app().await;
    for (q, name) in [
        ("Show me the urgent emails from Initech", "Initech"),
        ("emails from Umbrella Corp", "Umbrella Corp"),
        ("How many emails did I receive from John yesterday?", "John"),
    ] {
        let reply = app.ask(q, None).await;
        assert_eq!(reply["refused"], false, "{q}: {reply}");
        let answer = reply["answer"].as_str().unwrap();
        assert!(
            answer.starts_with(&format!("I found no emails from \"{name}\"")),
            "{q}: {answer}"
        );
        assert!(
            column(&reply, "subject").iter().all(|v| v.is_null()),
            "{q}: {reply}"
        );
    }
    // Known, but nothing urgent in the period: said so, with the period.
    let reply = app
        .ask("urgent emails from Acme on November 23", None)
        .await;
    assert!(
        expected("Acme Corp", true, "2026-11-23", "2026-11-23").is_empty(),
        "the seed has no urgent Acme mail on the 23rd"
    );
    assert!(
        reply["answer"]
            .as_str()
            .unwrap()
            .starts_with("No urgent emails from Acme Corp on Mon 23 Nov 2026."),
        "{reply}"
    );
}

/// The seed's received mail sent between `start` and `end` (local days).
fn inbound_between(start: NaiveDate, end: NaiveDate) -> Vec<Mail> {
    mails()
        .into_iter()
        .filter(|m| m.inbound && (start..=end).contains(&m.sent_date()))
        .collect()
}

#[tokio::test]
async fn different_domains_are_counted_from_the_per_email_rows() {
    let app = app().await;
    let (start, end) = (date("2026-11-16"), date("2026-11-22"));
    let inbound = inbound_between(start, end);
    let mut domains: Vec<&str> = inbound.iter().map(|m| m.domain).collect();
    domains.sort();
    domains.dedup();
    let reply = app
        .ask("How many different domains emailed me last week?", None)
        .await;
    assert_eq!(reply["refused"], false, "{reply}");
    assert_eq!(
        as_f64(cell(&reply, 0, "sender_domains")) as usize,
        domains.len(),
        "{reply}"
    );
    assert_eq!(as_f64(cell(&reply, 0, "emails")) as usize, inbound.len());
    let total_last_week: i64 = seed_days()
        .iter()
        .filter(|d| (start..=end).contains(&d.date))
        .map(|d| d.total())
        .sum();
    let answer = reply["answer"].as_str().unwrap();
    assert!(
        answer.starts_with(&format!(
            "{} different sender domains emailed you last week",
            domains.len()
        )),
        "{answer}"
    );
    assert!(
        !answer.contains(&total_last_week.to_string()),
        "never the total email count: {answer}"
    );
}

/// "How many emails from DOMAIN": every received email of the domain, from the per-email rows
/// (the daily tables keep only each day's top 10 domains, which once made this a refusal for a
/// domain that wrote 2,697 times in a day).
#[tokio::test]
async fn emails_from_a_domain_are_counted_from_the_per_email_rows() {
    let app = app().await;
    let (start, end) = (date("2026-11-16"), date("2026-11-22"));
    let inbound = inbound_between(start, end);
    let domain = inbound[0].domain;
    let from_domain = inbound.iter().filter(|m| m.domain == domain).count();
    let reply = app
        .ask(&format!("How many emails from {domain} last week?"), None)
        .await;
    assert_eq!(reply["refused"], false, "{reply}");
    assert_eq!(
        as_f64(cell(&reply, 0, "emails")) as usize,
        from_domain,
        "{reply}"
    );
    assert_eq!(
        as_f64(cell(&reply, 0, "all_emails")) as usize,
        inbound.len()
    );
    let answer = reply["answer"].as_str().unwrap();
    assert!(
        answer.starts_with(&format!(
            "You received {from_domain} emails from {domain} last week"
        )),
        "{answer}"
    );

    // A domain that never wrote: zero, not a refusal.
    let reply = app
        .ask(
            "How many emails from nobody-writes.example last week?",
            None,
        )
        .await;
    assert_eq!(as_f64(cell(&reply, 0, "emails")), 0.0, "{reply}");
    assert!(
        reply["answer"]
            .as_str()
            .unwrap()
            .starts_with("You received 0 emails from nobody-writes.example"),
        "{reply}"
    );
}

#[tokio::test]
async fn a_weekday_of_last_week_is_that_day() {
    let app = app().await;
    let wednesday = date("2026-11-18");
    let want = seed_days()
        .iter()
        .find(|d| d.date == wednesday)
        .unwrap()
        .total();
    let reply = app
        .ask("What was my email volume on Wednesday last week?", None)
        .await;
    assert_eq!(reply["refused"], false, "{reply}");
    assert!(
        reply["sql"]
            .as_str()
            .unwrap()
            .contains("date = DATE '2026-11-18'"),
        "{reply}"
    );
    assert_eq!(
        as_f64(cell(&reply, 0, "total_emails")) as i64,
        want,
        "{reply}"
    );
    assert_eq!(reply["rows"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn qualifiers_the_engine_cannot_use_are_refused() {
    let app = app().await;
    for q in [
        "How many emails with invoices did I get yesterday?",
        "Which sender sent me the fewest emails this week?",
        "How many emails yesterday and the day before?",
        "urgent emails from Acme about the outage",
        "urgent emails from clients",
    ] {
        let reply = app.ask(q, None).await;
        assert_eq!(reply["refused"], true, "{q}: {reply}");
        assert_eq!(reply["sql"], Value::Null, "{q}");
        assert!(!reply["suggestions"].as_array().unwrap().is_empty());
    }
}
