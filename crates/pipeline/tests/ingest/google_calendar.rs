//! The production Google Calendar client (google-calendar3 + yup-oauth2) against a local server
//! speaking the Calendar API's JSON: a full sync with `singleEvents` and `timeMin` over two
//! pages (a 429 with Retry-After and a 503 on the way), a snapshot closing it, an incremental
//! sync from the stored `syncToken` with a moved event and a cancelled instance, then a `410
//! Gone` answered by a full re-sync — and a token refresh at a local token endpoint.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use mindy_core::config::CalendarTopicArgs;
use mindy_pipeline::jobs::ingest::calendar::google::{
    self, GoogleCalendarConfig, SyncState, READONLY_SCOPE,
};
use mindy_pipeline::jobs::ingest::gmail::auth::{FileTokenStorage, GmailAuthArgs};
use mindy_pipeline::shutdown::Shutdown;
use mindy_test::unique;
use serde_json::{json, Value};
use yup_oauth2::storage::{TokenInfo, TokenStorage};

use super::util::TestTopics;

const FRESH: &str = "fresh-calendar-token";

/// What the server saw.
#[derive(Default)]
struct Mock {
    /// `events.list` calls: (query, when).
    calls: Vec<(HashMap<String, String>, Instant)>,
    /// Full syncs served.
    full_syncs: u32,
    /// Token refreshes served.
    refreshes: u32,
}

type Shared = Arc<Mutex<Mock>>;

fn error(status: StatusCode, reason: &str) -> Response {
    let body = json!({"error": {"code": status.as_u16(), "message": reason, "errors": [{"domain": "global", "reason": reason, "message": reason}]}});
    (status, Json(body)).into_response()
}

fn single(id: &str, start: &str, end: &str, summary: &str) -> Value {
    json!({
        "kind": "calendar#event", "id": id, "status": "confirmed", "summary": summary,
        "updated": "2025-10-10T09:00:00.000Z", "sequence": 0, "location": "Zoom",
        "start": {"dateTime": start, "timeZone": "America/New_York"},
        "end": {"dateTime": end, "timeZone": "America/New_York"},
        "organizer": {"email": "sarah.mitchell@northwind.example", "self": true},
        "attendees": [
            {"email": "sarah.mitchell@northwind.example", "self": true, "responseStatus": "accepted", "organizer": true},
            {"email": "tom.anderson@acmecorp.example", "displayName": "Tom Anderson", "responseStatus": "needsAction"},
            {"email": "board-room@resource.calendar.google.com", "resource": true, "responseStatus": "accepted"}
        ]
    })
}

fn instance() -> Value {
    json!({
        "kind": "calendar#event", "id": "standup_20251014T123000Z", "status": "confirmed",
        "summary": "Sales Leadership Standup", "recurringEventId": "standup",
        "originalStartTime": {"dateTime": "2025-10-14T08:30:00-04:00", "timeZone": "America/New_York"},
        "start": {"dateTime": "2025-10-14T08:30:00-04:00", "timeZone": "America/New_York"},
        "end": {"dateTime": "2025-10-14T09:00:00-04:00", "timeZone": "America/New_York"},
        "organizer": {"email": "sarah.mitchell@northwind.example", "self": true},
        "attendees": [{"email": "john.carter@northwind.example", "responseStatus": "accepted"}]
    })
}

fn all_day() -> Value {
    json!({
        "kind": "calendar#event", "id": "offsite", "status": "confirmed", "summary": "Sales offsite",
        "transparency": "transparent",
        "start": {"date": "2025-10-15"}, "end": {"date": "2025-10-17"}
    })
}

