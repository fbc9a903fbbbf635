//! The API's error type: every failure becomes a JSON body `{"error": {"code", "message"}}`
//! with a stable `code`. 5xx bodies stay generic; the detail goes to the log.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;
use utoipa::ToSchema;

use crate::actions::ActionError;
use crate::chat::exec::ExecError;
use crate::chat::service::ChatError;
use crate::chat::GeneratorError;

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request is malformed (bad JSON, missing field, bad parameter).
    #[error("{0}")]
    BadRequest(String),
    /// No or wrong bearer token.
    #[error("missing or invalid bearer token")]
    Unauthorized,
    /// Too many requests from this client.
    #[error("too many requests; retry in {retry_after} s")]
    RateLimited {
        /// Seconds until a request is allowed again.
        retry_after: u64,
    },
    /// No such route.
    #[error("no such endpoint")]
    NotFound,
    /// No such resource (a proposal id).
    #[error("{0}")]
    Missing(String),
    /// The generated SQL broke a safety rule.
    #[error("{0}")]
    SqlRefused(String),
    /// The generated SQL failed in PostgreSQL.
    #[error("{0}")]
    QueryFailed(String),
    /// The generated SQL ran into the statement timeout.
    #[error("{0}")]
    QueryTimeout(String),
    /// A service we depend on failed (detail logged, not sent).
    #[error("{service} is unavailable")]
    Upstream {
        /// Which service.
        service: &'static str,
        /// What went wrong (logged only).
        detail: String,
    },
    /// A bug or an unexpected state (detail logged, not sent).
    #[error("internal error")]
    Internal(String),
    /// The request conflicts with the resource's state (a proposal expired or cancelled).
    #[error("{0}")]
    Conflict(String),
}

/// The JSON error body.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// One error.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code: `bad_request`, `unauthorized`, `rate_limited`, `not_found`,
    /// `sql_refused`, `query_failed`, `query_timeout`, `upstream_unavailable`, `internal`,
    /// `conflict`.
    pub code: String,
    /// Human-readable message.
    pub message: String,
}

impl AppError {
    /// The HTTP status and stable code.
    pub fn status_code(&self) -> (StatusCode, &'static str) {
        match self {
            AppError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            AppError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            AppError::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            AppError::NotFound | AppError::Missing(_) => (StatusCode::NOT_FOUND, "not_found"),
            AppError::SqlRefused(_) => (StatusCode::UNPROCESSABLE_ENTITY, "sql_refused"),
            AppError::QueryFailed(_) => (StatusCode::UNPROCESSABLE_ENTITY, "query_failed"),
            AppError::QueryTimeout(_) => (StatusCode::UNPROCESSABLE_ENTITY, "query_timeout"),
            AppError::Upstream { .. } => (StatusCode::BAD_GATEWAY, "upstream_unavailable"),
            AppError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
            AppError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_code();
        match &self {
            AppError::Upstream { service, detail } => {
                tracing::error!(service, detail, "upstream failure")
            }
            AppError::Internal(detail) => tracing::error!(detail, "internal error"),
            _ => tracing::debug!(code, message = %self, "request refused"),
        }
        let body = ErrorBody {
            error: ErrorDetail {
                code: code.to_string(),
                message: self.to_string(),
            },
        };
        let mut response = (status, axum::Json(body)).into_response();
        if let AppError::RateLimited { retry_after } = self {
            if let Ok(value) = HeaderValue::from_str(&retry_after.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl From<ActionError> for AppError {
    fn from(error: ActionError) -> Self {
        match error {
            ActionError::Database(e) => AppError::Upstream {
                service: "postgresql",
                detail: e.to_string(),
            },
            ActionError::Invalid(m) => AppError::BadRequest(m),
            ActionError::NotFound(id) => AppError::Missing(format!("no proposal {id}")),
            ActionError::Closed(m) => AppError::Conflict(m),
            ActionError::Delivery(detail) => AppError::Upstream {
                service: "smtp",
                detail,
            },
            ActionError::Calendar(detail) => AppError::Internal(detail),
        }
    }
}

impl From<ChatError> for AppError {
    fn from(error: ChatError) -> Self {
        match error {
            ChatError::Refused(refused) => {
                AppError::SqlRefused(format!("the generated SQL was refused: {refused}"))
            }
            ChatError::Exec(ExecError::Timeout(_)) => AppError::QueryTimeout(error_text(&error)),
            ChatError::Exec(ExecError::Query(_)) => AppError::QueryFailed(error_text(&error)),
            ChatError::Exec(ExecError::Unavailable(detail)) => AppError::Upstream {
                service: "postgresql",
                detail,
            },
            // The model answered, but with something unusable (a tool call with bad
            // arguments): the request fails like a bad query, saying why.
            ChatError::Generator(GeneratorError::Invalid(_)) => {
                AppError::QueryFailed(error_text(&error))
            }
            ChatError::Generator(e) => AppError::Upstream {
                service: "llm",
                detail: e.to_string(),
            },
            ChatError::Action(e) => e.into(),
        }
    }
}

fn error_text(error: &ChatError) -> String {
    error.to_string()
}

/// `axum::Json`, but rejections are [`AppError::BadRequest`] JSON bodies.
pub struct Json<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Json(value)),
            Err(rejection) => Err(AppError::BadRequest(rejection_text(rejection))),
        }
    }
}

fn rejection_text(rejection: JsonRejection) -> String {
    rejection.body_text()
}

/// `axum::extract::Query`, but rejections (`?limit=abc`) are [`AppError::BadRequest`] JSON
/// bodies like every other error, not axum's plain text.
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Query(value)),
            Err(rejection) => Err(AppError::BadRequest(rejection.body_text())),
        }
    }
}
