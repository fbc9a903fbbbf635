//! The production Gmail client (google-gmail1 + yup-oauth2) against a local server speaking the
//! Gmail API's documented JSON: messages.list paging, messages.get with format=raw (base64url),
//! history.list, 429 with Retry-After, a 500, 404 for an expired history id, and a token refresh
//! at a local token endpoint.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use mindy_pipeline::jobs::ingest::gmail::auth::{FileTokenStorage, GmailAuthArgs, READONLY_SCOPE};
use mindy_pipeline::jobs::ingest::gmail::{self, GmailConfig, SyncState};
use mindy_pipeline::shutdown::Shutdown;
use mindy_test::unique;
use serde_json::{json, Value};
use yup_oauth2::storage::{TokenInfo, TokenStorage};

use super::util::TestTopics;

/// The fake mailbox and what the server saw.
#[derive(Default)]
struct Mock {
    /// `(id, thread, raw)`, in list order; the last one only appears through history.
    messages: Vec<(String, String, Vec<u8>)>,
    /// Requests per path, with their time.
    requests: Vec<(String, Instant)>,
    /// Times `messages.get` answered each id with an error, to fail only the first time.
    failures: HashMap<String, u32>,
    /// Token refreshes served.
    refreshes: u32,
}

type Shared = Arc<Mutex<Mock>>;

const FRESH: &str = "fresh-access-token";
const PROFILE_HISTORY: u64 = 1000;
const NEW_HISTORY: u64 = 1001;
const EXPIRED_HISTORY: u64 = 5;

fn raw(id: &str, subject: &str) -> Vec<u8> {
    format!(
        "From: \"Tom Anderson\" <tom.anderson@acmecorp.example>\r\nTo: sarah.mitchell@northwind.example\r\n\
         Subject: {subject}\r\nDate: Tue, 7 Oct 2025 22:47:00 -0400\r\nMessage-ID: <{id}@acmecorp.example>\r\n\
         Content-Type: text/plain; charset=UTF-8\r\n\r\nBody of {id}.\r\n"
    )
    .into_bytes()
}

fn authorised(headers: &HeaderMap) -> bool {
    headers.get("authorization").and_then(|v| v.to_str().ok()) == Some(&format!("Bearer {FRESH}"))
}

fn error(status: StatusCode, message: &str) -> Response {
    let body = json!({"error": {"code": status.as_u16(), "message": message, "errors": [{"reason": "x", "message": message}]}});
    (status, Json(body)).into_response()
}

async fn profile(State(mock): State<Shared>, headers: HeaderMap) -> Response {
    mock.lock()
        .unwrap()
        .requests
        .push(("profile".into(), Instant::now()));
    if !authorised(&headers) {
        return error(StatusCode::UNAUTHORIZED, "bad token");
    }
    Json(json!({"emailAddress": "sarah.mitchell@northwind.example", "historyId": PROFILE_HISTORY.to_string(), "messagesTotal": 3, "threadsTotal": 3})).into_response()
}

/// Pages of two, whatever maxResults says, so paging is exercised.
async fn list(
    State(mock): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let mut mock = mock.lock().unwrap();
    mock.requests.push(("list".into(), Instant::now()));
    if !authorised(&headers) || !q.get("q").is_some_and(|q| q.starts_with("after:")) {
        return error(StatusCode::BAD_REQUEST, "unexpected request");
    }
    let listed = &mock.messages[..mock.messages.len() - 1];
    let start: usize = q
        .get("pageToken")
        .map(|t| t.trim_start_matches("page").parse().unwrap())
        .unwrap_or(0);
    let page: Vec<Value> = listed
        .iter()
        .skip(start)
        .take(2)
        .map(|(id, thread, _)| json!({"id": id, "threadId": thread}))
        .collect();
    let mut body = json!({"messages": page, "resultSizeEstimate": listed.len()});
    if start + 2 < listed.len() {
        body["nextPageToken"] = json!(format!("page{}", start + 2));
    }
    Json(body).into_response()
}

/// `m2` answers 429 with Retry-After: 1 once, `m3` a 500 once.
async fn message(
    State(mock): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let mut mock = mock.lock().unwrap();
    mock.requests.push((format!("get {id}"), Instant::now()));
    if !authorised(&headers) || q.get("format").map(String::as_str) != Some("raw") {
        return error(StatusCode::BAD_REQUEST, "unexpected request");
    }
    let failures = mock.failures.entry(id.clone()).or_default();
    *failures += 1;
    if id == "m2" && *failures == 1 {
        let mut response = error(StatusCode::TOO_MANY_REQUESTS, "rate limited");
        response
            .headers_mut()
            .insert("retry-after", "1".parse().unwrap());
        return response;
    }
    if id == "m3" && *failures == 1 {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "backend error");
    }
    let Some((_, thread, raw)) = mock.messages.iter().find(|(m, _, _)| *m == id) else {
        return error(StatusCode::NOT_FOUND, "not found");
    };
    Json(json!({
        "id": id, "threadId": thread, "labelIds": ["INBOX", "IMPORTANT"], "snippet": "...",
        "historyId": NEW_HISTORY.to_string(), "internalDate": "1759891620000", "sizeEstimate": raw.len(),
        "raw": base64::engine::general_purpose::URL_SAFE.encode(raw),
    }))
    .into_response()
}

