//! Actions with confirmation (issue 19), through the API with the production code paths: the
//! reply drafted from a seeded thread, nothing sent before "yes", then the email (threaded),
//! the invitation, the event in the local calendar file, the task and the reminder; a second
//! confirmation sends nothing; expiry, cancellation, edits and the append-only audit.

use std::time::Duration;

use axum::http::StatusCode;
use chrono::{DateTime, TimeZone, Utc};
use icalendar::{Calendar, CalendarComponent, Component};
use mindy_api::actions::reminders;
use mindy_test::smtp::SmtpSink;
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::openai::FakeLlm;
use crate::util::{stream_events, today, ActionSetup, Options, TestApp};

pub(crate) const ME: &str = "sarah@northwind.example";
pub(crate) const TOM: &str = "tom@acme.example";
pub(crate) const LISA: &str = "lisa@acme.example";
pub(crate) const MIKE: &str = "mike@northwind.example";
pub(crate) const FIRST: &str = "prod-issue-1@acme.example";
pub(crate) const FOLLOW_UP: &str = "prod-issue-2@acme.example";

/// 09:00 UTC on the test's "today" (the app's fixed clock).
pub(crate) fn now() -> DateTime<Utc> {
    Utc.from_utc_datetime(&today().and_hms_opt(9, 0, 0).unwrap())
}

struct Email<'a> {
    id: &'a str,
    /// The Message-ID header, when `id` is not it (Gmail mail).
    message_id: Option<&'a str>,
    thread: &'a str,
    hours_ago: i64,
    from: &'a str,
    name: &'a str,
    org: &'a str,
    to: &'a str,
    subject: &'a str,
    direction: &'a str,
}

async fn email(pool: &PgPool, e: Email<'_>) {
    let at = now() - chrono::Duration::hours(e.hours_ago);
    sqlx::query(
        "INSERT INTO email_insights (id, thread_id, sent_at, sent_date, direction, from_address, from_name, \
         sender_domain, organization, sender_role, sender_title, sender_group, recipients, subject, summary, \
         sentiment, sentiment_score, frustrated, urgency_score, urgent, urgency_reasons, needs_reply, escalating, \
         action_item_count, thread_position, thread_message_count, follow_ups, computed_at, rfc822_message_id) \
         VALUES ($1, $2, $3, $3::date, $4, $5, $6, split_part($5, '@', 2), $7, 'client', 'CTO', 'Clients', $8, $9, \
         'summary', 'negative', -0.6, true, 90, true, 'urgent words', true, true, 0, 1, 2, 0, now(), $10)",
    )
    .bind(e.id)
    .bind(e.thread)
    .bind(at)
    .bind(e.direction)
    .bind(e.from)
    .bind(e.name)
    .bind(e.org)
    .bind(e.to)
    .bind(e.subject)
    .bind(e.message_id)
    .execute(pool)
    .await
    .unwrap();
}

async fn contact(
    pool: &PgPool,
    address: &str,
    name: &str,
    title: &str,
    org: &str,
    role: &str,
    is_user: bool,
) {
    sqlx::query(
        "INSERT INTO contacts (address, name, title, organization, domain, role, group_name, is_user, first_seen, \
         last_seen, emails_from, emails_from_30d, emails_to, emails_to_30d, negative_30d, urgent_30d, awaiting_reply, computed_at) \
         VALUES ($1, $2, $3, $4, split_part($1, '@', 2), $5, 'x', $6, now(), now(), 3, 3, 1, 1, 0, 0, 0, now())",
    )
    .bind(address)
    .bind(name)
    .bind(title)
    .bind(org)
    .bind(role)
    .bind(is_user)
    .execute(pool)
    .await
    .unwrap();
}

