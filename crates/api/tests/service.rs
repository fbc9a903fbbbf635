//! Service behaviour: auth, rate limit, CORS, request ids, JSON errors, OpenAPI in sync,
//! metrics, the SSE stream, and a real socket with graceful shutdown.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use mindy_api::openapi::ApiDoc;
use serde_json::{json, Value};
use utoipa::OpenApi;

use crate::util::{stream_events, Options, TestApp, TOKEN};

fn chat_request(token: Option<&str>) -> Request<Body> {
    let mut builder = Request::post("/api/chat").header("content-type", "application/json");
    if let Some(token) = token {
        builder = builder.header("authorization", format!("Bearer {token}"));
    }
    builder
        .body(Body::from(
            json!({ "message": "How many emails yesterday?" }).to_string(),
        ))
        .unwrap()
}

#[tokio::test]
async fn every_endpoint_but_health_needs_the_token() {
    let app = TestApp::new().await;
    for path in [
        "/api/pipeline/lake",
        "/api/pipeline/kafka",
        "/api/pipeline/airflow/runs",
        "/api/pipeline/quality",
        "/metrics",
        "/api/openapi.json",
    ] {
        let (status, headers, body) = app
            .send(Request::get(path).body(Body::empty()).unwrap())
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(headers["www-authenticate"], "Bearer");
        let body: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["error"]["code"], "unauthorized");
    }
    let (status, _, _) = app.send(chat_request(None)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, _) = app.send(chat_request(Some("test-token-but-longer"))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, _) = app.send(chat_request(Some(TOKEN))).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = app
        .send(Request::get("/api/health").body(Body::empty()).unwrap())
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn clients_are_rate_limited_separately() {
    let app = TestApp::with(Options {
        rate_per_minute: 1,
        burst: 3,
        ..Options::semantic()
    })
    .await;
    let from = |client: &str, token: Option<&str>| {
        let mut request = chat_request(token);
        request
            .headers_mut()
            .insert("x-forwarded-for", client.parse().unwrap());
        request
    };
    for _ in 0..2 {
        assert_eq!(
            app.send(from("10.0.0.1", Some(TOKEN))).await.0,
            StatusCode::OK
        );
    }
    // Failed logins count too.
    assert_eq!(
        app.send(from("10.0.0.1", None)).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, headers, body) = app.send(from("10.0.0.1", Some(TOKEN))).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        headers["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    assert!(body.contains("\"rate_limited\""), "{body}");
    assert_eq!(
        app.send(from("10.0.0.2", Some(TOKEN))).await.0,
        StatusCode::OK,
        "another client"
    );
    // Health is not limited.
    let health = Request::get("/api/health")
        .header("x-forwarded-for", "10.0.0.1")
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.send(health).await.0, StatusCode::OK);
}

#[tokio::test]
async fn cors_allows_only_the_frontend_origin() {
    let app = TestApp::new().await;
    let preflight = |origin: &str| {
        Request::builder()
            .method("OPTIONS")
            .uri("/api/chat")
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization,content-type",
            )
            .body(Body::empty())
            .unwrap()
    };
    let (status, headers, _) = app.send(preflight("http://localhost:3000")).await;
    assert!(status.is_success(), "{status}");
    assert_eq!(
        headers["access-control-allow-origin"],
        "http://localhost:3000"
    );
    // An exact origin is always the one announced: a browser on another origin sees a mismatch.
    let (_, headers, _) = app.send(preflight("https://evil.example")).await;
    assert_eq!(
        headers["access-control-allow-origin"],
        "http://localhost:3000"
    );
}