async fn history(
    State(mock): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let mock = mock.lock().unwrap();
    if !authorised(&headers) || q.get("historyTypes").map(String::as_str) != Some("messageAdded") {
        return error(StatusCode::BAD_REQUEST, "unexpected request");
    }
    match q.get("startHistoryId").and_then(|h| h.parse::<u64>().ok()) {
        Some(PROFILE_HISTORY) => {
            let (id, thread, _) = mock.messages.last().unwrap();
            Json(json!({
                "history": [{"id": NEW_HISTORY.to_string(), "messages": [{"id": id, "threadId": thread}],
                             "messagesAdded": [{"message": {"id": id, "threadId": thread, "labelIds": ["INBOX"]}}]}],
                "historyId": NEW_HISTORY.to_string(),
            }))
            .into_response()
        }
        Some(EXPIRED_HISTORY) => error(StatusCode::NOT_FOUND, "Requested entity was not found."),
        _ => error(StatusCode::BAD_REQUEST, "unexpected startHistoryId"),
    }
}

async fn token(State(mock): State<Shared>, body: String) -> Response {
    let form: HashMap<&str, &str> = body
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .collect();
    if form.get("grant_type") != Some(&"refresh_token")
        || form.get("refresh_token") != Some(&"refresh-1")
    {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_grant"})),
        )
            .into_response();
    }
    mock.lock().unwrap().refreshes += 1;
    Json(json!({"access_token": FRESH, "expires_in": 3599, "token_type": "Bearer", "scope": READONLY_SCOPE})).into_response()
}

/// Starts the server on a free port; returns its base URL.
async fn serve(mock: Shared) -> String {
    let app = Router::new()
        .route("/gmail/v1/users/me/profile", get(profile))
        .route("/gmail/v1/users/me/messages", get(list))
        .route("/gmail/v1/users/me/messages/{id}", get(message))
        .route("/gmail/v1/users/me/history", get(history))
        .route("/token", post(token))
        .with_state(mock);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

fn mailbox() -> Shared {
    let messages = [
        ("m1", "t1", "Q4 rollout"),
        ("m2", "t2", "Renewal"),
        ("m3", "t1", "Re: Q4 rollout"),
        ("m4", "t4", "Production Issue"),
    ]
    .iter()
    .map(|(id, thread, subject)| (id.to_string(), thread.to_string(), raw(id, subject)))
    .collect();
    Arc::new(Mutex::new(Mock {
        messages,
        ..Mock::default()
    }))
}

/// A config against `base`, with an expired access token and a refresh token on disk.
async fn config(t: &TestTopics, base: &str, dir: &std::path::Path) -> GmailConfig {
    let token_file = dir.join("token.json");
    let expired = TokenInfo {
        access_token: Some("stale".into()),
        refresh_token: Some("refresh-1".into()),
        expires_at: Some(time::OffsetDateTime::UNIX_EPOCH),
        id_token: None,
    };
    FileTokenStorage::new(token_file.clone())
        .set(&[READONLY_SCOPE], expired)
        .await
        .unwrap();
    GmailConfig {
        kafka: t.kafka.clone(),
        topics: t.topics.clone(),
        auth: GmailAuthArgs {
            client_secret_file: None,
            client_id: Some("client-id".into()),
            client_secret: Some("client-secret".into()),
            token_file: Some(token_file),
            token_uri: format!("{base}/token"),
            auth_uri: format!("{base}/auth"),
        },
        state_file: Some(dir.join("state.json")),
        once: true,
        interval_minutes: 5,
        backfill_hours: 24,
        concurrency: 4,
        quota_per_minute: 15_000,
        max_retries: 3,
        api_url: base.to_string(),
        user: "me".into(),
    }
}

fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(unique("gmail"));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test]
async fn full_sync_then_incremental_with_retries_and_a_token_refresh() {
    let t = TestTopics::create("gmail").await;
    let mock = mailbox();
    let base = serve(Arc::clone(&mock)).await;
    let dir = temp_dir();
    let config = config(&t, &base, &dir).await;

    let first = gmail::run(&config, Shutdown::new())
        .await
        .expect("full sync");
    assert_eq!(first.counts.produced, 3, "{first}");
    assert_eq!(
        SyncState::load(&dir.join("state.json")).unwrap().history_id,
        Some(PROFILE_HISTORY)
    );
    let second = gmail::run(&config, Shutdown::new())
        .await
        .expect("incremental sync");
    assert_eq!(second.counts.produced, 1, "only the message added since");
    assert_eq!(
        SyncState::load(&dir.join("state.json")).unwrap().history_id,
        Some(NEW_HISTORY)
    );

    let records = t.read(&t.topics.emails, false).await;
    let mut keys: Vec<&str> = records.iter().map(|r| r.key.as_str()).collect();
    keys.sort();
    assert_eq!(keys, ["m1", "m2", "m3", "m4"]);
    let m3 = records.iter().find(|r| r.key == "m3").unwrap().json();
    assert_eq!(
        (m3["source"].as_str(), m3["thread_id"].as_str()),
        (Some("gmail"), Some("t1"))
    );
    assert_eq!(m3["labels"], json!(["INBOX", "IMPORTANT"]));
    assert_eq!(m3["rfc822_message_id"], "m3@acmecorp.example");
    assert_eq!(m3["date"], "2025-10-08T02:47:00Z");

    {
        let mock = mock.lock().unwrap();
        assert_eq!(
            mock.refreshes, 1,
            "one refresh, then the stored token is reused"
        );
        let gets = |id: &str| {
            mock.requests
                .iter()
                .filter(|(p, _)| p == &format!("get {id}"))
                .map(|(_, at)| *at)
                .collect::<Vec<_>>()
        };
        let m2 = gets("m2");
        assert_eq!(m2.len(), 2, "the 429 was retried");
        assert!(
            m2[1] - m2[0] >= Duration::from_secs(1),
            "Retry-After: 1 honoured ({:?})",
            m2[1] - m2[0]
        );
        assert_eq!(gets("m3").len(), 2, "the 500 was retried");
        assert_eq!(
            mock.requests.iter().filter(|(p, _)| p == "list").count(),
            2,
            "two pages"
        );
    }

    let stored = std::fs::read_to_string(dir.join("token.json")).unwrap();
    assert!(stored.contains(FRESH) && stored.contains("refresh-1"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(dir.join("token.json"))
                .unwrap()
                .permissions()
                .mode()
                & 0o777,
            0o600
        );
    }
    std::fs::remove_dir_all(dir).unwrap();
    t.delete().await;
}