/// Acme's escalating thread to Sarah (Lisa copied), and the people in it. The follow-up came
/// through Gmail: its id is Gmail's, its Message-ID is kept beside it.
pub(crate) async fn seed(pool: &PgPool) {
    let subject = "Production Issue - Need Immediate Support";
    let recipients = format!("{ME}, {LISA}");
    email(
        pool,
        Email {
            id: FIRST,
            message_id: None,
            thread: "t-prod",
            hours_ago: 10,
            from: TOM,
            name: "Tom Anderson",
            org: "Acme Corp",
            to: &recipients,
            subject,
            direction: "inbound",
        },
    )
    .await;
    email(
        pool,
        Email {
            id: "18f3a9c2d4e5b6a7",
            message_id: Some(FOLLOW_UP),
            thread: "t-prod",
            hours_ago: 2,
            from: TOM,
            name: "Tom Anderson",
            org: "Acme Corp",
            to: &recipients,
            subject: "Re: Production Issue - Need Immediate Support",
            direction: "inbound",
        },
    )
    .await;
    contact(
        pool,
        ME,
        "Sarah Mitchell",
        "VP Customer Success",
        "Northwind",
        "internal",
        true,
    )
    .await;
    contact(
        pool,
        TOM,
        "Tom Anderson",
        "CTO",
        "Acme Corp",
        "client",
        false,
    )
    .await;
    contact(
        pool,
        LISA,
        "Lisa Chen",
        "VP Ops",
        "Acme Corp",
        "client",
        false,
    )
    .await;
    contact(
        pool,
        MIKE,
        "Mike Stevens",
        "CTO",
        "Northwind",
        "internal",
        false,
    )
    .await;
}

struct Fixture {
    app: TestApp,
    smtp: SmtpSink,
    calendar: std::path::PathBuf,
    /// Holds `calendar`; removed with the fixture.
    _dir: tempfile::TempDir,
}

async fn fixture(ttl_secs: i64) -> Fixture {
    fixture_with(ttl_secs, Options::semantic()).await
}

async fn fixture_with(ttl_secs: i64, options: Options) -> Fixture {
    let smtp = SmtpSink::start().await;
    let dir = calendar_dir();
    let calendar = dir.path().join("mini-mindy.ics");
    let app = TestApp::with(Options {
        actions: Some(ActionSetup::local(smtp.port, calendar.clone(), ttl_secs)),
        ..options
    })
    .await;
    seed(&app.db.owner).await;
    Fixture {
        app,
        smtp,
        calendar,
        _dir: dir,
    }
}

/// A directory of its own for a test's calendar file, removed when dropped.
fn calendar_dir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("mindy-calendar")
        .tempdir()
        .unwrap()
}

pub(crate) const DEMO: &str =
    "Draft a response to Tom apologizing and offering a call at 11 AM and loop in Mike";

