//! `AppError`: every failure a handler can return, mapped to a status in one match. Client
//! errors answer JSON naming the problem; internal errors answer a generic body and are logged
//! by the response middleware, never echoed.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use ::service::error::{Error as ServiceError, Problem};

use crate::i18n::Lang;

use crate::store::StoreError;

/// What an error says: a domain [`Problem`], worded in the reader's language, or the web
/// layer's own text for API clients (English).
#[derive(Debug, Clone)]
pub enum Message {
    /// From the domain, by catalogue key.
    Problem(Problem),
    /// The web layer's own words (a header, a body that is not JSON).
    Text(String),
}

impl Message {
    /// The text in `lang` (the web layer's own texts are English in every language).
    pub fn text(&self, lang: Lang) -> String {
        match self {
            Message::Problem(p) => p.text(lang),
            Message::Text(t) => t.clone(),
        }
    }
}

impl std::fmt::Display for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Message::Problem(p) => p.fmt(f),
            Message::Text(t) => f.write_str(t),
        }
    }
}

impl From<Problem> for Message {
    fn from(p: Problem) -> Self {
        Message::Problem(p)
    }
}

impl From<String> for Message {
    fn from(t: String) -> Self {
        Message::Text(t)
    }
}

impl From<&str> for Message {
    fn from(t: &str) -> Self {
        Message::Text(t.to_string())
    }
}

/// What went wrong in a request.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No or an unknown, expired or revoked bearer token (or registry session).
    #[error(
        "a valid bearer token is required in the Authorization header (or a registry session)"
    )]
    Unauthorized,
    /// The request lacks something it must name (a header); the message says what.
    #[error("{0}")]
    BadRequest(Message),
    /// Not found (also for other organisations' records).
    #[error("not found")]
    NotFound,
    /// The body is not what the endpoint takes; the message names the field.
    #[error("{0}")]
    Invalid(Message),
    /// Content-Type is not application/json.
    #[error("the body must be application/json")]
    UnsupportedMediaType,
    /// The body is larger than the endpoint accepts.
    #[error("the body is too large")]
    TooLarge,
    /// A conflict with stored state (duplicate record, reused idempotency key).
    #[error("{0}")]
    Conflict(Message),
    /// Too many requests from one client; retry after this many seconds.
    #[error("too many requests: retry in {0} s")]
    TooManyRequests(u64),
    /// Refused for this caller (CSRF check, missing step-up); the message says why.
    #[error("{0}")]
    Forbidden(Message),
    /// A budget is spent (SMS per hour); retry after this many seconds.
    #[error("the service is busy: retry in {0} s")]
    Unavailable(u64),
    /// Something broke inside; the detail goes to the log only.
    #[error("internal error")]
    Internal(String),
}

/// Result of a handler.
pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// The status code of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The machine-readable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthorized => "unauthorized",
            AppError::NotFound => "not_found",
            AppError::BadRequest(_) => "bad_request",
            AppError::Invalid(_) => "invalid",
            AppError::UnsupportedMediaType => "unsupported_media_type",
            AppError::TooLarge => "too_large",
            AppError::Conflict(_) => "conflict",
            AppError::TooManyRequests(_) => "too_many_requests",
            AppError::Forbidden(_) => "forbidden",
            AppError::Unavailable(_) => "unavailable",
            AppError::Internal(_) => "internal",
        }
    }
}

/// The internal detail of a 500, carried to the logging middleware in a response extension.
#[derive(Debug, Clone)]
pub struct InternalDetail(pub String);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = match &self {
            AppError::Internal(_) => "Something went wrong".to_string(),
            other => other.to_string(),
        };
        let mut resp = (
            status,
            [(axum::http::header::CACHE_CONTROL, "no-store")],
            Json(json!({"error": self.code(), "message": message})),
        )
            .into_response();
        if let AppError::TooManyRequests(secs) | AppError::Unavailable(secs) = self {
            resp.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        if let AppError::Internal(detail) = self {
            resp.extensions_mut().insert(InternalDetail(detail));
        }
        resp
    }
}

impl From<ServiceError> for AppError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Unauthorized => AppError::Unauthorized,
            ServiceError::NotFound => AppError::NotFound,
            ServiceError::Invalid(m) => AppError::Invalid(m.into()),
            ServiceError::BadRequest(m) => AppError::BadRequest(m.into()),
            ServiceError::Conflict(m) => AppError::Conflict(m.into()),
            ServiceError::Forbidden(m) => AppError::Forbidden(m.into()),
            ServiceError::TooManyRequests(s) => AppError::TooManyRequests(s),
            ServiceError::Unavailable(s) => AppError::Unavailable(s),
            ServiceError::Internal(d) => AppError::Internal(d),
        }
    }
}

/// The areas' typed errors reach HTTP through `service::Error`.
macro_rules! through_service_error {
    ($($area:ty),*) => {$(
        impl From<$area> for AppError {
            fn from(e: $area) -> Self {
                ServiceError::from(e).into()
            }
        }
    )*};
}
through_service_error!(
    ::service::citizen::CitizenError,
    ::service::exchange::ExchangeError
);

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(_) | StoreError::Refused(_) => ServiceError::from(e).into(),
            e => AppError::Internal(e.to_string()),
        }
    }
}

impl From<axum::extract::rejection::JsonRejection> for AppError {
    fn from(r: axum::extract::rejection::JsonRejection) -> Self {
        use axum::extract::rejection::JsonRejection as J;
        match r {
            J::MissingJsonContentType(_) => AppError::UnsupportedMediaType,
            J::BytesRejection(b) if b.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                AppError::TooLarge
            }
            // axum's texts quote the value serde saw; `crate::input::Json` names the field
            // without it, and this generic text keeps any other use of axum's extractor safe.
            J::JsonDataError(_) => {
                AppError::Invalid("the body does not have the fields and types expected".into())
            }
            J::JsonSyntaxError(_) => AppError::Invalid("the body is not valid JSON".into()),
            _ => AppError::Invalid("the body could not be read as JSON".into()),
        }
    }
}
