//! What the portal's handlers share: the request's cookies, language, client IP and CSRF check
//! (SECURITY.md 21, 24), how records read on the page, and the scan form's parsing.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use hcert::CertType;
use issuer::names::{Kind, Names};
use serde_json::Value;
use verifier::qr::QrError;

use crate::decode_pool::{DecodePool, PoolError};
use crate::i18n::Lang;
use crate::secrets;
use crate::state::AppState;
use crate::store::RecordRow;

/// The session cookie (SECURITY.md 21).
pub const SESSION_COOKIE: &str = "__Host-dcc-session";
/// The pre-login flow cookie: binds the login steps and the CSRF token of the first forms.
pub const FLOW_COOKIE: &str = "__Host-dcc-flow";
/// The registry-user session cookie (issue #9), apart from the citizen's.
pub const REGISTRY_COOKIE: &str = "__Host-dcc-registry";
/// The language choice.
pub const LANG_COOKIE: &str = "__Host-dcc-lang";

/// The Content-Security-Policy of every response (SECURITY.md 25), set by `routes` unless the
/// handler set its own ([`csp_with_form_target`]).
pub const CSP: &str = "default-src 'self'; object-src 'none'; base-uri 'none'; \
    frame-ancestors 'none'; form-action 'self'";

/// [`CSP`] whose `form-action` also allows `origin`: browsers apply `form-action` to the
/// redirects that follow a form's submission too, so a form answered by a redirect to another
/// site (the NIA link's, to the identity provider) needs that site named.
pub fn csp_with_form_target(origin: &str) -> String {
    debug_assert!(CSP.ends_with("form-action 'self'"));
    format!("{CSP} {origin}")
}

/// A `Set-Cookie` value with the attributes SECURITY.md 21 requires; `max_age` 0 deletes.
pub fn cookie_header(name: &str, value: &str, max_age: Option<i64>) -> String {
    let mut c = format!("{name}={value}; Secure; HttpOnly; SameSite=Strict; Path=/");
    if let Some(a) = max_age {
        c.push_str(&format!("; Max-Age={a}"));
    }
    c
}

/// What a portal request brings: cookies, language, CSRF headers, path and client IP.
pub struct Web {
    /// Page language.
    pub lang: Lang,
    /// The flow cookie.
    pub flow: Option<String>,
    /// The session cookie.
    pub session: Option<String>,
    /// The registry session cookie.
    pub registry: Option<String>,
    /// `Sec-Fetch-Site`.
    pub fetch_site: Option<String>,
    /// `Origin`.
    pub origin: Option<String>,
    /// The path (for the language switch's return).
    pub path: String,
    /// The client: the connection's peer address (in-process tests: 0.0.0.0).
    pub ip: IpAddr,
}

impl std::fmt::Debug for Web {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Web")
            .field("lang", &self.lang)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

fn cookies(parts: &Parts) -> impl Iterator<Item = (&str, &str)> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
}

/// A cookie value we could have issued: base64url, 1 to 64 characters.
fn plausible(v: &str) -> bool {
    (1..=64).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl<S: Send + Sync> FromRequestParts<S> for Web {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let get = |name: &str| {
            cookies(parts)
                .find(|(k, v)| *k == name && plausible(v))
                .map(|(_, v)| v.to_string())
        };
        let header = |name: header::HeaderName| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let path = parts.uri.path();
        Ok(Web {
            lang: Lang::from_code(get(LANG_COOKIE).as_deref()),
            flow: get(FLOW_COOKIE),
            session: get(SESSION_COOKIE),
            registry: get(REGISTRY_COOKIE),
            fetch_site: parts
                .headers
                .get("sec-fetch-site")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
            origin: header(header::ORIGIN),
            path: if path.starts_with("/exchange/") {
                // The token is a bearer secret: never into a link.
                "/exchange".into()
            } else {
                path.to_string()
            },
            ip: parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip()),
        })
    }
}

impl Web {
    /// The CSRF check of a POST (SECURITY.md 24): `Sec-Fetch-Site: same-origin`, or without it
    /// an `Origin` equal to the configured origin; and the form's token bound to `cookie`.
    /// Returns the cookie when both hold.
    pub fn csrf_checked<'a>(
        &self,
        app: &AppState,
        cookie: Option<&'a str>,
        token: &str,
    ) -> Option<&'a str> {
        let site_ok = match self.fetch_site.as_deref() {
            Some(site) => site == "same-origin",
            None => self.origin.as_deref() == Some(app.config.base_url().as_str()),
        };
        let cookie = cookie?;
        let token_ok = secrets::ct_eq(app.secrets.csrf_token(cookie).as_bytes(), token.as_bytes());
        (site_ok && token_ok).then_some(cookie)
    }
}

