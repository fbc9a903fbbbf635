//! `GET /api/health`: no auth, so load balancers and the dashboard can call it.

use axum::extract::State;
use axum::http::StatusCode;

use crate::dashboard::health::{self, Health};
use crate::state::AppState;

/// Each dependency up or down, with latency. 503 when the chat's own PostgreSQL or Redis is down.
#[utoipa::path(
    get,
    path = "/api/health",
    tag = "dashboard",
    responses(
        (status = 200, description = "PostgreSQL and Redis are up (others may be down: status `degraded`)", body = Health),
        (status = 503, description = "PostgreSQL or Redis is down", body = Health),
    )
)]
pub async fn health(State(state): State<AppState>) -> (StatusCode, axum::Json<Health>) {
    let report = health::report(&state).await;
    let status = if report.status == "down" {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    };
    (status, axum::Json(report))
}