async fn events(
    State(mock): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let mut mock = mock.lock().unwrap();
    mock.calls.push((q.clone(), Instant::now()));
    if headers.get("authorization").and_then(|v| v.to_str().ok())
        != Some(&format!("Bearer {FRESH}"))
    {
        return error(StatusCode::UNAUTHORIZED, "authError");
    }
    if q.get("singleEvents").map(String::as_str) != Some("true") {
        return error(StatusCode::BAD_REQUEST, "singleEvents expected");
    }
    let attempts = |mock: &Mock, page: Option<&str>| {
        mock.calls
            .iter()
            .filter(|(c, _)| {
                c.get("pageToken").map(String::as_str) == page && !c.contains_key("syncToken")
            })
            .count()
    };
    match (q.get("syncToken").map(String::as_str), q.get("pageToken").map(String::as_str)) {
        (None, page) => {
            if !q.contains_key("timeMin") {
                return error(StatusCode::BAD_REQUEST, "a full sync sets timeMin");
            }
            if page.is_none() && mock.full_syncs == 0 && attempts(&mock, None) == 1 {
                let mut response = error(StatusCode::TOO_MANY_REQUESTS, "rateLimitExceeded");
                response.headers_mut().insert("retry-after", "1".parse().unwrap());
                return response;
            }
            match page {
                None => Json(json!({
                    "kind": "calendar#events", "summary": "sarah.mitchell@northwind.example",
                    "timeZone": "America/New_York",
                    "items": if mock.full_syncs == 0 {
                        vec![single("acme-call", "2025-10-11T11:00:00-04:00", "2025-10-11T11:30:00-04:00", "Acme Corp - Emergency Call"), instance()]
                    } else {
                        vec![single("acme-call", "2025-10-11T15:00:00-04:00", "2025-10-11T15:30:00-04:00", "Acme Corp - Emergency Call")]
                    },
                    "nextPageToken": "page-2"
                }))
                .into_response(),
                Some("page-2") => {
                    if mock.full_syncs == 0 && attempts(&mock, Some("page-2")) == 1 {
                        return error(StatusCode::SERVICE_UNAVAILABLE, "backendError");
                    }
                    mock.full_syncs += 1;
                    let token = format!("sync-full-{}", mock.full_syncs);
                    Json(json!({"kind": "calendar#events", "items": [all_day()], "nextSyncToken": token})).into_response()
                }
                Some(_) => error(StatusCode::BAD_REQUEST, "unknown page"),
            }
        }
        (Some("sync-full-1"), None) => Json(json!({
            "kind": "calendar#events",
            "items": [
                single("acme-call", "2025-10-11T15:00:00-04:00", "2025-10-11T15:30:00-04:00", "Acme Corp - Emergency Call"),
                {"kind": "calendar#event", "id": "standup_20251014T123000Z", "status": "cancelled",
                 "recurringEventId": "standup",
                 "originalStartTime": {"dateTime": "2025-10-14T08:30:00-04:00", "timeZone": "America/New_York"}}
            ],
            "nextSyncToken": "sync-incremental"
        }))
        .into_response(),
        (Some("sync-incremental"), _) => error(StatusCode::GONE, "fullSyncRequired"),
        (Some(other), _) => error(StatusCode::BAD_REQUEST, &format!("unknown sync token {other}")),
    }
}

async fn token(State(mock): State<Shared>, body: String) -> Response {
    if !body.contains("grant_type=refresh_token") || !body.contains("refresh_token=refresh-1") {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_grant"})),
        )
            .into_response();
    }
    mock.lock().unwrap().refreshes += 1;
    Json(json!({"access_token": FRESH, "expires_in": 3599, "token_type": "Bearer", "scope": READONLY_SCOPE}))
        .into_response()
}

