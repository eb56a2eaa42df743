//! The provider API: bearer-token authentication per organisation, then one service call per
//! handler.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::error::{AppError, AppResult};
use crate::secrets;
use crate::service::provider as service;
use crate::state::AppState;
use crate::store::Org;

/// The organisation of the request's bearer token (only the `Authorization` header counts).
pub struct Provider(pub Org);

impl FromRequestParts<AppState> for Provider {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, AppError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(AppError::Unauthorized)?;
        let now = app.clock.now().unix_timestamp();
        let org = app
            .store
            .org_for_token(&secrets::token_digest(token), now)
            .await?
            .ok_or(AppError::Unauthorized)?;
        Ok(Provider(org))
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
}

const NO_STORE: [(header::HeaderName, &str); 1] = [(header::CACHE_CONTROL, "no-store")];

pub async fn create_record(
    State(app): State<AppState>,
    Provider(org): Provider,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> AppResult<Response> {
    if !is_json(&headers) {
        return Err(AppError::UnsupportedMediaType);
    }
    let body = body.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::TooLarge
        } else {
            AppError::Invalid(r.body_text())
        }
    })?;
    let key = match headers.get("idempotency-key") {
        Some(v) => Some(
            v.to_str()
                .map_err(|_| AppError::Invalid("Idempotency-Key: must be visible ASCII".into()))?,
        ),
        None => None,
    };
    let view = service::create_record(&app, &org, &body, key, app.clock.now()).await?;
    Ok((StatusCode::CREATED, NO_STORE, Json(view)).into_response())
}

pub async fn record(
    State(app): State<AppState>,
    Provider(org): Provider,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let view = service::record(&app, &org, &id).await?;
    Ok((NO_STORE, Json(view)).into_response())
}

pub async fn person_records(
    State(app): State<AppState>,
    Provider(org): Provider,
    Path(person_id): Path<String>,
) -> AppResult<Response> {
    let records = service::person_records(&app, &org, &person_id).await?;
    Ok((NO_STORE, Json(json!({"records": records}))).into_response())
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevokeInput {
    reason: String,
}

/// `POST /api/v1/certificates/{uvci}/revoke {"reason": "…"}`: the issuing provider revokes a
/// certificate of its own records.
pub async fn revoke_certificate(
    State(app): State<AppState>,
    Provider(org): Provider,
    Path(uvci): Path<String>,
    body: Result<Json<RevokeInput>, axum::extract::rejection::JsonRejection>,
) -> AppResult<Response> {
    let Json(input) = body?;
    let out = crate::service::revocation::revoke_for_org(
        &app,
        org.id,
        &uvci,
        &input.reason,
        app.clock.now(),
    )
    .await?;
    Ok((NO_STORE, Json(out)).into_response())
}