/// `next=` accepts only a relative same-origin path (SECURITY.md 27).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.bytes().any(|b| b.is_ascii_control()) =>
        {
            n.to_string()
        }
        _ => "/".into(),
    }
}

/// A phone number as the page shows it: country code and the last two digits only.
pub fn mask_phone(phone: Option<&str>) -> Option<String> {
    let p = phone?;
    let cc = if p.starts_with("+420") || p.starts_with("+421") {
        p.get(..4)
    } else {
        p.get(..3)
    }
    .unwrap_or("+");
    let tail = p.get(p.len().saturating_sub(2)..).unwrap_or_default();
    Some(format!("{cc} ••• ••• •{tail}"))
}

/// An e-mail address as the page shows it: first character and the domain.
pub fn mask_email(email: Option<&str>) -> Option<String> {
    let e = email?;
    let (local, domain) = e.split_once('@')?;
    let first: String = local.chars().take(1).collect();
    Some(format!("{first}•••@{domain}"))
}

/// One record as "My records" shows it.
#[derive(serde::Serialize)]
pub struct RecordItem {
    title: String,
    date: String,
    details: Vec<(String, String)>,
    download: Option<String>,
    uvci: Option<String>,
    why: Option<String>,
    /// The current certificate as the page shows and prints it.
    card: Option<super::card::Card>,
}

fn text(entry: &Value, field: &str) -> String {
    entry
        .get(field)
        .map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .unwrap_or_default()
}

fn label(names: &Names, lang: Lang, kind: Kind, code: &str) -> String {
    let l = names.label(kind, code);
    match (lang, l.cs) {
        (Lang::Cs, Some(cs)) => cs.to_string(),
        _ => l.en.to_string(),
    }
}

/// A date (`YYYY-MM-DD`, or the date part of a date-time) as people write it in the page's
/// language: `28. 10. 1973` in Czech, ISO in English; partial dates stay as they are.
pub fn date(lang: Lang, s: &str) -> String {
    let d = s.get(..10).unwrap_or(s);
    let parts: Vec<&str> = d.split('-').collect();
    match (lang, parts.as_slice()) {
        (Lang::Cs, [y, m, dd]) if y.len() == 4 && m.len() == 2 && dd.len() == 2 => {
            format!(
                "{}. {}. {y}",
                dd.trim_start_matches('0'),
                m.trim_start_matches('0')
            )
        }
        _ => d.to_string(),
    }
}

/// The records of a person for the page: what, when, where, and the certificate or why there
/// is none yet.
pub fn record_items(names: &Names, lang: Lang, records: &[(RecordRow, String)]) -> Vec<RecordItem> {
    let day = |s: &str| date(lang, s);
    let t = |k| lang.t(k).to_string();
    records
        .iter()
        .map(|(r, org)| {
            let e = &r.entry;
            let mut details = vec![(t("provider"), org.clone())];
            let (title, date) = match r.kind {
                CertType::Vaccination => {
                    details.push((
                        t("product"),
                        label(names, lang, Kind::Product, &text(e, "mp")),
                    ));
                    details.push((
                        t("manufacturer"),
                        label(names, lang, Kind::Manufacturer, &text(e, "ma")),
                    ));
                    details.push((t("dose"), format!("{}/{}", text(e, "dn"), text(e, "sd"))));
                    (t("vaccination"), day(&text(e, "dt")))
                }
                CertType::Test => {
                    details.push((
                        t("test_type"),
                        label(names, lang, Kind::TestType, &text(e, "tt")),
                    ));
                    details.push((
                        t("test_result"),
                        label(names, lang, Kind::TestResult, &text(e, "tr")),
                    ));
                    details.push((t("test_centre"), text(e, "tc")));
                    (t("test"), day(&text(e, "sc")))
                }
                CertType::Recovery => {
                    details.push((t("first_positive"), day(&text(e, "fr"))));
                    details.push((t("valid_from"), day(&text(e, "df"))));
                    details.push((t("valid_until"), day(&text(e, "du"))));
                    (t("recovery"), day(&text(e, "fr")))
                }
            };
            details.push((
                t("country"),
                label(names, lang, Kind::Country, &text(e, "co")),
            ));
            let current = r
                .certificate
                .as_ref()
                .filter(|c| c.superseded_at.is_none() && c.revoked_at.is_none());
            let why = match (&r.certificate, current) {
                (_, Some(_)) => None,
                (Some(c), None) if c.revoked_at.is_some() => Some(t("why_revoked")),
                (Some(_), None) => Some(t("why_superseded")),
                (None, _) => Some(match r.note.as_deref() {
                    Some(n) if n.starts_with("series incomplete") => t("why_incomplete"),
                    Some(n) if n.starts_with("not identified") => t("why_not_identified"),
                    Some(n) if n.starts_with("old-format") => t("why_legacy"),
                    _ => t("why_other"),
                }),
            };
            let download = current.map(|c| format!("/me/certificates/{}/pdf", c.id));
            // A stored certificate that does not decode shows as a record with its download.
            let card = current.zip(download.clone()).and_then(|(c, link)| {
                issuer::Issued::from_hc1(&c.hc1)
                    .and_then(|issued| super::card::card(names, lang, &issued, link))
                    .map_err(|e| tracing::warn!(error = %e, "certificate card"))
                    .ok()
            });
            RecordItem {
                title,
                date,
                details,
                card,
                download,
                uvci: current.map(|c| c.uvci.clone()),
                why,
            }
        })
        .collect()
}