fn kinds(proposal: &Value) -> Vec<&str> {
    proposal["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["kind"].as_str().unwrap())
        .collect()
}

fn addresses(people: &Value) -> Vec<&str> {
    people
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["address"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn a_drafted_reply_is_sent_and_scheduled_on_yes_and_only_once() {
    let f = fixture(3600).await;
    let drafted = f.app.ask(DEMO, None).await;
    assert_eq!(drafted["kind"], "action", "{drafted}");
    let proposal = &drafted["proposal"];
    assert_eq!(proposal["status"], "proposed");
    assert_eq!(
        kinds(proposal),
        ["send_email", "create_event", "create_task", "set_reminder"]
    );
    let mail = &proposal["actions"][0];
    assert_eq!(addresses(&mail["to"]), [TOM]);
    assert_eq!(
        addresses(&mail["cc"]),
        [LISA, MIKE],
        "reply-all without the user, plus Mike"
    );
    assert_eq!(mail["from"]["address"], ME);
    assert_eq!(
        mail["subject"],
        "Re: Production Issue - Need Immediate Support"
    );
    assert_eq!(mail["in_reply_to"], FOLLOW_UP);
    assert_eq!(mail["references"], json!([FIRST, FOLLOW_UP]));
    let body = mail["body"].as_str().unwrap();
    assert!(
        body.starts_with("Hi Tom,") && body.contains("sorry") && body.contains("11:00 today"),
        "{body}"
    );
    assert!(
        body.contains("Mike Stevens (CTO, Northwind)") && body.ends_with("Sarah"),
        "{body}"
    );
    let event = &proposal["actions"][1];
    assert_eq!(event["starts_at"], "2026-11-26T11:00:00Z");
    assert_eq!(event["ends_at"], "2026-11-26T11:30:00Z");
    assert_eq!(addresses(&event["attendees"]), [TOM, MIKE]);
    assert_eq!(proposal["actions"][2]["due_at"], "2026-11-26T17:00:00Z");
    assert_eq!(proposal["actions"][3]["remind_at"], "2026-11-26T10:45:00Z");
    let answer = drafted["answer"].as_str().unwrap();
    assert!(answer.contains("Say 'send and schedule'"), "{answer}");

    // Nothing happened before the confirmation.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(f.smtp.messages().is_empty());
    assert_eq!(f.app.db.count("tasks").await, 0);
    assert_eq!(f.app.db.count("reminders").await, 0);
    assert_eq!(f.app.db.count("local_calendar_events").await, 0);
    assert!(!f.calendar.exists());

    let conversation = drafted["conversation_id"].as_str().unwrap();
    let done = f.app.ask("Send and schedule", Some(conversation)).await;
    assert_eq!(done["proposal"]["status"], "done", "{done}");
    let text = done["answer"].as_str().unwrap();
    assert!(
        text.starts_with("Done!")
            && text.contains("Sent")
            && text.contains("invited Tom Anderson, Mike Stevens"),
        "{text}"
    );

    // The reply and the invitation reached the SMTP server.
    let messages = f.smtp.wait_for(2, Duration::from_secs(10)).await;
    assert_eq!(messages.len(), 2);
    let reply = messages
        .iter()
        .find(|m| m.data.contains("In-Reply-To"))
        .expect("the reply");
    assert_eq!(reply.from, ME);
    let mut rcpt = reply.to.clone();
    rcpt.sort();
    assert_eq!(rcpt, [LISA, MIKE, TOM]);
    assert!(
        reply.data.contains(&format!("In-Reply-To: <{FOLLOW_UP}>")),
        "{}",
        reply.data
    );
    assert!(
        reply
            .data
            .contains(&format!("References: <{FIRST}> <{FOLLOW_UP}>")),
        "{}",
        reply.data
    );
    assert!(
        reply
            .data
            .contains("Subject: Re: Production Issue - Need Immediate Support"),
        "{}",
        reply.data
    );
    let sent_id = done["proposal"]["results"][0]["external_id"]
        .as_str()
        .unwrap();
    assert!(
        reply.data.contains(&format!("Message-ID: <{sent_id}>")),
        "{}",
        reply.data
    );
    let invitation = messages
        .iter()
        .find(|m| m.data.contains("text/calendar"))
        .expect("the invitation");
    assert!(
        invitation.data.contains("method=REQUEST")
            || invitation.data.contains("method=\"REQUEST\""),
        "{}",
        invitation.data
    );
    let mut invited = invitation.to.clone();
    invited.sort();
    assert_eq!(invited, [MIKE, TOM]);

    // The event is in the local calendar file, with its attendees.
    let ics = std::fs::read_to_string(&f.calendar).unwrap();
    let parsed: Calendar = ics.parse().unwrap();
    let events: Vec<_> = parsed
        .components
        .iter()
        .filter_map(|c| match c {
            CalendarComponent::Event(e) => Some(e),
            _ => None,
        })
        .collect();
    assert_eq!(events.len(), 1, "{ics}");
    let uid = done["proposal"]["results"][1]["external_id"]
        .as_str()
        .unwrap();
    assert_eq!(events[0].get_uid(), Some(uid));
    assert!(
        events[0].get_summary().unwrap().contains("Acme Corp"),
        "{ics}"
    );
    let attendees = ics.to_lowercase();
    assert!(
        attendees.contains(&format!("mailto:{TOM}"))
            && attendees.contains(&format!("mailto:{MIKE}")),
        "{ics}"
    );

    let (_, tasks) = f.app.get("/api/tasks").await;
    assert_eq!(tasks.as_array().unwrap().len(), 1);
    assert_eq!(
        tasks[0]["title"],
        "Follow up on Acme Corp: Production Issue - Need Immediate Support"
    );
    let (_, reminders) = f.app.get("/api/reminders").await;
    assert_eq!(reminders[0]["remind_at"], "2026-11-26T10:45:00Z");
    assert_eq!(reminders[0]["recipient"], ME);

    // A second confirmation (the button after the chat's "yes") sends nothing.
    let id = done["proposal"]["id"].as_str().unwrap();
    let (status, again) = f
        .app
        .post(&format!("/api/actions/{id}/confirm"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["executed_now"], false);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(f.smtp.messages().len(), 2);
    assert_eq!(f.app.db.count("tasks").await, 1);

    // The audit has every step, newest first.
    let (_, audit) = f
        .app
        .get(&format!("/api/actions/audit?proposal_id={id}"))
        .await;
    let events: Vec<(&str, Option<&str>)> = audit
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .map(|e| (e["event"].as_str().unwrap(), e["action"].as_str()))
        .collect();
    assert_eq!(
        events,
        [
            ("proposed", None),
            ("confirmed", None),
            ("executed", Some("send_email")),
            ("executed", Some("create_event")),
            ("executed", Some("create_task")),
            ("executed", Some("set_reminder")),
        ]
    );
    assert_eq!(audit[3]["external_id"], sent_id);

    // Append-only: the API's role may not change it, and the table refuses even its owner.
    let actor = f.app.state.chat.actions.as_ref().unwrap().pool.clone();
    let denied = sqlx::query("UPDATE action_audit SET event = 'cancelled'")
        .execute(&actor)
        .await
        .unwrap_err();
    assert!(denied.to_string().contains("permission denied"), "{denied}");
    let refused = sqlx::query("DELETE FROM action_audit")
        .execute(&f.app.db.owner)
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("append-only"), "{refused}");

    // The reminder is delivered at its time, once.
    let at = Utc.from_utc_datetime(&today().and_hms_opt(10, 45, 0).unwrap());
    let actions = f.app.state.chat.actions.as_ref().unwrap();
    let (mailer, metrics) = (&actions.mailer, &actions.metrics);
    assert_eq!(
        reminders::deliver_due(&actor, mailer, metrics, at - chrono::Duration::minutes(1))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        reminders::deliver_due(&actor, mailer, metrics, at)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        reminders::deliver_due(&actor, mailer, metrics, at)
            .await
            .unwrap(),
        0
    );
    let all = f.smtp.wait_for(3, Duration::from_secs(10)).await;
    let reminder = all
        .iter()
        .find(|m| m.data.contains("Subject: Reminder:"))
        .expect("the reminder");
    assert_eq!(reminder.to, [ME]);
    assert!(
        reminder
            .data
            .contains("Prepare for the call with Tom Anderson"),
        "{}",
        reminder.data
    );

    // Counted for Prometheus.
    let (_, metrics) = f.app.get("/metrics").await;
    let metrics = metrics.as_str().unwrap();
    for line in [
        r#"mindy_api_actions_total{action="send_email",outcome="proposed"} 1"#,
        r#"mindy_api_actions_total{action="send_email",outcome="executed"} 1"#,
        r#"mindy_api_actions_total{action="set_reminder",outcome="executed"} 1"#,
        r#"mindy_api_reminders_total{outcome="delivered"} 1"#,
    ] {
        assert!(metrics.contains(line), "{line} in {metrics}");
    }

    // Asked again, the call (in the local store, not yet served) is on the calendar already:
    // only the reply is proposed, and the answer says why.
    let again = f.app.ask(DEMO, None).await;
    assert_eq!(kinds(&again["proposal"]), ["send_email"], "{again}");
    let answer = again["answer"].as_str().unwrap();
    assert!(
        answer.contains("already on your calendar: not scheduled again"),
        "{answer}"
    );
}

#[tokio::test]
async fn simultaneous_confirmations_execute_once() {
    let f = fixture(3600).await;
    let drafted = f
        .app
        .ask("Reply to Tom Anderson offering a call at 3pm", None)
        .await;
    let id = drafted["proposal"]["id"].as_str().unwrap().to_string();
    let path = format!("/api/actions/{id}/confirm");
    let empty = json!({});
    let clicks = (0..5).map(|_| f.app.post(&path, &empty));
    let outcomes = futures::future::join_all(clicks).await;
    let executed = outcomes
        .iter()
        .filter(|(s, body)| *s == StatusCode::OK && body["executed_now"] == true)
        .count();
    assert_eq!(executed, 1, "{outcomes:?}");
    assert!(
        outcomes.iter().all(|(s, _)| *s == StatusCode::OK),
        "{outcomes:?}"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    let replies = f
        .smtp
        .messages()
        .iter()
        .filter(|m| m.data.contains("In-Reply-To"))
        .count();
    assert_eq!(replies, 1);
}

#[tokio::test]
async fn expired_or_cancelled_proposals_do_nothing() {
    // Proposals that expire as soon as they are made.
    let f = fixture(0).await;
    let drafted = f.app.ask(DEMO, None).await;
    let id = drafted["proposal"]["id"].as_str().unwrap();
    let (status, body) = f
        .app
        .post(&format!("/api/actions/{id}/confirm"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("expired"),
        "{body}"
    );
    let conversation = drafted["conversation_id"].as_str().unwrap();
    let said = f.app.ask("yes", Some(conversation)).await;
    assert!(
        said["answer"].as_str().unwrap().contains("expired"),
        "{said}"
    );

    let f = fixture(3600).await;
    let drafted = f.app.ask(DEMO, None).await;
    let conversation = drafted["conversation_id"].as_str().unwrap();
    let cancelled = f.app.ask("cancel", Some(conversation)).await;
    assert_eq!(cancelled["proposal"]["status"], "cancelled");
    let later = f.app.ask("send and schedule", Some(conversation)).await;
    assert!(
        later["answer"].as_str().unwrap().contains("cancelled"),
        "{later}"
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(f.smtp.messages().is_empty());
    assert_eq!(f.app.db.count("local_calendar_events").await, 0);
    assert_eq!(f.app.db.count("tasks").await, 0);
}

#[tokio::test]
async fn an_edited_draft_is_what_is_sent() {
    let f = fixture(3600).await;
    let drafted = f.app.ask(DEMO, None).await;
    let id = drafted["proposal"]["id"].as_str().unwrap();
    let edit = json!({ "body": "Hi Tom,\n\nCall at noon instead?\n\nSarah", "call_starts_at": "2026-11-26T12:00:00Z" });
    let (status, edited) = f
        .app
        .send_json("PATCH", &format!("/api/actions/{id}"), &edit)
        .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(edited["actions"][1]["starts_at"], "2026-11-26T12:00:00Z");
    assert_eq!(edited["actions"][0]["written_by"], "user");
    assert_eq!(edited["actions"][3]["remind_at"], "2026-11-26T11:45:00Z");
    let (status, bad) = f
        .app
        .send_json(
            "PATCH",
            &format!("/api/actions/{id}"),
            &json!({ "body": "  " }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    let (status, bad) = f
        .app
        .send_json(
            "PATCH",
            &format!("/api/actions/{id}"),
            &json!({ "subject": "Re: x\r\nBcc: someone@else.example" }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a header cannot be smuggled in: {bad}"
    );
    let (status, _) = f
        .app
        .post(&format!("/api/actions/{id}/confirm"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let messages = f.smtp.wait_for(2, Duration::from_secs(10)).await;
    let reply = messages
        .iter()
        .find(|m| m.data.contains("In-Reply-To"))
        .unwrap();
    assert!(
        reply.data.contains("Call at noon instead?"),
        "{}",
        reply.data
    );
    let (status, _) = f
        .app
        .send_json("PATCH", &format!("/api/actions/{id}"), &edit)
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "a sent draft cannot be edited"
    );
}

/// The chat page reads the streaming endpoint: its `result` event carries the proposal as the
/// whole reply does, and other answers' results have none.
#[tokio::test]
async fn the_stream_carries_the_proposal() {
    let f = fixture(3600).await;
    let events = stream_events(&f.app, DEMO).await;
    let result = &events
        .iter()
        .find(|(event, _)| event == "result")
        .expect("a result event")
        .1;
    assert_eq!(result["kind"], "action", "{result}");
    assert_eq!(result["proposal"]["status"], "proposed", "{result}");
    let id = result["proposal"]["id"].as_str().unwrap();
    let (status, stored) = f.app.get(&format!("/api/actions/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(stored["proposal"], result["proposal"]);

    let events = stream_events(&f.app, "How many emails did I receive yesterday?").await;
    let (_, result) = events.iter().find(|(event, _)| event == "result").unwrap();
    assert!(result.get("proposal").is_none(), "{result}");
}

#[tokio::test]
async fn requests_that_cannot_be_drafted_say_why() {
    let f = fixture(3600).await;
    for (question, expected) in [
        ("Draft a reply to Zed", "no email from \"zed\""),
        (
            "Draft a reply to Tom offering a call at 8 am today",
            "already passed",
        ),
        (
            "Draft a reply to Tom and loop in Quentin",
            "nobody called \"quentin\"",
        ),
    ] {
        let reply = f.app.ask(question, None).await;
        assert_eq!(reply["kind"], "action");
        assert!(reply["proposal"].is_null(), "{question}: {reply}");
        assert!(
            reply["answer"].as_str().unwrap().contains(expected),
            "{question}: {reply}"
        );
    }
    let nothing = f.app.ask("yes", None).await;
    assert!(
        nothing["answer"]
            .as_str()
            .unwrap()
            .contains("Nothing is waiting"),
        "{nothing}"
    );
    assert_eq!(f.app.db.count("action_proposals").await, 0);
}

#[tokio::test]
async fn without_the_actor_role_actions_say_how_to_turn_them_on() {
    let app = TestApp::new().await;
    let reply = app.ask(DEMO, None).await;
    assert!(
        reply["answer"]
            .as_str()
            .unwrap()
            .contains("MINDY_ACTOR_DATABASE_URL"),
        "{reply}"
    );
    let (status, _) = app.get("/api/actions").await;
    assert_eq!(status, StatusCode::BAD_GATEWAY);
}

#[tokio::test]
async fn with_an_llm_the_model_writes_the_body_within_the_facts() {
    let written = "Hi Tom,\n\nI'm sorry for the delay. Could we talk at 11:00 today? Mike will join us.\n\nBest regards,\nSarah";
    let llm = FakeLlm::start(&[
        written,
        // The second draft's body invents a number and forgets Mike: the template stands.
        "Hi Tom,\n\nWe fixed 500 bugs. Call at 11:00?\n\nSarah",
    ])
    .await;
    let f = fixture_with(
        3600,
        Options {
            generator: llm.generator(),
            ..Options::semantic()
        },
    )
    .await;
    let drafted = f.app.ask(DEMO, None).await;
    let mail = &drafted["proposal"]["actions"][0];
    assert_eq!(mail["body"], written, "{drafted}");
    assert_eq!(mail["written_by"], "openai");
    // The model saw the facts, and only them.
    let request = &llm.requests()[0];
    let facts = request["messages"][1]["content"].as_str().unwrap();
    assert!(
        facts.contains("\"call_time\": \"11:00\"") && facts.contains("Mike Stevens"),
        "{facts}"
    );

    let second = f.app.ask(DEMO, None).await;
    let mail = &second["proposal"]["actions"][0];
    assert_eq!(mail["written_by"], "template", "{second}");
    assert!(mail["body"]
        .as_str()
        .unwrap()
        .starts_with("Hi Tom,\n\nI'm sorry"));
    let answer = second["answer"].as_str().unwrap();
    assert!(
        answer.contains("The model's draft was not used because it left out Mike"),
        "{answer}"
    );
}

#[tokio::test]
async fn a_failed_send_stops_everything_after_it_and_says_so() {
    // An SMTP port nobody listens on: bind one, then free it.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let dir = calendar_dir();
    let calendar = dir.path().join("mini-mindy.ics");
    let app = TestApp::with(Options {
        actions: Some(ActionSetup::local(port, calendar.clone(), 3600)),
        ..Options::semantic()
    })
    .await;
    seed(&app.db.owner).await;
    let drafted = app.ask(DEMO, None).await;
    let conversation = drafted["conversation_id"].as_str().unwrap();
    let failed = app.ask("send and schedule", Some(conversation)).await;
    let proposal = &failed["proposal"];
    assert_eq!(proposal["status"], "failed", "{failed}");
    let results = proposal["results"].as_array().unwrap();
    assert_eq!(results[0]["ok"], false);
    assert!(
        results[0]["detail"]
            .as_str()
            .unwrap()
            .contains("mail delivery failed"),
        "{failed}"
    );
    for later in &results[1..] {
        assert_eq!(later["ok"], false);
        assert_eq!(later["detail"], "not done: an earlier action failed");
    }
    let answer = failed["answer"].as_str().unwrap();
    assert!(
        answer.starts_with("Not everything could be done") && answer.contains("❌"),
        "{answer}"
    );
    assert_eq!(app.db.count("tasks").await, 0);
    assert_eq!(app.db.count("reminders").await, 0);
    assert_eq!(app.db.count("local_calendar_events").await, 0);
    assert!(!calendar.exists());
    let id = proposal["id"].as_str().unwrap();
    let (_, audit) = app
        .get(&format!("/api/actions/audit?proposal_id={id}"))
        .await;
    assert_eq!(audit[0]["event"], "failed");
    assert_eq!(audit[0]["action"], "send_email");
}
