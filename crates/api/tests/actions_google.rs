//! Actions executed through Google (issue 19) with the production clients — google-gmail1's
//! `users.messages.send` (media upload), `users.messages.list` for the reply's thread, and
//! google-calendar3's `events.insert` — against a local server speaking those APIs' JSON and
//! OAuth's token endpoint. The app is wired by `ActionArgs` exactly as `mindy-api` is with
//! `MINDY_ACTIONS_MAIL=gmail` and `MINDY_ACTIONS_CALENDAR=google`.
//!
//! The server misbehaves as Google does: the first send is refused with 429 (retried), the first
//! insert is stored but its answer lost as a 503 (the retry meets 409, and the event exists
//! once). A send answered 503 is not retried: the user is told it failed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use mail_parser::MessageParser;
use mindy_api::actions::reminders;
use mindy_api::config::{ActionArgs, CalendarVia, MailVia};
use mindy_api::metrics::Metrics;
use mindy_core::smtp::SmtpServerArgs;
use mindy_google::auth::{FileTokenStorage, GoogleAuthArgs};
use mindy_test::smtp::SmtpSink;
use serde_json::{json, Value};
use yup_oauth2::storage::{TokenInfo, TokenStorage};

use crate::actions::{seed, DEMO, FOLLOW_UP, LISA, ME, MIKE, TOM};
use crate::util::{ActionSetup, Options, TestApp};

const FRESH: &str = "fresh-access-token";
const THREAD: &str = "18c2f0a1b2c3d4e5";

/// What the fake Google saw.
#[derive(Default)]
struct Google {
    /// Token refreshes.
    refreshes: usize,
    /// Send attempts (refused ones included).
    send_attempts: usize,
    /// Answer sends with 503 (after taking nothing).
    fail_sends: bool,
    /// Messages sent: the upload's JSON metadata and the RFC 822 message.
    sent: Vec<(Value, String)>,
    /// `rfc822msgid:` searches.
    searches: Vec<String>,
    /// Insert attempts, and the events stored by id.
    insert_attempts: usize,
    events: HashMap<String, Value>,
    /// Query strings of the inserts.
    insert_queries: Vec<HashMap<String, String>>,
    /// Patches: event id, body, query string.
    patches: Vec<(String, Value, HashMap<String, String>)>,
}

type Shared = Arc<Mutex<Google>>;

fn error(status: StatusCode, reason: &str) -> Response {
    (
        status,
        Json(json!({"error": {"code": status.as_u16(), "message": reason,
                               "errors": [{"reason": reason}]}})),
    )
        .into_response()
}

fn authorised(headers: &HeaderMap) -> bool {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == format!("Bearer {FRESH}"))
}

async fn token(State(google): State<Shared>, body: String) -> Response {
    if !body.contains("grant_type=refresh_token") || !body.contains("refresh_token=refresh-1") {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_grant"})),
        )
            .into_response();
    }
    google.lock().unwrap().refreshes += 1;
    Json(json!({"access_token": FRESH, "expires_in": 3599, "token_type": "Bearer"})).into_response()
}

/// `users.messages.list`: only the `rfc822msgid:` search for the replied message finds it.
async fn list(
    State(google): State<Shared>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if !authorised(&headers) {
        return error(StatusCode::UNAUTHORIZED, "authError");
    }
    let q = query.get("q").cloned().unwrap_or_default();
    google.lock().unwrap().searches.push(q.clone());
    if q == format!("rfc822msgid:{FOLLOW_UP}") {
        Json(json!({"messages": [{"id": "m-follow-up", "threadId": THREAD}], "resultSizeEstimate": 1}))
            .into_response()
    } else {
        Json(json!({"resultSizeEstimate": 0})).into_response()
    }
}

