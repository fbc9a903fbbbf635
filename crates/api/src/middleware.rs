//! Request middleware: bearer auth, per-client rate limiting and request metrics.

use std::net::SocketAddr;
use std::time::Instant;

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::AppError;
use crate::state::AppState;

/// Compares the bearer token in constant time (digests first, so the length does not leak).
pub fn token_matches(given: &str, expected: &str) -> bool {
    let given = Sha256::digest(given.as_bytes());
    let expected = Sha256::digest(expected.as_bytes());
    given.ct_eq(&expected).into()
}

/// Rejects requests without `Authorization: Bearer <MINDY_API_TOKEN>`.
pub async fn require_token(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        });
    match given {
        Some(token) if token_matches(token.trim(), &state.settings.token) => {
            next.run(request).await
        }
        _ => AppError::Unauthorized.into_response(),
    }
}

/// The client's key: its address, or the first X-Forwarded-For hop behind a trusted proxy.
fn client_key(state: &AppState, request: &Request) -> String {
    if state.settings.trust_forwarded {
        let forwarded = request
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(|v| v.trim().to_string());
        if let Some(client) = forwarded.filter(|c| !c.is_empty()) {
            return client;
        }
    }
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_string())
        .unwrap_or_else(|| "local".to_string())
}

/// Answers 429 with Retry-After once a client's budget is spent.
pub async fn rate_limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let client = client_key(&state, &request);
    match state.limiter.check(&client, Instant::now()) {
        Ok(()) => next.run(request).await,
        Err(wait) => {
            tracing::info!(client, "rate limited");
            AppError::RateLimited {
                retry_after: wait.as_secs().max(1),
            }
            .into_response()
        }
    }
}

/// Counts requests and their latency per route template.
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".to_string());
    let response = next.run(request).await;
    let status = response.status().as_u16();
    state
        .metrics
        .request(&method, &route, status, started.elapsed().as_secs_f64());
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_compare_by_value() {
        assert!(token_matches("secret", "secret"));
        assert!(!token_matches("secret2", "secret"));
        assert!(!token_matches("", "secret"));
    }
}