async fn serve(mock: Shared) -> String {
    let app = Router::new()
        .route("/calendar/v3/calendars/primary/events", get(events))
        .route("/token", post(token))
        .with_state(mock);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

async fn config(t: &TestTopics, base: &str, dir: &std::path::Path) -> GoogleCalendarConfig {
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
    GoogleCalendarConfig {
        kafka: t.kafka.clone(),
        topics: CalendarTopicArgs {
            calendar: t.topics.emails.clone(),
            processed: t.topics.processed.clone(),
            dlq: t.topics.dlq.clone(),
        },
        auth: GmailAuthArgs {
            client_secret_file: None,
            client_id: Some("client-id".into()),
            client_secret: Some("client-secret".into()),
            token_file: Some(token_file),
            token_uri: format!("{base}/token"),
            auth_uri: format!("{base}/auth"),
        },
        calendar: "primary".into(),
        state_file: Some(dir.join("state.json")),
        once: true,
        interval_minutes: 5,
        past_days: 90,
        requests_per_minute: 600,
        max_retries: 3,
        api_url: base.to_string(),
    }
}

#[tokio::test]
async fn full_sync_incremental_sync_and_a_410_full_resync() {
    let t = TestTopics::create("gcal").await;
    let mock = Arc::new(Mutex::new(Mock::default()));
    let base = serve(Arc::clone(&mock)).await;
    let dir = std::env::temp_dir().join(unique("gcal"));
    std::fs::create_dir_all(&dir).unwrap();
    let config = config(&t, &base, &dir).await;
    let token = |dir: &std::path::Path| {
        SyncState::load(&dir.join("state.json")).unwrap().calendars["primary"]
            .sync_token
            .clone()
    };

    // Full sync: two pages (a 429 and a 503 retried), three events and a snapshot.
    let first = google::run(&config, Shutdown::new())
        .await
        .expect("full sync");
    assert_eq!(first.counts.produced, 4, "{first}");
    assert_eq!(token(&dir).as_deref(), Some("sync-full-1"));
    let records: Vec<Value> = t
        .read(&t.topics.emails, false)
        .await
        .iter()
        .map(|r| r.json())
        .collect();
    let by_id = |id: &str| {
        records
            .iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("{id}: {records:?}"))
            .clone()
    };
    let call = by_id("google:primary/acme-call");
    assert_eq!(call["start"], "2025-10-11T15:00:00Z");
    assert_eq!(call["timezone"], "America/New_York");
    assert_eq!(
        call["attendees"].as_array().unwrap().len(),
        2,
        "the room is no attendee"
    );
    assert_eq!(call["organizer"]["is_self"], true);
    let standup = by_id("google:primary/standup/20251014T123000Z");
    assert_eq!(
        (
            standup["event_id"].as_str(),
            standup["recurrence_id"].as_str()
        ),
        (Some("standup"), Some("20251014T123000Z"))
    );
    let offsite = by_id("google:primary/offsite");
    assert_eq!(
        (offsite["all_day"].as_bool(), offsite["end_date"].as_str()),
        (Some(true), Some("2025-10-17"))
    );
    let snapshot = by_id("google:primary#snapshot");
    assert_eq!(snapshot["kind"], "snapshot");
    assert!(snapshot["snapshot"]["window_end"].is_null());
    for record in &records {
        mindy_core::calendar::validate(&serde_json::to_vec(record).unwrap())
            .expect("records pass the contract");
    }

    // Incremental: the call moved, the standup occurrence cancelled.
    let second = google::run(&config, Shutdown::new())
        .await
        .expect("incremental sync");
    assert_eq!(second.counts.produced, 2, "{second}");
    assert_eq!(token(&dir).as_deref(), Some("sync-incremental"));
    let all: Vec<Value> = t
        .read(&t.topics.emails, false)
        .await
        .iter()
        .map(|r| r.json())
        .collect();
    let cancelled = all
        .iter()
        .find(|r| r["status"] == "cancelled")
        .expect("the cancelled occurrence");
    assert_eq!(cancelled["id"], "google:primary/standup/20251014T123000Z");
    mindy_core::calendar::validate(&serde_json::to_vec(cancelled).unwrap())
        .expect("a cancellation passes the contract");
    let moved: Vec<&Value> = all
        .iter()
        .filter(|r| r["id"] == "google:primary/acme-call")
        .collect();
    assert_eq!(moved.last().unwrap()["start"], "2025-10-11T19:00:00Z");

    // 410 Gone: the stored token is dropped and a full sync runs, closed by a snapshot.
    let third = google::run(&config, Shutdown::new())
        .await
        .expect("re-sync");
    assert_eq!(third.counts.produced, 3, "{third}");
    assert_eq!(token(&dir).as_deref(), Some("sync-full-2"));
    let snapshots = t
        .read(&t.topics.emails, false)
        .await
        .iter()
        .filter(|r| r.json()["kind"] == "snapshot")
        .count();
    assert_eq!(snapshots, 2);

    {
        let mock = mock.lock().unwrap();
        assert_eq!(
            mock.refreshes, 1,
            "one refresh, then the stored token is reused"
        );
        let firsts: Vec<Instant> = mock
            .calls
            .iter()
            .filter(|(q, _)| !q.contains_key("syncToken") && !q.contains_key("pageToken"))
            .map(|(_, at)| *at)
            .collect();
        assert!(
            firsts[1] - firsts[0] >= Duration::from_secs(1),
            "Retry-After: 1 honoured"
        );
        assert!(mock
            .calls
            .iter()
            .any(|(q, _)| q.get("syncToken").map(String::as_str) == Some("sync-incremental")));
    }
    std::fs::remove_dir_all(dir).unwrap();
    t.delete().await;
}
