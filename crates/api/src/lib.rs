//! Mini-Mindy's HTTP API: a chat that answers questions about the processed email statistics
//! with SQL over PostgreSQL, and the pipeline dashboard's endpoints.
//!
//! # Layout
//! - [`config`]: clap arguments with env fallbacks.
//! - [`state`]: [`AppState`], what every handler shares; [`AppState::connect`] opens it.
//! - [`actions`]: proposed actions (a drafted reply, a call with invitees, a task, a reminder),
//!   executed only on the user's confirmation, every step audited.
//! - [`chat`]: question → SQL (embedded semantic parser or an OpenAI-compatible LLM, behind the
//!   [`chat::SqlGenerator`] trait) → validation → read-only execution → answer.
//! - [`dashboard`]: health, Airflow runs, Delta tables, Kafka offsets, data quality, streaming
//!   queries.
//! - [`routes`]: the handlers, one module per route group.
//! - [`middleware`], [`ratelimit`], [`metrics`], [`error`], [`openapi`]: service plumbing.
//!
//! [`app`] builds the router; [`serve`] runs it on a listener until a shutdown future resolves,
//! so tests can bind port 0.

pub mod actions;
pub mod chat;
pub mod config;
pub mod dashboard;
pub mod error;
pub mod metrics;
pub mod middleware;
pub mod openapi;
pub mod ratelimit;
pub mod routes;
pub mod state;

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::http::{header, HeaderName, HeaderValue, Method};
use axum::routing::{get, post};
use axum::Router;
use tower_http::cors::CorsLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

pub use error::AppError;
pub use state::AppState;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The API's router: `/api/health` open, everything else behind the bearer token and the
/// per-client rate limit; CORS for the frontend origin; request ids and logs for all.
pub fn app(state: AppState) -> Router {
    let protected = Router::new()
        .route("/api/chat", post(routes::chat::chat))
        .route("/api/chat/stream", post(routes::chat::stream))
        .route("/api/actions", get(routes::actions::list))
        .route("/api/actions/audit", get(routes::actions::audit))
        .route(
            "/api/actions/{id}",
            get(routes::actions::get).patch(routes::actions::edit),
        )
        .route("/api/actions/{id}/confirm", post(routes::actions::confirm))
        .route("/api/actions/{id}/cancel", post(routes::actions::cancel))
        .route("/api/tasks", get(routes::actions::tasks))
        .route("/api/reminders", get(routes::actions::reminders))
        .route(
            "/api/pipeline/airflow/runs",
            get(routes::pipeline::airflow_runs),
        )
        .route("/api/pipeline/lake", get(routes::pipeline::lake))
        .route("/api/pipeline/kafka", get(routes::pipeline::kafka))
        .route("/api/pipeline/quality", get(routes::pipeline::quality))
        .route("/api/pipeline/streams", get(routes::pipeline::streams))
        .route(
            "/api/pipeline/airflow/workers",
            get(routes::pipeline::airflow_workers),
        )
        .route("/api/pipeline/metrics", get(routes::pipeline::prometheus))
        .route("/api/openapi.json", get(routes::meta::openapi))
        .route("/metrics", get(routes::meta::metrics))
        // Last added runs first: the limit counts unauthenticated attempts too.
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::require_token,
        ))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::rate_limit,
        ));
    Router::new()
        .route("/api/health", get(routes::health::health))
        .merge(protected)
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), middleware::track))
        .fallback(|| async { AppError::NotFound })
        .layer(cors(&state.settings.cors_origin))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &axum::http::Request<_>| {
            let id = request.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", method = %request.method(), uri = %request.uri(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .with_state(state)
}

fn cors(origin: &str) -> CorsLayer {
    let layer = CorsLayer::new()
        .allow_methods([Method::GET, Method::POST, Method::PATCH])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, REQUEST_ID])
        .expose_headers([REQUEST_ID])
        .max_age(Duration::from_secs(600));
    match HeaderValue::from_str(origin) {
        Ok(origin) => layer.allow_origin(origin),
        Err(_) => {
            tracing::warn!(
                origin,
                "MINDY_CORS_ORIGIN is not a valid header value; CORS allows no origin"
            );
            layer
        }
    }
}

/// Serves [`app`] on `listener` until `shutdown` resolves, then finishes in-flight requests.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let service = app(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, service)
        .with_graceful_shutdown(shutdown)
        .await
}
