//! GET /api/pipeline/quality against a per-test database seeded with quality checks.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{json, Value};

use crate::util::{TestApp, TOKEN};

/// Replaces the default seed's checks with known ones around "today" (2026-11-26).
async fn seeded() -> TestApp {
    let app = TestApp::new().await;
    let owner = &app.db.owner;
    sqlx::query("DELETE FROM quality_scores")
        .execute(owner)
        .await
        .unwrap();
    // (date, checked_at, score, passed, failed_rules)
    let checks = [
        ("2026-11-27", "2026-11-27T02:00:00Z", 99.0, true, "{}"),
        ("2026-11-26", "2026-11-26T01:30:00Z", 99.5, true, "{}"),
        (
            "2026-11-25",
            "2026-11-26T02:00:00Z",
            90.0,
            false,
            r#"{"missing_sender": 100}"#,
        ),
        (
            "2026-11-25",
            "2026-11-26T03:00:00Z",
            96.5,
            true,
            r#"{"empty_body": 35}"#,
        ),
        (
            "2026-11-20",
            "2026-11-21T02:00:00Z",
            97.0,
            true,
            r#"{"empty_body": 30}"#,
        ),
        (
            "2026-10-28",
            "2026-10-29T02:00:00Z",
            80.0,
            false,
            r#"{"bad_date": 200}"#,
        ),
        ("2026-10-27", "2026-10-28T02:00:00Z", 98.0, true, "{}"),
    ];
    for (date, checked_at, score, passed, rules) in checks {
        sqlx::query(
            "INSERT INTO quality_scores (date, checked_at, total_records, valid_records, \
             score_pct, threshold_pct, passed, failed_rules) \
             VALUES ($1::date, $2::timestamptz, 1000, $3, $4, 95, $5, $6::jsonb)",
        )
        .bind(date)
        .bind(checked_at)
        .bind((score * 10.0) as i64)
        .bind(score)
        .bind(passed)
        .bind(rules)
        .execute(owner)
        .await
        .unwrap();
    }
    app
}

fn dates(report: &Value) -> Vec<&str> {
    report["scores"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["date"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn quality_lists_the_latest_check_per_day_newest_first() {
    let app = seeded().await;
    let (status, report) = app.get("/api/pipeline/quality").await;
    assert_eq!(status, StatusCode::OK, "{report}");
    // 30 days by default: 2026-10-28 ..= 2026-11-26; tomorrow's row is not "the last days".
    assert_eq!(
        dates(&report),
        ["2026-11-26", "2026-11-25", "2026-11-20", "2026-10-28"]
    );
    assert_eq!(
        report["scores"][1],
        json!({
            "date": "2026-11-25",
            "checked_at": "2026-11-26T03:00:00Z",
            "score_pct": 96.5,
            "threshold_pct": 95.0,
            "passed": true,
            "total_records": 1000,
            "valid_records": 965,
            "failed_rules": { "empty_body": 35 },
        })
    );
    assert_eq!(report["scores"][0]["failed_rules"], json!({}));
}

#[tokio::test]
async fn quality_days_bounds_the_window() {
    let app = seeded().await;
    for (days, expected) in [
        ("1", vec!["2026-11-26"]),
        ("7", vec!["2026-11-26", "2026-11-25", "2026-11-20"]),
        (
            "365",
            vec![
                "2026-11-26",
                "2026-11-25",
                "2026-11-20",
                "2026-10-28",
                "2026-10-27",
            ],
        ),
    ] {
        let (status, report) = app.get(&format!("/api/pipeline/quality?days={days}")).await;
        assert_eq!(status, StatusCode::OK, "days={days}: {report}");
        assert_eq!(dates(&report), expected, "days={days}");
    }
}

#[tokio::test]
async fn quality_rejects_bad_days_with_json() {
    let app = seeded().await;
    for days in ["0", "366", "-1", "abc", ""] {
        let (status, body) = app.get(&format!("/api/pipeline/quality?days={days}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "days={days}: {body}");
        assert_eq!(body["error"]["code"], "bad_request", "days={days}");
    }
}

#[tokio::test]
async fn quality_needs_the_token() {
    let app = seeded().await;
    for token in [None, Some("wrong"), Some(&format!("{TOKEN}x")[..])] {
        let mut request = Request::get("/api/pipeline/quality");
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let (status, _, body) = app.send(request.body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{token:?}");
        let body: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["error"]["code"], "unauthorized");
    }
}
