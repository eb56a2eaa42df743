//! The provider API: a bearer token of one organisation, or a registry user's session acting
//! for the organisation `X-Organisation` names (SECURITY.md 24, 32, 33); then one service call
//! per handler.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::error::{AppError, AppResult};
use crate::portal::Web;
use crate::secrets;
use crate::service::permissions;
use crate::service::provider as service;
use crate::state::AppState;
use crate::store::Org;

/// The header naming the organisation a registry user acts for.
pub const ORGANISATION_HEADER: &str = "x-organisation";
/// The header carrying the synchronizer token of a registry session's non-GET request.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Who a provider request acts for: the organisation of the bearer token (only the
/// `Authorization` header counts), or the organisation a registry user names in
/// `X-Organisation` and holds a permission for now, checked against the database on every
/// request (SECURITY.md 33).
pub struct Provider {
    /// The organisation.
    pub org: Org,
    /// The registry user acting through a session; `None` for a bearer token.
    pub recorder: Option<String>,
}

fn header_str<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts.headers.get(name).and_then(|v| v.to_str().ok())
}

impl FromRequestParts<AppState> for Provider {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, AppError> {
        if parts.headers.contains_key(header::AUTHORIZATION) {
            return bearer(parts, app).await;
        }
        let web = Web::from_request_parts(parts, app)
            .await
            .unwrap_or_else(|never| match never {});
        let cookie = web.registry.as_deref().ok_or(AppError::Unauthorized)?;
        registry_session(parts, app, &web, cookie).await
    }
}

/// The bearer-token path; an `X-Organisation` other than the token's organisation is refused.
async fn bearer(parts: &Parts, app: &AppState) -> Result<Provider, AppError> {
    let token = header_str(parts, header::AUTHORIZATION.as_str())
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
    if let Some(named) = header_str(parts, ORGANISATION_HEADER) {
        if permissions::normalise_ico(named).as_deref() != Some(org.ico.as_str()) {
            return Err(AppError::Forbidden(
                "this token acts for another organisation than X-Organisation names".into(),
            ));
        }
    }
    Ok(Provider {
        org,
        recorder: None,
    })
}

/// The registry-session path (SECURITY.md 24, 32, 33): the CSRF check of a non-GET request
/// (`Sec-Fetch-Site` or `Origin`, and `X-CSRF-Token` bound to the session cookie, as the
/// portal's forms), a live session, the organisation named, and a permission for it now.
async fn registry_session(
    parts: &Parts,
    app: &AppState,
    web: &Web,
    cookie: &str,
) -> Result<Provider, AppError> {
    if !matches!(parts.method, Method::GET | Method::HEAD) {
        let token = header_str(parts, CSRF_HEADER).unwrap_or_default();
        if web.csrf_checked(app, Some(cookie), token).is_none() {
            return Err(AppError::Forbidden(
                "csrf: a registry session needs Sec-Fetch-Site: same-origin (or the configured \
                 Origin) and the session's X-CSRF-Token"
                    .into(),
            ));
        }
    }
    let now = app.clock.now().unix_timestamp();
    let (_, user_id) = crate::service::registry::session(app, cookie, now)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let named = header_str(parts, ORGANISATION_HEADER)
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            AppError::BadRequest(
                "X-Organisation: name the organisation (its IČO) this request acts for".into(),
            )
        })?;
    let ico = permissions::normalise_ico(named).ok_or_else(|| {
        AppError::BadRequest("X-Organisation: an IČO is 8 digits with its check digit".into())
    })?;
    let acting = permissions::authorise(app, &user_id, &ico, now)
        .await?
        .ok_or_else(|| {
            AppError::Forbidden(
                "no approved permission (or power of attorney) for this organisation".into(),
            )
        })?;
    Ok(Provider {
        org: acting.org,
        recorder: Some(user_id),
    })
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
    Provider { org, recorder }: Provider,
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
    let view = service::create_record(&app, &org, recorder.as_deref(), &body, key, app.clock.now())
        .await?;
    Ok((StatusCode::CREATED, NO_STORE, Json(view)).into_response())
}

pub async fn record(
    State(app): State<AppState>,
    Provider { org, .. }: Provider,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let view = service::record(&app, &org, &id).await?;
    Ok((NO_STORE, Json(view)).into_response())
}

pub async fn person_records(
    State(app): State<AppState>,
    Provider { org, .. }: Provider,
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
    Provider { org, .. }: Provider,
    Path(uvci): Path<String>,
    crate::input::Json(input): crate::input::Json<RevokeInput>,
) -> AppResult<Response> {
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
