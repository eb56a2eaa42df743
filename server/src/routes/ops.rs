//! Operations: liveness, readiness (the database answers), Prometheus metrics, OpenAPI.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde_json::json;

use super::openapi::DOCUMENT;
use super::schema::{ErrorBody, Status, INTERNAL};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Liveness: the process answers.
#[utoipa::path(get, path = "/health", tag = "ops", responses(
    (status = 200, description = "ok", body = Status, example = json!({"status": "ok"})),
))]
pub async fn health() -> impl IntoResponse {
    Json(json!({"status": "ok"}))
}

/// Readiness: the database answers.
#[utoipa::path(get, path = "/ready", tag = "ops", responses(
    (status = 200, description = "ready", body = Status, example = json!({"status": "ready"})),
    (status = 503, description = "database unavailable", body = Status,
        example = json!({"status": "database unavailable"})),
))]
pub async fn ready(State(app): State<AppState>) -> impl IntoResponse {
    match app.store.ping().await {
        Ok(()) => (StatusCode::OK, Json(json!({"status": "ready"}))),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "database unavailable"})),
            )
        }
    }
}

/// Prometheus metrics.
///
/// Requests by method, route template and status, with latency buckets; certificates issued;
/// the outbox's depth, read from the database.
#[utoipa::path(get, path = "/metrics", tag = "ops", responses(
    (status = 200, description = "OpenMetrics text exposition 1.0", body = String,
        content_type = "application/openmetrics-text; version=1.0.0; charset=utf-8"),
    (status = 500, description = INTERNAL, body = ErrorBody),
))]
pub async fn metrics(State(app): State<AppState>) -> AppResult<impl IntoResponse> {
    let counts = app.store.outbox_counts().await?;
    Ok((
        [(header::CONTENT_TYPE, crate::metrics::CONTENT_TYPE)],
        app.metrics.render(counts),
    ))
}

/// This document.
#[utoipa::path(get, path = "/openapi.json", tag = "ops", responses(
    (status = 200, description = "OpenAPI 3.1", body = Object),
))]
pub async fn openapi() -> AppResult<impl IntoResponse> {
    let doc = DOCUMENT
        .as_deref()
        .map_err(|e| AppError::Internal(format!("OpenAPI document: {e}")))?;
    Ok(([(header::CONTENT_TYPE, "application/json")], doc))
}
