//! The verifier back end: trust list, rules and value sets with ETags, and `POST /verify`.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::error::{AppError, AppResult};
use crate::input::Json;
use crate::service::public::{self, Resource, MAX_HC1};
use crate::service::revocation;
use crate::state::AppState;

/// Answers a public resource, or 304 when the client's `If-None-Match` holds its ETag.
fn conditional(headers: &HeaderMap, res: &Resource) -> Response {
    let matches = headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| {
            let t = t.trim();
            t == "*" || t == res.etag || t.strip_prefix("W/") == Some(res.etag.as_str())
        });
    let cache = [
        (header::ETAG, res.etag.clone()),
        (header::CACHE_CONTROL, "public, max-age=300".to_string()),
    ];
    if matches {
        return (StatusCode::NOT_MODIFIED, cache).into_response();
    }
    (
        cache,
        [(header::CONTENT_TYPE, res.content_type)],
        res.body.clone(),
    )
        .into_response()
}

pub async fn trust_list(State(app): State<AppState>, headers: HeaderMap) -> Response {
    conditional(&headers, &app.public.trust_list)
}

pub async fn rules_index(State(app): State<AppState>, headers: HeaderMap) -> Response {
    conditional(&headers, &app.public.rules_index)
}

pub async fn rule(
    State(app): State<AppState>,
    Path(hash): Path<String>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let res = app.public.rules.get(&hash).ok_or(AppError::NotFound)?;
    Ok(conditional(&headers, res))
}

pub async fn valuesets_index(State(app): State<AppState>, headers: HeaderMap) -> Response {
    conditional(&headers, &app.public.valuesets_index)
}

pub async fn valueset(
    State(app): State<AppState>,
    Path(hash): Path<String>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let res = app.public.valuesets.get(&hash).ok_or(AppError::NotFound)?;
    Ok(conditional(&headers, res))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyInput {
    hc1: String,
}

/// `POST /verify {"hc1": "HC1:…"}` → the report of `dcc verify --json`. Every failure of the
/// certificate is a 200 with verdict `invalid`; only a malformed request is a 4xx.
pub async fn verify(
    State(app): State<AppState>,
    Json(input): Json<VerifyInput>,
) -> AppResult<Response> {
    if input.hc1.len() > MAX_HC1 {
        return Err(AppError::TooLarge);
    }
    let at = app.clock.now();
    let country = &app.config.country;
    let revoked = app.revocation.get(app.store.as_ref(), country, at).await?;
    // One verification is about 70 µs of CPU, bounded by the 4,296-character input: short
    // enough to run on the async worker (a hand-off to the blocking pool costs more than it
    // saves; measured with scripts/load-verify).
    let report = public::verify(&app.public, country, &input.hc1, at, Some(&revoked));
    // Straight to bytes, without an intermediate `serde_json::Value`.
    let body = serde_json::to_vec(&report)
        .map_err(|e| AppError::Internal(format!("verify report: {e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response())
}

/// `GET /revocation-list`: the revocation entries of this installation's unexpired revoked
/// certificates as gateway batches, in a JWS signed like the trust list
/// (`{"issued_at", "batches": […]}`). The ETag covers the batches, so a client polling an
/// unchanged list gets 304 although each signing differs.
pub async fn revocation_list(
    State(app): State<AppState>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let now = app.clock.now();
    let entries = app.store.revocation_entries(now.unix_timestamp()).await?;
    let batches = revocation::batches_json(&entries, &app.config.country);
    let etag = format!(
        "\"{}\"",
        hex::encode(crate::secrets::sha256(batches.to_string().as_bytes()))
    );
    let issued_at = now
        .format(&time::format_description::well_known::Rfc3339)
        .map_err(|e| AppError::Internal(format!("revocation list time: {e}")))?;
    let payload = serde_json::json!({"issued_at": issued_at, "batches": batches});
    let jws = trust_list::sign_jws(
        payload.to_string().as_bytes(),
        app.list_signer.signer.as_ref(),
        &app.list_signer.cert_der,
    )
    .map_err(|e| AppError::Internal(format!("revocation list signing: {e}")))?;
    Ok(conditional(
        &headers,
        &Resource::with_etag(jws.into_bytes(), "application/jose", etag),
    ))
}
