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

use super::schema::{
    Acting, Csrf, ErrorBody, Idempotency, RecordInput, RecordList, RecordView, Revoked,
    BAD_REQUEST, FORBIDDEN, INTERNAL, UNAUTHORIZED,
};
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

/// Record a vaccination, test or recovery; issues and e-mails the certificate when due.
///
/// A vaccination certificate is issued with the final dose of its series, test and recovery
/// certificates on their record, and only for persons identified in the population registry;
/// `note` says why none was. An error names the field and the expected type, never the value
/// sent.
#[utoipa::path(post, path = "/api/v1/records", tag = "provider",
    security(("providerToken" = []), ("registrySession" = [])),
    params(Acting, Csrf, Idempotency),
    request_body(content = RecordInput, content_type = "application/json"),
    responses(
        (status = 201, description = "recorded", body = RecordView),
        (status = 400, description = BAD_REQUEST, body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = FORBIDDEN, body = ErrorBody),
        (status = 409, description = "already recorded (the same certificate for this person), \
            an old certificate imported already, or the idempotency key in use", body = ErrorBody),
        (status = 413, description = "body over 64 KiB", body = ErrorBody),
        (status = 415, description = "not application/json", body = ErrorBody),
        (status = 422, description = "invalid, naming the field (or the Idempotency-Key)",
            body = ErrorBody),
        (status = 500, description = INTERNAL, body = ErrorBody),
    ))]
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
            AppError::Invalid(r.body_text().into())
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

/// One record of the caller's organisation.
#[utoipa::path(get, path = "/api/v1/records/{id}", tag = "provider",
    security(("providerToken" = []), ("registrySession" = [])),
    params(("id" = String, Path, description = "the record's id"), Acting),
    responses(
        (status = 200, description = "the record", body = RecordView),
        (status = 400, description = BAD_REQUEST, body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = FORBIDDEN, body = ErrorBody),
        (status = 404, description = "no such record of this organisation", body = ErrorBody),
        (status = 500, description = INTERNAL, body = ErrorBody),
    ))]
pub async fn record(
    State(app): State<AppState>,
    Provider { org, .. }: Provider,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let view = service::record(&app, &org, &id).await?;
    Ok((NO_STORE, Json(view)).into_response())
}

/// The caller's records for a person.
#[utoipa::path(get, path = "/api/v1/persons/{person_id}/records", tag = "provider",
    security(("providerToken" = []), ("registrySession" = [])),
    params(("person_id" = String, Path, description = "the `person_id` of a record"), Acting),
    responses(
        (status = 200, description = "the records", body = RecordList),
        (status = 400, description = BAD_REQUEST, body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = FORBIDDEN, body = ErrorBody),
        (status = 404, description = "unknown person, or none of this organisation's records \
            is theirs", body = ErrorBody),
        (status = 500, description = INTERNAL, body = ErrorBody),
    ))]
pub async fn person_records(
    State(app): State<AppState>,
    Provider { org, .. }: Provider,
    Path(person_id): Path<String>,
) -> AppResult<Response> {
    let records = service::person_records(&app, &org, &person_id).await?;
    Ok((NO_STORE, Json(json!({"records": records}))).into_response())
}

/// `POST /api/v1/certificates/{uvci}/revoke`.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeInput {
    /// Why: 1 to 200 characters after trimming, no control characters.
    #[schema(min_length = 1, max_length = 200, examples("issued in error"))]
    reason: String,
}

/// Revoke a certificate of the organisation's own records.
///
/// Its revocation entries are published in `GET /revocation-list` and `POST /verify` reports
/// it revoked at once on this instance.
#[utoipa::path(post, path = "/api/v1/certificates/{uvci}/revoke", tag = "provider",
    security(("providerToken" = []), ("registrySession" = [])),
    params(
        ("uvci" = String, Path, description = "the certificate's UVCI; its `#` is percent-encoded \
            (`%23`) in the path", example = "URN:UVCI:01:CZ:KQ3DVHR2NJ4T5XKMW7PLBEQG#L"),
        Acting,
        Csrf,
    ),
    request_body(content = RevokeInput, content_type = "application/json"),
    responses(
        (status = 200, description = "revoked (`already`: it was before)", body = Revoked),
        (status = 400, description = BAD_REQUEST, body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = FORBIDDEN, body = ErrorBody),
        (status = 404, description = "no such certificate of this organisation", body = ErrorBody),
        (status = 413, description = "body over 64 KiB", body = ErrorBody),
        (status = 415, description = "not application/json", body = ErrorBody),
        (status = 422, description = "malformed body or reason, naming the field",
            body = ErrorBody),
        (status = 500, description = INTERNAL, body = ErrorBody),
    ))]
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