/// `users.messages.send` as a multipart upload: a `multipart/related` body of the JSON metadata
/// and the `message/rfc822`, read here with a MIME parser like any multipart entity.
async fn send(
    State(google): State<Shared>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
    body: axum::body::Bytes,
) -> Response {
    if !authorised(&headers) {
        return error(StatusCode::UNAUTHORIZED, "authError");
    }
    let mut g = google.lock().unwrap();
    g.send_attempts += 1;
    if g.send_attempts == 1 {
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [("retry-after", "0")],
            Json(json!({"error": {"code": 429, "message": "rateLimitExceeded"}})),
        )
            .into_response();
    }
    if g.fail_sends {
        return error(StatusCode::SERVICE_UNAVAILABLE, "backendError");
    }
    assert_eq!(
        query.get("uploadType").map(String::as_str),
        Some("multipart")
    );
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(
        content_type.starts_with("multipart/related"),
        "{content_type}"
    );
    let mut entity = format!("Content-Type: {content_type}\r\n\r\n").into_bytes();
    entity.extend_from_slice(&body);
    let parsed = MessageParser::default()
        .parse(&entity[..])
        .expect("a MIME entity");
    assert_eq!(
        parsed.parts.len(),
        3,
        "the container, the metadata, the message"
    );
    let metadata: Value =
        serde_json::from_slice(parsed.parts[1].contents()).expect("JSON metadata");
    let raw = match parsed.attachment(0).and_then(|a| a.message()) {
        Some(inner) => String::from_utf8_lossy(inner.raw_message()).to_string(),
        None => String::from_utf8_lossy(parsed.parts[2].contents()).to_string(),
    };
    let n = g.sent.len() + 1;
    let thread = metadata["threadId"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| format!("new-thread-{n}"));
    g.sent.push((metadata, raw));
    Json(json!({"id": format!("sent-{n}"), "threadId": thread, "labelIds": ["SENT"]}))
        .into_response()
}

/// `events.insert`: stores the event under its id; the first answer is lost (503 after storing),
/// and an id already stored is a 409, as Google answers.
async fn insert(
    State(google): State<Shared>,
    headers: HeaderMap,
    Path(calendar): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    Json(mut event): Json<Value>,
) -> Response {
    if !authorised(&headers) {
        return error(StatusCode::UNAUTHORIZED, "authError");
    }
    assert_eq!(calendar, "primary");
    let mut g = google.lock().unwrap();
    g.insert_attempts += 1;
    g.insert_queries.push(query);
    let id = event["id"].as_str().unwrap_or("generated").to_string();
    if g.events.contains_key(&id) {
        return error(StatusCode::CONFLICT, "duplicate");
    }
    event["htmlLink"] = json!(format!("https://calendar.google.com/event?eid={id}"));
    event["status"] = json!("confirmed");
    g.events.insert(id, event.clone());
    if g.insert_attempts == 1 {
        return error(StatusCode::SERVICE_UNAVAILABLE, "backendError");
    }
    Json(event).into_response()
}

/// `events.patch`: records the change and answers the event.
async fn patch(
    State(google): State<Shared>,
    headers: HeaderMap,
    Path((calendar, id)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
    Json(change): Json<Value>,
) -> Response {
    if !authorised(&headers) {
        return error(StatusCode::UNAUTHORIZED, "authError");
    }
    assert_eq!(calendar, "primary");
    let mut event = change.clone();
    event["id"] = json!(id);
    google.lock().unwrap().patches.push((id, change, query));
    Json(event).into_response()
}

async fn serve(google: Shared) -> String {
    let app = Router::new()
        .route("/token", post(token))
        .route("/gmail/v1/users/me/messages", get(list))
        .route("/upload/gmail/v1/users/me/messages/send", post(send))
        .route("/calendar/v3/calendars/{calendar}/events", post(insert))
        .route(
            "/calendar/v3/calendars/{calendar}/events/{id}",
            axum::routing::patch(patch),
        )
        .with_state(google);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

/// `ActionArgs` as `mindy-api` parses them with Gmail and Google Calendar chosen, against
/// `base`, with an expired access token and a refresh token (what `mindy auth actions` stored).
async fn args(base: &str, dir: &std::path::Path, smtp_port: u16) -> ActionArgs {
    let token_file = dir.join("token.json");
    let expired = TokenInfo {
        access_token: Some("stale".into()),
        refresh_token: Some("refresh-1".into()),
        expires_at: Some(time::OffsetDateTime::UNIX_EPOCH),
        id_token: None,
    };
    FileTokenStorage::new(token_file.clone())
        .set(
            &[
                mindy_google::GMAIL_SEND,
                mindy_google::GMAIL_READONLY,
                mindy_google::CALENDAR_EVENTS,
            ],
            expired,
        )
        .await
        .unwrap();
    ActionArgs {
        actor_database_url: None,
        smtp: SmtpServerArgs::plain("127.0.0.1", smtp_port),
        local_calendar: dir.join("unused.ics"),
        local_calendar_sources: Vec::new(),
        working_hours: mindy_core::calendar::day::parse_working_hours("09:00-17:00").unwrap(),
        action_ttl_secs: 3600,
        reminder_interval_secs: 15,
        mail_via: MailVia::Gmail,
        calendar_via: CalendarVia::Google,
        google: GoogleAuthArgs {
            client_secret_file: None,
            client_id: Some("client-id".into()),
            client_secret: Some("client-secret".into()),
            token_file: Some(token_file),
            token_uri: format!("{base}/token"),
            auth_uri: format!("{base}/auth"),
        },
        google_calendar_id: "primary".into(),
        gmail_api_url: base.to_string(),
        gcal_api_url: base.to_string(),
    }
}

/// A directory of its own for a test's token store, removed when dropped.
fn temp_dir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("mindy-google")
        .tempdir()
        .unwrap()
}

struct Fixture {
    app: TestApp,
    google: Shared,
    smtp: SmtpSink,
    args: ActionArgs,
    /// Holds the token store; removed with the fixture.
    _dir: tempfile::TempDir,
}

async fn fixture() -> Fixture {
    let google: Shared = Arc::default();
    let base = serve(google.clone()).await;
    let smtp = SmtpSink::start().await;
    let dir = temp_dir();
    let args = args(&base, dir.path(), smtp.port).await;
    let app = TestApp::with(Options {
        actions: Some(ActionSetup {
            mailer: args.mailer().await.unwrap(),
            calendar: args.calendar().await.unwrap(),
            ttl_secs: 3600,
        }),
        ..Options::semantic()
    })
    .await;
    seed(&app.db.owner).await;
    Fixture {
        app,
        google,
        smtp,
        args,
        _dir: dir,
    }
}

fn header<'a>(raw: &'a str, name: &str) -> Option<&'a str> {
    raw.lines()
        .take_while(|l| !l.is_empty())
        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
}

