//! Input hygiene at the edge (issue 18): requests whose path, query or form carry a NUL or
//! invalid UTF-8, or whose JSON holds a `\u0000`, are refused with 400 before any handler (so no
//! such text reaches the database, which PostgreSQL would refuse with a 500); JSON bodies parse
//! into an object only, and their errors name the field and the expected type, never the value
//! sent (SECURITY.md 28, 45: a birth number sent as a number must not come back in the message).

use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use crate::error::AppError;
pub use ::service::json::{describe, from_value, json};

/// The longest form body read (the portal's limit, SECURITY.md 50).
const FORM_LIMIT: usize = crate::portal::FORM_LIMIT;
/// The longest JSON body read (the provider API's limit, SECURITY.md 50).
/// JSON bodies of the provider API (SECURITY.md 50).
pub const JSON_LIMIT: usize = 64 * 1024;
/// `POST /verify` bodies (SECURITY.md 39).
pub const VERIFY_LIMIT: usize = 8 * 1024;

/// What is wrong with a request's text, for the 400's message.
const BAD_TEXT: &str = "the request holds a NUL or control character, or text that is not UTF-8";

/// Whether percent-decoded `raw` is UTF-8 without NUL (and, when `controls` is set, without any
/// other control character: no path segment of ours has one). A `%` without two hex digits
/// after it stays as it is, as the extractors read it.
fn clean(raw: &[u8], controls: bool) -> bool {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while let Some(&b) = raw.get(i) {
        if b == b'%' {
            let hex = |j: usize| raw.get(j).and_then(|c| char::from(*c).to_digit(16));
            if let (Some(h), Some(l)) = (hex(i + 1), hex(i + 2)) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b);
        i += 1;
    }
    match std::str::from_utf8(&out) {
        Ok(s) => !s.chars().any(|c| c == '\0' || (controls && c.is_control())),
        Err(_) => false,
    }
}

/// Whether a form body (`k=v&…`) decodes to UTF-8 without NUL in any name or value.
fn clean_form(body: &[u8]) -> bool {
    body.split(|b| *b == b'&').all(|pair| clean(pair, false))
}

/// Whether JSON text is UTF-8 without a `\u0000` escape inside a string (raw control
/// characters are a syntax error the parser reports itself).
fn clean_json(body: &[u8]) -> bool {
    if std::str::from_utf8(body).is_err() {
        return false;
    }
    // Only quotes and backslashes change the state: jump from one to the next.
    let mut in_string = false;
    let mut i = 0;
    while let Some(found) = body
        .get(i..)
        .and_then(|rest| memchr::memchr2(b'"', b'\\', rest))
    {
        i += found;
        match (in_string, body.get(i)) {
            (_, Some(b'"')) => in_string = !in_string,
            (true, Some(b'\\')) => {
                if body.get(i + 1) == Some(&b'u') && body.get(i + 2..i + 6) == Some(b"0000") {
                    return false;
                }
                // Skip the escaped character, so `\"` does not end the string.
                i += 1;
            }
            _ => {}
        }
        i += 1;
    }
    true
}

/// The media type of a request, lower-case, without parameters.
fn media_type(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase())
}

/// Whether a media type is JSON (`application/json` or `…+json`).
fn is_json(media: &str) -> bool {
    media == "application/json" || (media.starts_with("application/") && media.ends_with("+json"))
}

/// The edge check of every request: path (no control character), query (no NUL), and the
/// bodies of forms (no NUL in any field) and JSON (no `\u0000`); all must be UTF-8. A failure
/// is a 400 before the handler runs. Form and JSON bodies are read here up to their limits (a
/// longer one is 413, as the handler's extractor would answer) and handed on in the request.
/// Called by the request's observer (`routes::observe`) rather than being a layer of its own: a
/// route's layers are cloned on every request.
pub async fn screen(req: Request) -> Result<Request, Response> {
    let bad = || AppError::BadRequest(BAD_TEXT.into()).into_response();
    let uri = req.uri();
    if !clean(uri.path().as_bytes(), true)
        || !uri.query().is_none_or(|q| clean(q.as_bytes(), false))
    {
        return Err(bad());
    }
    let media = media_type(req.headers());
    let (limit, check): (usize, fn(&[u8]) -> bool) = match media.as_deref() {
        Some("application/x-www-form-urlencoded") => (FORM_LIMIT, clean_form),
        Some(m) if is_json(m) => (JSON_LIMIT, clean_json),
        _ => return Ok(req),
    };
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, limit).await {
        Ok(b) => b,
        Err(_) => return Err(AppError::TooLarge.into_response()),
    };
    if !check(&bytes) {
        return Err(bad());
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// A JSON body for an axum handler: `application/json` (else 415), within the route's body
/// limit (else 413), parsed by [`json`].
#[derive(Debug, Clone)]
pub struct Json<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        if !media_type(req.headers()).is_some_and(|m| is_json(&m)) {
            return Err(AppError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|r: BytesRejection| {
                if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::TooLarge
                } else {
                    AppError::BadRequest("the body could not be read".into())
                }
            })?;
        Ok(json(&bytes).map(Json)?)
    }
}

#[cfg(test)]
mod tests;