#[tokio::test]
async fn an_expired_history_id_falls_back_to_a_full_sync() {
    let t = TestTopics::create("gmail-expired").await;
    let mock = mailbox();
    let base = serve(Arc::clone(&mock)).await;
    let dir = temp_dir();
    let config = config(&t, &base, &dir).await;
    SyncState {
        history_id: Some(EXPIRED_HISTORY),
        ..SyncState::default()
    }
    .save(&dir.join("state.json"))
    .unwrap();

    let report = gmail::run(&config, Shutdown::new()).await.expect("sync");
    assert_eq!(report.counts.produced, 3, "the 24-hour backfill again");
    assert_eq!(
        SyncState::load(&dir.join("state.json")).unwrap().history_id,
        Some(PROFILE_HISTORY)
    );
    assert!(mock
        .lock()
        .unwrap()
        .requests
        .iter()
        .any(|(p, _)| p == "profile"));
    std::fs::remove_dir_all(dir).unwrap();
    t.delete().await;
}

/// A mailbox of answers served verbatim: `(id, status, body)`.
type Answers = Arc<Mutex<HashMap<String, (StatusCode, String)>>>;

/// Lists every answer's id (one page) and serves each verbatim.
async fn serve_answers(answers: Answers) -> String {
    async fn list(State(answers): State<Answers>) -> Response {
        let mut ids: Vec<String> = answers.lock().unwrap().keys().cloned().collect();
        ids.sort();
        let page: Vec<Value> = ids
            .iter()
            .map(|id| json!({"id": id, "threadId": id}))
            .collect();
        Json(json!({"messages": page, "resultSizeEstimate": ids.len()})).into_response()
    }
    async fn get_one(State(answers): State<Answers>, Path(id): Path<String>) -> Response {
        let (status, body) = answers.lock().unwrap()[&id].clone();
        (status, [("content-type", "application/json")], body).into_response()
    }
    async fn profile_of(State(_): State<Answers>) -> Response {
        Json(json!({"emailAddress": "dana@example.com", "historyId": PROFILE_HISTORY.to_string()}))
            .into_response()
    }
    async fn refresh(State(_): State<Answers>) -> Response {
        Json(json!({"access_token": FRESH, "expires_in": 3599, "token_type": "Bearer", "scope": READONLY_SCOPE})).into_response()
    }
    let app = Router::new()
        .route("/gmail/v1/users/me/profile", get(profile_of))
        .route("/gmail/v1/users/me/messages", get(list))
        .route("/gmail/v1/users/me/messages/{id}", get(get_one))
        .route("/token", post(refresh))
        .with_state(answers);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

fn case_08(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus/gmail")
        .join(name);
    std::fs::read_to_string(path).unwrap()
}

/// Issue 14, case 08: an unpadded base64url `raw` is read; an undecodable answer and a message
/// Gmail refuses go to the DLQ with their ids; the sync finishes and saves its history id. A
/// message failing for a transient reason stops the sync from saving its history id until it
/// has failed three syncs in a row, then it is dead-lettered and the mailbox moves on.
#[tokio::test]
async fn poison_messages_go_to_the_dlq_and_the_sync_goes_on() {
    let t = TestTopics::create("gmail-poison").await;
    let answers: Answers = Arc::new(Mutex::new(HashMap::from([
        (
            "199c3f2a7b5e3d1f".to_string(),
            (StatusCode::OK, case_08("case-08-padded.gmail.json")),
        ),
        (
            "199c3f2a7b5e3d20".to_string(),
            (StatusCode::OK, case_08("case-08-unpadded.gmail.json")),
        ),
        (
            "p-garbled".to_string(),
            (
                StatusCode::OK,
                r#"{"id": "p-garbled", "raw": "*not base64*"}"#.to_string(),
            ),
        ),
        (
            "p-refused".to_string(),
            (
                StatusCode::BAD_REQUEST,
                r#"{"error": {"code": 400, "message": "Invalid id value"}}"#.to_string(),
            ),
        ),
    ])));
    let base = serve_answers(Arc::clone(&answers)).await;
    let dir = temp_dir();
    let mut config = config(&t, &base, &dir).await;
    config.max_retries = 1;
    let state = dir.join("state.json");

    let report = gmail::run(&config, Shutdown::new())
        .await
        .expect("the sync finishes");
    assert_eq!(
        (report.counts.produced, report.counts.dead_lettered),
        (2, 2),
        "{report}"
    );
    assert_eq!(report.counts.messages, 4, "{report}");
    assert_eq!(report.counts.dead_letters_by_rule["gmail.undecodable"], 1);
    assert_eq!(report.counts.dead_letters_by_rule["gmail.fetch"], 1);
    assert_eq!(
        SyncState::load(&state).unwrap().history_id,
        Some(PROFILE_HISTORY)
    );

    let records = t.read(&t.topics.emails, false).await;
    let unpadded = records
        .iter()
        .find(|r| r.key == "199c3f2a7b5e3d20")
        .unwrap()
        .json();
    assert_eq!(unpadded["subject"], "Q4 targets — final");
    assert_eq!(unpadded["date"], "2025-10-08T02:47:00Z");
    assert_eq!(unpadded["date_source"], "header");
    assert_eq!(unpadded["size_bytes"], 424);
    let mut dlq: Vec<(String, String)> = t
        .read(&t.topics.dlq, false)
        .await
        .iter()
        .map(|r| {
            (
                r.headers["mindy-source-ref"].clone(),
                r.headers["mindy-rule"].clone(),
            )
        })
        .collect();
    dlq.sort();
    assert_eq!(
        dlq,
        [
            ("p-garbled".to_string(), "gmail.undecodable".to_string()),
            ("p-refused".to_string(), "gmail.fetch".to_string())
        ]
    );

    // A message that keeps failing with 503: two syncs fail and keep the history id unset (a
    // fresh state: full sync), the third dead-letters it and saves the history id.
    std::fs::remove_file(&state).unwrap();
    answers.lock().unwrap().insert(
        "p-unavailable".into(),
        (
            StatusCode::SERVICE_UNAVAILABLE,
            r#"{"error": {"code": 503, "message": "Backend Error"}}"#.into(),
        ),
    );
    for run in 1..=2 {
        assert!(
            gmail::run(&config, Shutdown::new()).await.is_err(),
            "sync {run} fails"
        );
        let saved = SyncState::load(&state).unwrap();
        assert_eq!(saved.history_id, None, "sync {run}");
        assert_eq!(saved.failing["p-unavailable"], run);
    }
    let third = gmail::run(&config, Shutdown::new())
        .await
        .expect("the third sync finishes");
    assert_eq!(
        third.counts.dead_letters_by_rule["gmail.fetch"], 2,
        "{third}"
    );
    let saved = SyncState::load(&state).unwrap();
    assert_eq!(saved.history_id, Some(PROFILE_HISTORY));
    assert!(saved.failing.is_empty());
    let dead = t.read(&t.topics.dlq, false).await;
    assert!(dead
        .iter()
        .any(|r| r.headers["mindy-source-ref"] == "p-unavailable"
            && r.headers["mindy-reason"].contains("3 syncs in a row")));
    std::fs::remove_dir_all(dir).unwrap();
    t.delete().await;
}