#[tokio::test]
async fn a_confirmed_reply_goes_through_gmail_in_its_thread_and_the_call_through_google_calendar() {
    let f = fixture().await;
    let drafted = f.app.ask(DEMO, None).await;
    assert_eq!(drafted["kind"], "action", "{drafted}");
    {
        let g = f.google.lock().unwrap();
        assert_eq!(
            (g.send_attempts, g.insert_attempts, g.searches.len()),
            (0, 0, 0),
            "nothing reaches Google before the confirmation"
        );
    }
    let conversation = drafted["conversation_id"].as_str().unwrap();
    let done = f.app.ask("send and schedule", Some(conversation)).await;
    let proposal = &done["proposal"];
    assert_eq!(proposal["status"], "done", "{done}");

    let id = {
        let g = f.google.lock().unwrap();
        // The reply: one message (the 429 was retried), in the replied message's Gmail thread.
        assert_eq!(g.send_attempts, 2);
        assert_eq!(g.sent.len(), 1);
        assert_eq!(g.searches, [format!("rfc822msgid:{FOLLOW_UP}")]);
        let (metadata, raw) = &g.sent[0];
        assert_eq!(metadata["threadId"], THREAD, "{metadata}");
        assert_eq!(
            header(raw, "In-Reply-To"),
            Some(format!("<{FOLLOW_UP}>").as_str()),
            "{raw}"
        );
        let parsed = MessageParser::default().parse(raw.as_bytes()).unwrap();
        let to: Vec<&str> = parsed
            .to()
            .unwrap()
            .iter()
            .filter_map(|a| a.address())
            .collect();
        let cc: Vec<&str> = parsed
            .cc()
            .unwrap()
            .iter()
            .filter_map(|a| a.address())
            .collect();
        assert_eq!((to, cc), (vec![TOM], vec![LISA, MIKE]), "{raw}");
        assert_eq!(parsed.from().unwrap().first().unwrap().address(), Some(ME));
        assert_eq!(proposal["results"][0]["external_id"], "sent-1");

        // The call: one event (the retried insert met 409), Tom and Mike invited by Google.
        assert_eq!(g.insert_attempts, 2);
        assert_eq!(g.events.len(), 1);
        let (id, event) = g.events.iter().next().unwrap();
        let id = id.clone();
        assert!(g
            .insert_queries
            .iter()
            .all(|q| q.get("sendUpdates").map(String::as_str) == Some("all")));
        let invited: Vec<&str> = event["attendees"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["email"].as_str().unwrap())
            .collect();
        assert_eq!(invited, [TOM, MIKE]);
        assert_eq!(
            event["start"]["dateTime"],
            proposal["actions"][1]["starts_at"]
        );
        assert_eq!(event["end"]["dateTime"], proposal["actions"][1]["ends_at"]);
        assert_eq!(proposal["results"][1]["external_id"], id);
        let detail = proposal["results"][1]["detail"].as_str().unwrap();
        assert!(
            detail.contains("in Google Calendar") && detail.contains("Google invited Tom Anderson"),
            "{detail}"
        );
        assert_eq!(
            g.refreshes, 1,
            "one refresh, then the stored token is reused"
        );
        id
    };

    // Google sent the invitations: nothing went by SMTP, and the local store is untouched.
    assert!(f.smtp.messages().is_empty());
    assert_eq!(f.app.db.count("local_calendar_events").await, 0);

    // The audit holds Gmail's and Google Calendar's ids.
    let (_, audit) = f.app.get("/api/actions/audit").await;
    let ids: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["external_id"].as_str())
        .collect();
    assert!(
        ids.contains(&"sent-1") && ids.contains(&id.as_str()),
        "{audit}"
    );

    // The reminder goes out through Gmail too, to the user.
    let remind_at: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(proposal["actions"][3]["remind_at"].clone()).unwrap();
    let pool = sqlx::PgPool::connect(&crate::util::with_database(
        &mindy_test::required("MINDY_ACTOR_DATABASE_URL"),
        &f.app.db.name,
    ))
    .await
    .unwrap();
    let delivered = reminders::deliver_due(
        &pool,
        &f.args.mailer().await.unwrap(),
        &Metrics::default(),
        remind_at + chrono::Duration::seconds(1),
    )
    .await
    .unwrap();
    assert_eq!(delivered, 1);
    let sent = std::mem::take(&mut f.google.lock().unwrap().sent);
    assert_eq!(sent.len(), 2);
    let reminder = MessageParser::default()
        .parse(sent[1].1.as_bytes())
        .unwrap();
    assert_eq!(reminder.to().unwrap().first().unwrap().address(), Some(ME));
    assert!(reminder.subject().unwrap().starts_with("Reminder:"));
    pool.close().await;
}

