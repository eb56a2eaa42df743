//! The validators' scanner page (issue 20): `GET /verify` with the camera, a photo upload or the
//! pasted text; `POST /verify/image` decodes a camera frame or a photo with the server's decoder
//! and verifies it. Stateless: no session and no CSRF token, a same-origin check instead; the
//! per-IP bucket of `POST /verify` counts these requests too (see `routes`).

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use serde::Serialize;

use ::service::validator::{self, Failure, Seen, Verdict};

use super::*;

/// A camera frame: the page sends a 1280-pixel JPEG, far below this.
pub const FRAME_LIMIT: usize = 512 * 1024;

/// The scanner's script, a same-origin file (the CSP allows no inline script).
pub const SCRIPT: &str = include_str!("../../static/scanner.js");

/// `?country=CZ&at=2026-12-07T10:30&source=camera` of a frame or photo sent by the script.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Choice {
    #[serde(default)]
    country: String,
    #[serde(default)]
    at: String,
    #[serde(default)]
    source: String,
}

/// A country in the page's list.
#[derive(Serialize)]
struct Country {
    code: String,
    name: String,
}

/// The countries of the value set, by name in the page's language.
fn countries(app: &AppState, lang: Lang) -> Vec<Country> {
    let names = &app.public.names;
    let codes: Vec<String> = names
        .set(issuer::names::Kind::Country)
        .map(|set| set.codes().map(str::to_string).collect())
        .unwrap_or_default();
    let mut list: Vec<Country> = codes
        .into_iter()
        .map(|code| {
            let label = names.label(issuer::names::Kind::Country, &code);
            let name = match lang {
                Lang::Cs => label.cs.unwrap_or(label.en),
                Lang::En => label.en,
            }
            .to_string();
            Country { code, name }
        })
        .collect();
    list.sort_by_cached_key(|c| collate(&c.name));
    list
}