/// The exchange token in a scanned code's text: the path segment after `/exchange/` of a URL,
/// or a bare token.
pub fn exchange_token(text: &str) -> Option<String> {
    let t = text.trim();
    let candidate = match t.find("/exchange/") {
        Some(i) => t.get(i + "/exchange/".len()..)?,
        None => t,
    };
    let token = candidate.split(['/', '?', '#']).next().unwrap_or_default();
    (token.len() == 22
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
    .then(|| token.to_string())
}

/// Reads the QR code of an uploaded photo: PNG or JPEG, at most 4,000 × 4,000 pixels, decoded
/// in the application's decode pool within `budget` (issue 18). The error is a status and the
/// message key: 503 when the pool and its queue are full, 422 when the budget ran out.
pub async fn read_qr(
    pool: &DecodePool,
    budget: Duration,
    bytes: Vec<u8>,
) -> Result<String, (StatusCode, &'static str)> {
    if bytes.len() > super::PHOTO_LIMIT {
        return Err((StatusCode::PAYLOAD_TOO_LARGE, "scan_too_large"));
    }
    let job = pool.run(move |cancel| {
        let reader = image::ImageReader::new(std::io::Cursor::new(&bytes))
            .with_guessed_format()
            .map_err(|_| (StatusCode::UNPROCESSABLE_ENTITY, "scan_bad_image"))?;
        if !matches!(
            reader.format(),
            Some(image::ImageFormat::Png | image::ImageFormat::Jpeg)
        ) {
            return Err((StatusCode::UNPROCESSABLE_ENTITY, "scan_bad_image"));
        }
        let (w, h) = reader
            .into_dimensions()
            .map_err(|_| (StatusCode::UNPROCESSABLE_ENTITY, "scan_bad_image"))?;
        if w > super::PHOTO_MAX_SIDE || h > super::PHOTO_MAX_SIDE {
            return Err((StatusCode::PAYLOAD_TOO_LARGE, "scan_too_large"));
        }
        crate::decode_pool::read_qr_within(&bytes, budget, cancel).map_err(|e| match e {
            QrError::Image(_) => (StatusCode::UNPROCESSABLE_ENTITY, "scan_bad_image"),
            QrError::Stopped => (StatusCode::UNPROCESSABLE_ENTITY, "scan_unreadable"),
            QrError::NotFound | QrError::Decode(_) => {
                (StatusCode::UNPROCESSABLE_ENTITY, "scan_no_qr")
            }
        })
    });
    match job.await {
        Ok(read) => read,
        Err(PoolError::Busy) => Err((StatusCode::SERVICE_UNAVAILABLE, "scan_busy")),
        Err(PoolError::Failed) => Err((StatusCode::INTERNAL_SERVER_ERROR, "error")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_is_relative_only() {
        assert_eq!(safe_next(Some("/me")), "/me");
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil",
            "me",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn tokens_from_scanned_text() {
        let tok = "AAAAAAAAAAAAAAAAAAAAAA";
        assert_eq!(
            exchange_token(&format!("https://dcc.example/exchange/{tok}")).as_deref(),
            Some(tok)
        );
        assert_eq!(exchange_token(&format!(" {tok} ")).as_deref(), Some(tok));
        assert_eq!(
            exchange_token("HC1:6BFOXN*TS0BI$ZD4N9:9S6RCVN5+O30K3/XIV0W23NTDE"),
            None
        );
        assert_eq!(exchange_token("https://dcc.example/exchange/short"), None);
    }

    #[test]
    fn dates_in_czech_and_english() {
        assert_eq!(date(Lang::Cs, "1973-10-08"), "8. 10. 1973");
        assert_eq!(date(Lang::Cs, "2026-02-20T08:00:00Z"), "20. 2. 2026");
        assert_eq!(date(Lang::Cs, "1980-05"), "1980-05");
        assert_eq!(date(Lang::En, "1973-10-08"), "1973-10-08");
    }

    #[test]
    fn masks_show_no_more_than_two_digits() {
        assert_eq!(
            mask_phone(Some("+420601123456")).unwrap(),
            "+420 ••• ••• •56"
        );
        assert_eq!(
            mask_email(Some("jana@example.cz")).unwrap(),
            "j•••@example.cz"
        );
    }
}