#[tokio::test]
async fn a_day_plan_goes_to_google_calendar_as_patches_and_inserts() {
    let f = fixture().await;
    crate::optimise::seed(&f.app.db.owner).await;
    let planned = f.app.ask("optimize my busiest day this week", None).await;
    let proposal = &planned["proposal"];
    assert_eq!(proposal["status"], "proposed", "{planned}");
    let conversation = planned["conversation_id"].as_str().unwrap();
    let done = f.app.ask("yes", Some(conversation)).await;
    assert_eq!(done["proposal"]["status"], "done", "{done}");
    let actions = proposal["actions"].as_array().unwrap();
    let g = f.google.lock().unwrap();
    let moves: Vec<&Value> = actions
        .iter()
        .filter(|a| a["kind"] == "move_event")
        .collect();
    assert_eq!(g.patches.len(), moves.len());
    for (m, (id, body, query)) in moves.iter().zip(&g.patches) {
        assert_eq!(m["event"]["event_id"], id.as_str());
        assert_eq!(body["start"]["dateTime"], m["starts_at"]);
        assert_eq!(body["end"]["dateTime"], m["ends_at"]);
        assert_eq!(query.get("sendUpdates").map(String::as_str), Some("all"));
    }
    let blocks = actions.iter().filter(|a| a["kind"] == "block_time").count();
    // The first insert's answer is lost (503) and its retry meets 409: one event per block.
    assert_eq!(g.events.len(), blocks);
    let mut summaries: Vec<&str> = g
        .events
        .values()
        .map(|e| e["summary"].as_str().unwrap())
        .collect();
    summaries.sort();
    assert_eq!(summaries, ["Lunch", "Travel to Acme Office"]);
    assert!(g
        .events
        .values()
        .all(|e| e["attendees"].as_array().is_some_and(|a| a.is_empty())));
}

#[tokio::test]
async fn a_send_gmail_fails_with_5xx_is_reported_not_repeated() {
    let f = fixture().await;
    f.google.lock().unwrap().fail_sends = true;
    let drafted = f.app.ask(DEMO, None).await;
    let conversation = drafted["conversation_id"].as_str().unwrap();
    let failed = f.app.ask("send and schedule", Some(conversation)).await;
    let proposal = &failed["proposal"];
    assert_eq!(proposal["status"], "failed", "{failed}");
    let detail = proposal["results"][0]["detail"].as_str().unwrap();
    assert!(
        detail.contains("users.messages.send") && detail.contains("503"),
        "{detail}"
    );
    let g = f.google.lock().unwrap();
    assert_eq!(
        g.send_attempts, 2,
        "the 429 was retried, the 503 was not (it may have been taken)"
    );
    assert_eq!(g.insert_attempts, 0, "nothing after the failed send");
    let answer = failed["answer"].as_str().unwrap();
    assert!(answer.contains("Not everything could be done"), "{answer}");
}