/// A sort key that puts accented letters beside their base letter (Česko beside Chorvatsko is
/// close enough for a select list; the browser's type-ahead finds the rest).
fn collate(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization as _;
    s.nfd()
        .filter(|c| c.is_alphanumeric() || c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// What the form asked for: the country (the installation's own by default) and the time
/// (now when empty).
struct Asked {
    country: String,
    at: time::OffsetDateTime,
    /// The time as typed, for the form.
    at_input: String,
}

fn asked(app: &AppState, country: &str, at: &str) -> Result<Asked, &'static str> {
    let country = country.trim();
    let country = if country.is_empty() {
        app.config.country.clone()
    } else if country.len() == 2 && country.bytes().all(|b| b.is_ascii_alphabetic()) {
        country.to_ascii_uppercase()
    } else {
        return Err("verify_bad_country");
    };
    let at_input = at.trim().to_string();
    let at = if at_input.is_empty() {
        now(app)
    } else {
        validator::local_time(&at_input).map_err(|_| "verify_bad_time")?
    };
    Ok(Asked {
        country,
        at,
        at_input,
    })
}

/// The result as the template shows it.
fn result_context(app: &AppState, lang: Lang, seen: &Seen, asked: &Asked) -> minijinja::Value {
    let country_name = {
        let label = app
            .public
            .names
            .label(issuer::names::Kind::Country, &asked.country);
        match lang {
            Lang::Cs => label.cs.unwrap_or(label.en),
            Lang::En => label.en,
        }
        .to_string()
    };
    let when = validator::local_display(asked.at);
    let date = when.split(' ').take(3).collect::<Vec<_>>().join(" ");
    let reasons: Vec<minijinja::Value> = seen
        .failures
        .iter()
        .map(|f| {
            let (text, rules) = match f {
                Failure::NotCertificate => {
                    (lang.t("verify_fail_not_certificate").to_string(), vec![])
                }
                Failure::Signature => (lang.t("verify_fail_signature").to_string(), vec![]),
                Failure::NotYetValid => (lang.t("verify_fail_not_yet_valid").to_string(), vec![]),
                Failure::Expired => (lang.t("verify_fail_expired").to_string(), vec![]),
                Failure::KeyUsage => (lang.t("verify_fail_key_usage").to_string(), vec![]),
                Failure::Schema => (lang.t("verify_fail_schema").to_string(), vec![]),
                Failure::Revoked => (lang.t("verify_fail_revoked").to_string(), vec![]),
                Failure::Rules(rules) => (
                    lang.format(
                        "verify_fail_rules",
                        &[
                            ("country", Arg::Str(&country_name)),
                            ("date", Arg::Str(&date)),
                        ],
                    ),
                    rules
                        .iter()
                        .map(|(id, desc)| context! { id, desc })
                        .collect(),
                ),
            };
            context! { text, rules }
        })
        .collect();
    let (verdict, heading) = match seen.verdict {
        Verdict::Valid => ("valid", lang.t("verify_valid")),
        Verdict::Invalid => ("invalid", lang.t("verify_invalid")),
        Verdict::NoRules => ("norules", lang.t("verify_no_rules")),
    };
    let kind = seen.kind.map(|k| match k {
        hcert::CertType::Vaccination => lang.t("vaccination"),
        hcert::CertType::Test => lang.t("test"),
        hcert::CertType::Recovery => lang.t("recovery"),
    });
    context! {
        verdict,
        heading,
        name => seen.holder.as_ref().map(|h| h.name.clone()),
        dob => seen.holder.as_ref().map(|h| h.date_of_birth.clone()),
        kind,
        reasons,
        no_rules => lang.format("verify_no_rules_text", &[("country", Arg::Str(&country_name))]),
        checked => lang.format("verify_checked", &[
            ("country", Arg::Str(&country_name)),
            ("at", Arg::Str(&when)),
        ]),
    }
}

/// The page, with the form as asked and a result or an error.
fn scanner_page(
    app: &AppState,
    web: &Web,
    status: StatusCode,
    country: &str,
    at_input: &str,
    result: Option<minijinja::Value>,
    error: Option<&str>,
) -> Response {
    page(
        app,
        web,
        status,
        "verify.html",
        context! {
            countries => countries(app, web.lang),
            country,
            at => at_input,
            result,
            error,
        },
    )
}

/// `GET /verify`: the scanner page.
pub(crate) async fn page_get(State(app): State<AppState>, web: Web) -> Response {
    let country = app.config.country.clone();
    scanner_page(&app, &web, StatusCode::OK, &country, "", None, None)
}

/// Whether the request comes from a page of this origin: `Sec-Fetch-Site: same-origin`, or
/// without it an `Origin` equal to the configured one. A request with neither is refused: the
/// decoder is not a public service for other sites' visitors.
fn same_origin(app: &AppState, web: &Web) -> bool {
    match web.fetch_site.as_deref() {
        Some(site) => site == "same-origin",
        None => web.origin.as_deref() == Some(app.config.base_url().as_str()),
    }
}

/// Verifies `hc1` as asked and renders the result (a fragment for the script, or the page).
async fn verified(
    app: &AppState,
    web: &Web,
    hc1: &str,
    asked: &Asked,
) -> Result<minijinja::Value, AppError> {
    let revoked = app
        .revocation
        .get(app.store.as_ref(), &app.config.country, asked.at)
        .await?;
    let seen = validator::check(
        &app.public,
        &app.issuance.published(),
        hc1.trim(),
        &asked.country,
        asked.at,
        Some(&revoked),
        web.lang.code(),
    );
    Ok(result_context(app, web.lang, &seen, asked))
}

/// The result fragment the script inserts, or a status with a short message.
fn fragment(app: &AppState, web: &Web, status: StatusCode, ctx: minijinja::Value) -> Response {
    match app
        .pages
        .render("verify_result.html", web.lang, &web.path, ctx)
    {
        Ok(html) => (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            html,
        )
            .into_response(),
        Err(e) => AppError::Internal(format!("template verify_result.html: {e}")).into_response(),
    }
}

fn fragment_error(app: &AppState, web: &Web, status: StatusCode, key: &str) -> Response {
    let mut resp = fragment(
        app,
        web,
        status,
        context! { result => (), error => web.lang.t(key) },
    );
    if status == StatusCode::SERVICE_UNAVAILABLE {
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    }
    resp
}

/// `POST /verify/image`: a camera frame or photo as the body (`image/jpeg` or `image/png`,
/// from the script), answered with the result fragment; or the page's form
/// (`multipart/form-data`: `text` or `photo`, `country`, `at`), answered with the page.
pub(crate) async fn check(
    _within_limit: crate::quota::VerifyQuota,
    State(app): State<AppState>,
    web: Web,
    Query(choice): Query<Choice>,
    req: Request,
) -> Response {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if multipart {
        return form_check(&app, &web, req).await;
    }
    if !same_origin(&app, &web) {
        return fragment_error(&app, &web, StatusCode::FORBIDDEN, "verify_cross_site");
    }
    let image = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| matches!(v, "image/jpeg" | "image/png"));
    if !image {
        return fragment_error(
            &app,
            &web,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "scan_bad_image",
        );
    }
    let limit = if choice.source == "camera" {
        FRAME_LIMIT
    } else {
        PHOTO_LIMIT
    };
    let bytes = match Bytes::from_request(req, &app).await {
        Ok(b) if b.len() <= limit => b,
        _ => return fragment_error(&app, &web, StatusCode::PAYLOAD_TOO_LARGE, "scan_too_large"),
    };
    let asked = match asked(&app, &choice.country, &choice.at) {
        Ok(a) => a,
        Err(key) => return fragment_error(&app, &web, StatusCode::UNPROCESSABLE_ENTITY, key),
    };
    let budget = std::time::Duration::from_millis(app.config.decode.budget_ms);
    let hc1 = match web::read_qr(&app.decode_pool, budget, bytes.to_vec()).await {
        Ok(t) => t,
        Err((status, key)) => return fragment_error(&app, &web, status, key),
    };
    match verified(&app, &web, &hc1, &asked).await {
        Ok(result) => fragment(&app, &web, StatusCode::OK, context! { result, error => () }),
        Err(e) => e.into_response(),
    }
}

