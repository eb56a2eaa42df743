//! The EU DGCA dialect of the verifier back end, over the data of our own: the verifier
//! service's signer certificates (one per request, paged by resume token) and the
//! business-rule service's rules by country and hash and its country list. `/rules`,
//! `/valuesets` and `/valuesets/{hash}` are the same in both dialects (verify.rs).

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::schema::{Conditional, ErrorBody, ResumeToken, RuleOrIndex, NOT_MODIFIED};
use super::verify::conditional;
use crate::error::{AppError, AppResult};
use crate::service::public::RulesKey;
use crate::state::AppState;

/// The request and response header of the signer-certificate download.
const RESUME_TOKEN: &str = "x-resume-token";
/// The response header naming the kid of the certificate sent.
const KID: &str = "x-kid";

/// DGCA verifier service: one signer certificate after the resume token.
///
/// Start without `X-RESUME-TOKEN`, then send the `X-RESUME-TOKEN` of each answer until a 204:
/// every published signer certificate comes once, in the order of its id. The token is the
/// certificate's numeric id, the same after a restart.
#[utoipa::path(get, path = "/signercertificateUpdate", tag = "dgca", params(ResumeToken),
    responses(
        (status = 200, description = "one signer certificate: base64 of its DER", body = String,
            content_type = "text/plain", headers(
                ("X-KID" = String, description = "its kid, base64"),
                ("X-RESUME-TOKEN" = i64, description = "its id: send it to get the next one"),
            )),
        (status = 204, description = "no certificate after the resume token: all downloaded"),
        (status = 400, description = "X-RESUME-TOKEN is not an integer", body = ErrorBody),
    ))]
pub async fn signer_certificate_update(
    State(app): State<AppState>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let resume = match headers.get(RESUME_TOKEN) {
        None => None,
        Some(v) => Some(
            v.to_str()
                .ok()
                .and_then(|t| t.trim().parse::<i64>().ok())
                .ok_or_else(|| AppError::BadRequest("X-RESUME-TOKEN: not an integer".into()))?,
        ),
    };
    let published = app.issuance.published();
    let Some(next) = published.signers.after(resume) else {
        return Ok(StatusCode::NO_CONTENT.into_response());
    };
    let kid = HeaderValue::from_str(&next.dsc.kid_base64())
        .map_err(|e| AppError::Internal(format!("kid header: {e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/plain")),
            (header::HeaderName::from_static(KID), kid),
            (
                header::HeaderName::from_static(RESUME_TOKEN),
                next.id.into(),
            ),
        ],
        base64_der(&next.dsc.der),
    )
        .into_response())
}

fn base64_der(der: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(der)
}

/// DGCA verifier service: the kids of every published signer certificate.
///
/// A downloaded certificate whose kid is not listed is no longer valid.
#[utoipa::path(get, path = "/signercertificateStatus", tag = "dgca", params(Conditional),
    responses(
        (status = 200, description = "the kids, base64", body = [String]),
        (status = 304, description = NOT_MODIFIED),
    ))]
pub async fn signer_certificate_status(
    State(app): State<AppState>,
    headers: HeaderMap,
) -> Response {
    conditional(&headers, &app.issuance.published().signer_status)
}

/// One rule by its SHA-256, or (DGCA) the rules of a country.
///
/// Two letters (either case) name a country: the DGCA business-rule service's index of its
/// rules, `[]` for a country without rules. 64 hex digits name a rule of `GET /rules` by its
/// hash: its JSON as served, whose SHA-256 the hash is. Anything else is a 404.
#[utoipa::path(get, path = "/rules/{country_or_hash}", tag = "verifier", params(
    ("country_or_hash" = String, Path, description = "a country code, or the `hash` of `GET /rules`",
        pattern = "^([A-Za-z]{2}|[0-9a-fA-F]{64})$"),
    Conditional,
), responses(
    (status = 200, description = "the rule's JSON (a CertLogic rule), or the country's index",
        body = RuleOrIndex),
    (status = 304, description = NOT_MODIFIED),
    (status = 404, description = "unknown hash, or neither a country nor a hash", body = ErrorBody),
))]
pub async fn rules_by_country_or_hash(
    State(app): State<AppState>,
    Path(key): Path<String>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let res = match RulesKey::parse(&key) {
        Some(RulesKey::Country(country)) => app.public.country_rules(&country),
        Some(RulesKey::Hash(hash)) => app.public.rule(&hash).ok_or(AppError::NotFound)?,
        None => return Err(AppError::NotFound),
    };
    Ok(conditional(&headers, res))
}

/// DGCA business-rule service: one rule of a country by its SHA-256.
#[utoipa::path(get, path = "/rules/{country}/{hash}", tag = "dgca", params(
    ("country" = String, Path, description = "the rule's country (either case)",
        pattern = "^[A-Za-z]{2}$"),
    ("hash" = String, Path, description = "the `hash` of `GET /rules`", pattern = "^[0-9a-f]{64}$"),
    Conditional,
), responses(
    (status = 200, description = "the rule's JSON (a CertLogic rule)", body = Object),
    (status = 304, description = NOT_MODIFIED),
    (status = 400, description = "the country is not two letters", body = ErrorBody),
    (status = 404, description = "no rule of this country has this hash", body = ErrorBody),
))]
pub async fn country_rule(
    State(app): State<AppState>,
    Path((country, hash)): Path<(String, String)>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let Some(RulesKey::Country(country)) = RulesKey::parse(&country) else {
        return Err(AppError::BadRequest("country: two letters".into()));
    };
    let res = match RulesKey::parse(&hash) {
        Some(RulesKey::Hash(hash)) => app.public.country_rule(&country, &hash),
        _ => None,
    };
    Ok(conditional(&headers, res.ok_or(AppError::NotFound)?))
}

/// DGCA business-rule service: the countries whose rules are served, and this installation's.
#[utoipa::path(get, path = "/countrylist", tag = "dgca", params(Conditional), responses(
    (status = 200, description = "country codes", body = [String]),
    (status = 304, description = NOT_MODIFIED),
))]
pub async fn country_list(State(app): State<AppState>, headers: HeaderMap) -> Response {
    conditional(&headers, &app.public.country_list)
}
