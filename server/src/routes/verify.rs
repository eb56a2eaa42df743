//! The verifier back end: trust list, rules and value sets with ETags, and `POST /verify`.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::schema::{
    Conditional, ErrorBody, Report, RuleSummary, ValueSetSummary, INTERNAL, NOT_MODIFIED,
};
use crate::error::{AppError, AppResult};
use crate::input::Json;
use crate::quota::VerifyQuota;
use crate::service::public::{self, Resource, MAX_HC1};
use crate::service::revocation;
use crate::state::AppState;

/// Answers a public resource, or 304 when the client's `If-None-Match` holds its ETag.
pub(super) fn conditional(headers: &HeaderMap, res: &Resource) -> Response {
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

/// dcc's signed trust list: a compact JWS (ES256, `x5c`).
///
/// The payload lists this installation's signer certificates; the JWS is signed by the
/// trust-list key, whose certificate validation apps pin.
#[utoipa::path(get, path = "/trust-list", tag = "verifier", params(Conditional), responses(
    (status = 200, description = "the JWS", body = String, content_type = "application/jose"),
    (status = 304, description = NOT_MODIFIED),
))]
pub async fn trust_list(State(app): State<AppState>, headers: HeaderMap) -> Response {
    conditional(&headers, &app.issuance.published().trust_list)
}

/// Business rules: identifier, version, country, hash.
///
/// The same in the DGCA business-rule service. The project's own rules unless a rules
/// directory is configured.
#[utoipa::path(get, path = "/rules", tag = "verifier", params(Conditional), responses(
    (status = 200, description = "the list", body = [RuleSummary]),
    (status = 304, description = NOT_MODIFIED),
))]
pub async fn rules_index(State(app): State<AppState>, headers: HeaderMap) -> Response {
    conditional(&headers, &app.public.rules_index)
}

/// Value sets: id, hash.
///
/// The same in the DGCA business-rule service. The project's own value sets unless a
/// value-set directory is configured.
#[utoipa::path(get, path = "/valuesets", tag = "verifier", params(Conditional), responses(
    (status = 200, description = "the list", body = [ValueSetSummary]),
    (status = 304, description = NOT_MODIFIED),
))]
pub async fn valuesets_index(State(app): State<AppState>, headers: HeaderMap) -> Response {
    conditional(&headers, &app.public.valuesets_index)
}

/// One value set by its SHA-256.
#[utoipa::path(get, path = "/valuesets/{hash}", tag = "verifier", params(
    ("hash" = String, Path, description = "the `hash` of `GET /valuesets`",
        pattern = "^[0-9a-f]{64}$"),
    Conditional,
), responses(
    (status = 200, description = "the value set's JSON", body = Object),
    (status = 304, description = NOT_MODIFIED),
    (status = 404, description = "unknown hash", body = ErrorBody),
))]
pub async fn valueset(
    State(app): State<AppState>,
    Path(hash): Path<String>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let res = app.public.valuesets.get(&hash).ok_or(AppError::NotFound)?;
    Ok(conditional(&headers, res))
}

/// The buffer first reserved for a `POST /verify` report.
const REPORT_CAPACITY: usize = 2048;

/// `POST /verify`: the text of a DCC's QR code.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyInput {
    /// The `HC1:` text, at most 4,296 bytes (a version-40 QR code's alphanumeric capacity).
    #[schema(max_length = 4296)]
    hc1: String,
}

/// Verify an `HC1:` text: the report of `dcc verify --json`.
///
/// Checked at the server's clock against this installation's signers, revocations and
/// business rules of its country (the project's own unless configured). Every failure of the
/// certificate is a 200 with verdict `invalid`; only a malformed request is a 4xx. Limited per
/// client IP.
#[utoipa::path(post, path = "/verify", tag = "verifier",
    request_body(content = VerifyInput, content_type = "application/json"),
    responses(
        (status = 200, description = "the report, valid or invalid", body = Report),
        (status = 400, description = "the body holds a NUL or is not UTF-8, or could not be read",
            body = ErrorBody),
        (status = 413, description = "body over 8 KiB or hc1 over 4,296 bytes", body = ErrorBody),
        (status = 415, description = "not application/json", body = ErrorBody),
        (status = 422, description = "malformed body, naming the field", body = ErrorBody),
        (status = 429, description = "too many requests from this IP", body = ErrorBody,
            headers(("Retry-After" = u64, description = "seconds to wait"))),
        (status = 500, description = INTERNAL, body = ErrorBody),
    ))]
pub async fn verify(
    _within_limit: VerifyQuota,
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
    let report = public::verify(
        &app.public,
        &app.issuance.published(),
        country,
        &input.hc1,
        at,
        Some(&revoked),
    );
    // Straight to bytes, without an intermediate `serde_json::Value`, into a buffer the size of
    // a typical report (a vaccination's with the default rules is about 1.6 KB), so it does not
    // grow step by step.
    let mut body = Vec::with_capacity(REPORT_CAPACITY);
    serde_json::to_writer(&mut body, &report)
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

/// The revocation entries of this installation's revoked, unexpired certificates.
///
/// Gateway batches in a JWS signed like the trust list: `{issued_at, batches: [{country,
/// expires, kid, hashType, entries: [{hash}]}]}`. The ETag covers the batches, so a client
/// polling an unchanged list gets 304 although each signing differs.
#[utoipa::path(get, path = "/revocation-list", tag = "verifier", params(Conditional), responses(
    (status = 200, description = "the JWS", body = String, content_type = "application/jose"),
    (status = 304, description = NOT_MODIFIED),
    (status = 500, description = INTERNAL, body = ErrorBody),
))]
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