#[tokio::test]
async fn requests_carry_ids_and_errors_are_json() {
    let app = TestApp::new().await;
    let (_, headers, _) = app
        .send(Request::get("/api/health").body(Body::empty()).unwrap())
        .await;
    assert_eq!(headers["x-request-id"].len(), 36, "a UUID is assigned");
    let given = Request::get("/api/health")
        .header("x-request-id", "abc-123")
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        app.send(given).await.1["x-request-id"],
        "abc-123",
        "a given id is kept"
    );

    let (status, body) = app.get("/api/nope").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let bad = Request::post("/api/chat")
        .header("authorization", format!("Bearer {TOKEN}"))
        .header("content-type", "application/json")
        .body(Body::from("{\"msg\": 1}"))
        .unwrap();
    let (status, _, body) = app.send(bad).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["error"]["code"],
        "bad_request"
    );
    let (status, body) = app.post("/api/chat", &json!({ "message": "  " })).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_request"))
    );
    let (status, _) = app
        .post(
            "/api/chat",
            &json!({ "message": "hi", "conversation_id": "x" }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

/// The committed `crates/api/openapi.json` is the document the code describes.
/// `MINDY_UPDATE_OPENAPI=1 cargo test -p mindy-api openapi` rewrites it.
#[tokio::test]
async fn openapi_document_is_committed_and_served() {
    let generated = ApiDoc::openapi().to_pretty_json().unwrap() + "\n";
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi.json");
    if std::env::var_os("MINDY_UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "crates/api/openapi.json is stale: run `MINDY_UPDATE_OPENAPI=1 cargo test -p mindy-api openapi` and commit it"
    );
    let app = TestApp::new().await;
    let (status, served) = app.get("/api/openapi.json").await;
    assert_eq!(status, 200);
    assert_eq!(served, serde_json::from_str::<Value>(&generated).unwrap());
    for path in [
        "/api/chat",
        "/api/chat/stream",
        "/api/health",
        "/api/pipeline/airflow/runs",
        "/api/pipeline/lake",
        "/api/pipeline/kafka",
        "/metrics",
    ] {
        assert!(served["paths"].get(path).is_some(), "{path} documented");
    }
}

#[tokio::test]
async fn metrics_count_requests_and_answers() {
    let app = TestApp::new().await;
    app.ask("How many emails did I receive yesterday?", None)
        .await;
    app.ask("How many emails did I receive yesterday?", None)
        .await;
    app.ask("hello", None).await;
    let (status, _, text) = app
        .send(
            Request::get("/metrics")
                .header("authorization", format!("Bearer {TOKEN}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, 200);
    for line in [
        "mindy_api_http_requests_total{method=\"POST\",route=\"/api/chat\",status=\"200\"} 3",
        "mindy_api_chat_answers_total{generator=\"semantic\",outcome=\"answered\"} 1",
        "mindy_api_chat_answers_total{generator=\"semantic\",outcome=\"cached\"} 1",
        "mindy_api_chat_answers_total{generator=\"semantic\",outcome=\"refused\"} 1",
        "mindy_api_http_request_duration_seconds_count{method=\"POST\",route=\"/api/chat\"} 3",
    ] {
        assert!(text.contains(line), "missing {line} in\n{text}");
    }
}

#[tokio::test]
async fn the_stream_sends_tokens_then_the_result() {
    let app = TestApp::new().await;
    let plain = app.ask("What was the busiest hour yesterday?", None).await;
    let events = stream_events(&app, "What was the busiest hour yesterday?").await;
    let names: Vec<&str> = events.iter().map(|(e, _)| e.as_str()).collect();
    assert_eq!(names.first(), Some(&"meta"));
    assert_eq!(&names[names.len() - 2..], ["result", "done"]);
    let text: String = events
        .iter()
        .filter(|(e, _)| e == "token")
        .map(|(_, d)| d.as_str().unwrap())
        .collect();
    assert_eq!(text, plain["answer"].as_str().unwrap());
    let result = &events[events.len() - 2].1;
    assert_eq!(result["sql"], plain["sql"]);
    assert_eq!(result["rows"], plain["rows"]);
}

#[tokio::test]
async fn serves_on_a_real_socket_and_shuts_down_gracefully() {
    let app = TestApp::new().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(mindy_api::serve(listener, app.state.clone(), async {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::new();
    let health = client
        .get(format!("http://{addr}/api/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let reply: Value = client
        .post(format!("http://{addr}/api/chat"))
        .bearer_auth(TOKEN)
        .json(&json!({ "message": "How many emails did I receive yesterday?" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(reply["refused"], false);
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
    assert!(
        client
            .get(format!("http://{addr}/api/health"))
            .send()
            .await
            .is_err(),
        "closed after shutdown"
    );
}
