//! GET /api/pipeline/streams against a per-test database seeded with streaming progress.

use axum::http::StatusCode;
use serde_json::json;

use crate::util::TestApp;

#[tokio::test]
async fn streams_lists_each_querys_latest_progress_and_restarts() {
    let app = TestApp::new().await;
    let owner = &app.db.owner;
    sqlx::query("DELETE FROM stream_progress")
        .execute(owner)
        .await
        .unwrap();
    let (status, report) = app.get("/api/pipeline/streams").await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(
        report,
        json!({ "queries": [] }),
        "before the stream has run"
    );

    // (name, batch, rows, rows/s, ms, watermark, restarts)
    let rows = [
        (
            "mindy_silver",
            12,
            0,
            None,
            Some(410),
            Some("2026-11-26T09:00:00.000Z"),
            2,
        ),
        ("mindy_bronze", 40, 1250, Some(416.5), Some(3001), None, 2),
    ];
    for (name, batch, n, rate, ms, watermark, restarts) in rows {
        sqlx::query(
            "INSERT INTO stream_progress (query_name, query_id, run_id, batch_id, num_input_rows, \
             input_rows_per_second, processed_rows_per_second, batch_duration_ms, watermark, restarts, updated_at) \
             VALUES ($1, 'q-' || $1, 'r-' || $1, $2, $3, $4, $4, $5, $6, $7, '2026-11-26T09:15:00Z')",
        )
        .bind(name)
        .bind(batch as i64)
        .bind(n as i64)
        .bind(rate)
        .bind(ms.map(i64::from))
        .bind(watermark)
        .bind(restarts)
        .execute(owner)
        .await
        .unwrap();
    }
    let (status, report) = app.get("/api/pipeline/streams").await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(
        report,
        json!({ "queries": [
            {
                "query_name": "mindy_bronze", "query_id": "q-mindy_bronze", "run_id": "r-mindy_bronze",
                "batch_id": 40, "num_input_rows": 1250, "input_rows_per_second": 416.5,
                "processed_rows_per_second": 416.5, "batch_duration_ms": 3001, "watermark": null,
                "restarts": 2, "updated_at": "2026-11-26T09:15:00Z",
            },
            {
                "query_name": "mindy_silver", "query_id": "q-mindy_silver", "run_id": "r-mindy_silver",
                "batch_id": 12, "num_input_rows": 0, "input_rows_per_second": null,
                "processed_rows_per_second": null, "batch_duration_ms": 410,
                "watermark": "2026-11-26T09:00:00.000Z", "restarts": 2,
                "updated_at": "2026-11-26T09:15:00Z",
            },
        ]})
    );
}
