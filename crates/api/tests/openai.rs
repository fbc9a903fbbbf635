//! The OpenAI-compatible generator through the real async-openai client, against a local server
//! speaking the chat-completions wire format with scripted replies.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use mindy_api::chat::catalog::Catalog;
use mindy_api::chat::openai::{OpenAiGenerator, OpenAiSettings};
use serde_json::{json, Value};

use crate::util::{as_f64, cell, seed_days, stream_events, Options, TestApp};

/// Replies to give, in order, and the requests received.
#[derive(Default)]
struct Script {
    replies: VecDeque<String>,
    requests: Vec<Value>,
}

/// A chat-completions server on port 0.
pub(crate) struct FakeLlm {
    script: Arc<Mutex<Script>>,
    base_url: String,
}

async fn completions(
    State(script): State<Arc<Mutex<Script>>>,
    Json(request): Json<Value>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let mut script = script.lock().unwrap();
    script.requests.push(request.clone());
    let content = script
        .replies
        .pop_front()
        .unwrap_or_else(|| "CANNOT_ANSWER: script exhausted".into());
    // "TOOL <name> <arguments>" is a tool call, as the API sends one.
    let (message, finish) = match content.strip_prefix("TOOL ") {
        Some(call) => {
            let (name, arguments) = call.split_once(' ').unwrap_or((call, "{}"));
            (
                json!({
                    "role": "assistant",
                    "content": null,
                    "tool_calls": [{
                        "id": "call_1",
                        "type": "function",
                        "function": { "name": name, "arguments": arguments }
                    }]
                }),
                "tool_calls",
            )
        }
        None => (json!({ "role": "assistant", "content": content }), "stop"),
    };
    if request["stream"] == true {
        // The streaming wire format: one `chat.completion.chunk` per word, then `[DONE]`.
        let chunk = |delta: Value, finish: Value| {
            let chunk = json!({
                "id": "chatcmpl-test",
                "object": "chat.completion.chunk",
                "created": 1_764_000_000u32,
                "model": request["model"],
                "choices": [{ "index": 0, "delta": delta, "finish_reason": finish }]
            });
            format!("data: {chunk}\n\n")
        };
        let mut body = chunk(json!({ "role": "assistant", "content": "" }), Value::Null);
        for word in content.split_inclusive(' ') {
            body.push_str(&chunk(json!({ "content": word }), Value::Null));
        }
        body.push_str(&chunk(json!({}), json!("stop")));
        body.push_str("data: [DONE]\n\n");
        return ([("content-type", "text/event-stream")], body).into_response();
    }
    Json(json!({
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1_764_000_000u32,
        "model": request["model"],
        "choices": [{
            "index": 0,
            "message": message,
            "finish_reason": finish
        }],
        "usage": { "prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15 }
    }))
    .into_response()
}

impl FakeLlm {
    pub(crate) async fn start(replies: &[&str]) -> Self {
        let script = Arc::new(Mutex::new(Script {
            replies: replies.iter().map(|r| r.to_string()).collect(),
            requests: Vec::new(),
        }));
        let app = Router::new()
            .route("/v1/chat/completions", post(completions))
            .with_state(script.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}/v1", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        FakeLlm { script, base_url }
    }

    pub(crate) fn requests(&self) -> Vec<Value> {
        self.script.lock().unwrap().requests.clone()
    }

    /// The production generator pointed at this server.
    pub(crate) fn generator(&self) -> Arc<OpenAiGenerator> {
        let settings = OpenAiSettings {
            api_key: "sk-test".into(),
            base_url: self.base_url.clone(),
            model: "test-model".into(),
            timeout: Duration::from_secs(10),
        };
        Arc::new(OpenAiGenerator::new(settings, &Catalog::serving()))
    }

    async fn app(&self) -> TestApp {
        let generator = self.generator();
        TestApp::with(Options {
            generator,
            ..Options::semantic()
        })
        .await
    }
}

/// The text of the last message of a recorded request.
fn last_message(request: &Value) -> String {
    let messages = request["messages"].as_array().unwrap();
    messages.last().unwrap()["content"]
        .as_str()
        .unwrap()
        .to_string()
}

fn yesterday_total() -> i64 {
    seed_days()
        .iter()
        .find(|d| d.date.to_string() == "2026-11-25")
        .unwrap()
        .total()
}

const GOOD_SQL: &str =
    "SELECT SUM(total_emails) AS total FROM daily_insights WHERE date = DATE '2026-11-25'";

#[tokio::test]
async fn sql_and_answer_come_from_the_model() {
    let n = yesterday_total();
    let answer = format!("You received {n} emails yesterday.");
    let llm = FakeLlm::start(&[&format!("```sql\n{GOOD_SQL}\n```"), &answer]).await;
    let app = llm.app().await;
    let reply = app
        .ask("How many emails did I receive yesterday?", None)
        .await;
    assert_eq!(reply["generator"], "openai");
    assert_eq!(as_f64(cell(&reply, 0, "total")) as i64, n);
    assert_eq!(reply["answer"], answer.as_str());
    assert!(
        reply["sql"].as_str().unwrap().ends_with("LIMIT 500"),
        "LIMIT enforced: {reply}"
    );

    let requests = llm.requests();
    assert_eq!(requests.len(), 2, "one for the SQL, one for the answer");
    assert_eq!(requests[0]["model"], "test-model");
    let system = requests[0]["messages"][0]["content"].as_str().unwrap();
    assert!(
        system.contains("TABLE daily_insights") && system.contains("2026-11-26"),
        "{system}"
    );
    assert!(
        last_message(&requests[1]).contains(&n.to_string()),
        "the rows go into the answer prompt"
    );
}

#[tokio::test]
async fn a_failing_query_gets_one_repair_round() {
    let llm = FakeLlm::start(&[
        "SELECT SUM(nonexistent) AS total FROM daily_insights WHERE date = DATE '2026-11-25'",
        GOOD_SQL,
        "Done.",
    ])
    .await;
    let app = llm.app().await;
    let reply = app
        .ask("How many emails did I receive yesterday?", None)
        .await;
    assert_eq!(
        as_f64(cell(&reply, 0, "total")) as i64,
        yesterday_total(),
        "{reply}"
    );
    let requests = llm.requests();
    let repair = last_message(&requests[1]);
    assert!(
        repair.contains("rejected") && repair.contains("nonexistent"),
        "{repair}"
    );
    let messages = requests[1]["messages"].as_array().unwrap();
    assert_eq!(
        messages[messages.len() - 2]["role"],
        "assistant",
        "the failed SQL is shown back"
    );
}

#[tokio::test]
async fn an_unsafe_query_is_repaired_or_refused() {
    let llm = FakeLlm::start(&["DELETE FROM daily_insights", GOOD_SQL, "Fine."]).await;
    let app = llm.app().await;
    let reply = app
        .ask("How many emails did I receive yesterday?", None)
        .await;
    assert_eq!(as_f64(cell(&reply, 0, "total")) as i64, yesterday_total());
    assert!(
        last_message(&llm.requests()[1]).contains("only SELECT"),
        "the validator's reason is sent"
    );

    let llm = FakeLlm::start(&[
        "DROP TABLE daily_insights",
        "SELECT 1 FROM daily_insights; DELETE FROM daily_insights",
    ])
    .await;
    let app = llm.app().await;
    let before = app.db.count("daily_insights").await;
    let (status, body) = app
        .post(
            "/api/chat",
            &json!({ "message": "How many emails yesterday?" }),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "sql_refused");
    assert_eq!(app.db.count("daily_insights").await, before);
    let metrics = app.get("/metrics").await.1;
    assert!(
        metrics
            .as_str()
            .unwrap()
            .contains("mindy_api_sql_refusals_total{generator=\"openai\"} 2"),
        "{metrics}"
    );
}

#[tokio::test]
async fn invented_numbers_fall_back_to_the_template() {
    let llm = FakeLlm::start(&[GOOD_SQL, "You received 123456 emails yesterday."]).await;
    let app = llm.app().await;
    let reply = app
        .ask("How many emails did I receive yesterday?", None)
        .await;
    assert_eq!(
        reply["answer"],
        format!("The answer is {}.", yesterday_total())
    );
}

#[tokio::test]
async fn cannot_answer_is_a_refusal() {
    let llm = FakeLlm::start(&["CANNOT_ANSWER: there is no calendar data"]).await;
    let app = llm.app().await;
    let reply = app.ask("What's on my calendar?", None).await;
    assert_eq!(reply["refused"], true);
    assert!(reply["answer"]
        .as_str()
        .unwrap()
        .contains("no calendar data"));
}

#[tokio::test]
async fn follow_ups_send_the_history() {
    let day_before =
        "SELECT SUM(total_emails) AS total FROM daily_insights WHERE date = DATE '2026-11-24'";
    let llm = FakeLlm::start(&[GOOD_SQL, "ok", day_before, "ok"]).await;
    let app = llm.app().await;
    let first = app
        .ask("How many emails did I receive yesterday?", None)
        .await;
    let id = first["conversation_id"].as_str().unwrap();
    app.ask("and the day before?", Some(id)).await;
    let requests = llm.requests();
    let messages = requests[2]["messages"].as_array().unwrap();
    let texts: Vec<&str> = messages
        .iter()
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert!(
        texts.contains(&"How many emails did I receive yesterday?"),
        "{texts:?}"
    );
    assert!(
        texts.iter().any(|t| t.contains("2026-11-25")),
        "the earlier SQL is in the history"
    );
    assert_eq!(*texts.last().unwrap(), "and the day before?");
}

const BUSIEST_THIS_WEEK: &str =
    r#"TOOL calendar_day {"period":{"start":"2026-11-23","end":"2026-11-29"},"pick":"busiest"}"#;

#[tokio::test]
async fn a_scene_is_a_tool_call_over_the_semantic_layer() {
    let answer = "Wednesday 25 November is your busiest day: 6 meetings, back to back from 09:00.";
    let llm = FakeLlm::start(&[BUSIEST_THIS_WEEK, answer]).await;
    let app = llm.app().await;
    crate::chat_scenes::seed_calendar(&app).await;
    let reply = app.ask("Which day this week will wear me out?", None).await;
    assert_eq!(reply["kind"], "day", "{reply}");
    assert_eq!(reply["rows"][0][0], "2026-11-25", "{reply}");
    assert!(!reply["sections"].as_array().unwrap().is_empty());
    assert_eq!(reply["answer"], answer);
    let requests = llm.requests();
    let tools: Vec<&str> = requests[0]["tools"]
        .as_array()
        .expect("the tools are offered")
        .iter()
        .map(|t| t["function"]["name"].as_str().unwrap())
        .collect();
    for name in [
        "morning_briefing",
        "calendar_day",
        "patterns",
        "clients_met_and_mailed",
        "organisation_emails",
        "run_sql",
    ] {
        assert!(tools.contains(&name), "{name} in {tools:?}");
    }
    // The answer prompt holds the sections' rows too.
    assert!(last_message(&requests[1]).contains("Strategy Review"));
}

#[tokio::test]
async fn a_scene_answer_with_an_invented_number_falls_back_to_the_template() {
    let llm = FakeLlm::start(&[BUSIEST_THIS_WEEK, "Wednesday has 97 meetings."]).await;
    let app = llm.app().await;
    crate::chat_scenes::seed_calendar(&app).await;
    let reply = app.ask("Which day this week will wear me out?", None).await;
    let text = reply["answer"].as_str().unwrap();
    assert!(
        text.starts_with("Wed 25 Nov is your busiest day this week"),
        "{text}"
    );
    assert!(!text.contains("97 meetings"), "{text}");
}

#[tokio::test]
async fn a_bad_tool_call_is_an_error_not_an_answer() {
    let llm = FakeLlm::start(&[
        r#"TOOL calendar_day {"period":{"start":"2026-11-29","end":"2026-11-23"},"pick":"busiest"}"#,
    ])
    .await;
    let app = llm.app().await;
    let (status, body) = app
        .post(
            "/api/chat",
            &json!({ "message": "Which day this week will wear me out?" }),
        )
        .await;
    assert_ne!(status, axum::http::StatusCode::OK, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("runs forward"),
        "{body}"
    );
}

fn streamed_text(events: &[(String, Value)]) -> (usize, String) {
    let tokens: Vec<&str> = events
        .iter()
        .filter(|(e, _)| e == "token")
        .map(|(_, d)| d.as_str().unwrap())
        .collect();
    (tokens.len(), tokens.concat())
}

#[tokio::test]
async fn the_answer_streams_as_the_model_writes_it() {
    let n = yesterday_total();
    let answer = format!("You received {n} emails yesterday, a calm day.");
    let llm = FakeLlm::start(&[GOOD_SQL, &answer]).await;
    let app = llm.app().await;
    let events = stream_events(&app, "How many emails did I receive yesterday?").await;
    let (count, text) = streamed_text(&events);
    assert_eq!(text, answer);
    assert_eq!(
        count,
        answer.split_inclusive(' ').count(),
        "one token per chunk"
    );
    let result = &events.iter().find(|(e, _)| e == "result").unwrap().1;
    assert_eq!(result["answer"], answer.as_str());
    let requests = llm.requests();
    assert_eq!(
        requests[1]["stream"], true,
        "the answer is asked for as a stream"
    );
    assert_ne!(requests[0]["stream"], true, "the SQL is not");
}

#[tokio::test]
async fn a_streamed_answer_with_an_invented_number_is_replaced_in_the_result() {
    let llm = FakeLlm::start(&[GOOD_SQL, "You received 98765 emails yesterday."]).await;
    let app = llm.app().await;
    let events = stream_events(&app, "How many emails did I receive yesterday?").await;
    let (_, text) = streamed_text(&events);
    assert_eq!(text, "You received 98765 emails yesterday.");
    let result = &events.iter().find(|(e, _)| e == "result").unwrap().1;
    let answer = result["answer"].as_str().unwrap();
    assert!(!answer.contains("98765"), "{answer}");
    assert!(answer.contains(&yesterday_total().to_string()), "{answer}");
}
