//! Operations: liveness, readiness (the database answers), Prometheus metrics, OpenAPI.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde_json::json;

use crate::error::AppResult;
use crate::state::AppState;

/// The hand-written OpenAPI document.
const OPENAPI: &str = include_str!("../../openapi.json");

pub async fn health() -> impl IntoResponse {
    Json(json!({"status": "ok"}))
}

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

pub async fn metrics(State(app): State<AppState>) -> AppResult<impl IntoResponse> {
    let counts = app.store.outbox_counts().await?;
    Ok((
        [(header::CONTENT_TYPE, crate::metrics::CONTENT_TYPE)],
        app.metrics.render(counts),
    ))
}

pub async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI)
}