/// The form without the script: the page again, with the result or what was wrong.
async fn form_check(app: &AppState, web: &Web, req: Request) -> Response {
    let fail = |status, country: &str, at: &str, key: &str| {
        scanner_page(app, web, status, country, at, None, Some(web.lang.t(key)))
    };
    if !same_origin(app, web) {
        return fail(StatusCode::FORBIDDEN, "", "", "verify_cross_site");
    }
    let mut form = match Multipart::from_request(req, app).await {
        Ok(f) => f,
        Err(_) => return fail(StatusCode::BAD_REQUEST, "", "", "verify_empty"),
    };
    let (mut text, mut country, mut at) = (String::new(), String::new(), String::new());
    let mut photo: Option<Vec<u8>> = None;
    loop {
        match form.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or_default().to_string();
                let Ok(b) = field.bytes().await else {
                    return fail(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        &country,
                        &at,
                        "scan_too_large",
                    );
                };
                match name.as_str() {
                    "text" => text = String::from_utf8_lossy(&b).into_owned(),
                    "country" => country = String::from_utf8_lossy(&b).into_owned(),
                    "at" => at = String::from_utf8_lossy(&b).into_owned(),
                    "photo" if !b.is_empty() => photo = Some(b.to_vec()),
                    _ => {}
                }
            }
            Ok(None) => break,
            Err(e) => {
                let status = e.status();
                let key = if status == StatusCode::PAYLOAD_TOO_LARGE {
                    "scan_too_large"
                } else {
                    "verify_empty"
                };
                return fail(status, &country, &at, key);
            }
        }
    }
    let asked = match asked(app, &country, &at) {
        Ok(a) => a,
        Err(key) => return fail(StatusCode::UNPROCESSABLE_ENTITY, &country, &at, key),
    };
    let hc1 = if !text.trim().is_empty() {
        if text.len() > ::service::public::MAX_HC1 {
            return fail(
                StatusCode::PAYLOAD_TOO_LARGE,
                &asked.country,
                &at,
                "verify_text_long",
            );
        }
        text
    } else if let Some(bytes) = photo {
        let budget = std::time::Duration::from_millis(app.config.decode.budget_ms);
        match web::read_qr(&app.decode_pool, budget, bytes).await {
            Ok(t) => t,
            Err((status, key)) => {
                let mut resp = fail(status, &asked.country, &asked.at_input, key);
                if status == StatusCode::SERVICE_UNAVAILABLE {
                    resp.headers_mut()
                        .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
                }
                return resp;
            }
        }
    } else {
        return fail(
            StatusCode::UNPROCESSABLE_ENTITY,
            &asked.country,
            &asked.at_input,
            "verify_empty",
        );
    };
    match verified(app, web, &hc1, &asked).await {
        Ok(result) => scanner_page(
            app,
            web,
            StatusCode::OK,
            &asked.country,
            &asked.at_input,
            Some(result),
            None,
        ),
        Err(e) => error_page(app, web, e),
    }
}

/// `GET /static/scanner.js`.
pub(super) async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        SCRIPT,
    )
        .into_response()
}
