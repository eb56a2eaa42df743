//! Login through NIA (seed 002's alternative to birth number + ID card + SMS): `GET /login/nia`
//! sends the browser to the identity provider, `GET /login/nia/callback` takes it back. The
//! checks live in `service::nia`; this module handles cookies and pages.
//!
//! The callback arrives as a top-level navigation from the provider's site, on which browsers
//! withhold `SameSite=Strict` cookies, so the pending request is bound to its own `Lax` cookie
//! ([`NIA_COOKIE`]) rather than the Strict flow cookie. For the same reason the session cookie
//! set by the callback may be withheld on a redirect that continues that navigation, so success
//! answers a page whose link (a same-site navigation) leads to "My records".

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;

use super::web::REGISTRY_COOKIE;
use super::{
    cookie_header, error_page, message, see_other, with_cookie, Web, FLOW_COOKIE, SESSION_COOKIE,
};
use crate::error::AppError;
use crate::service::citizen;
use crate::service::nia::{self, Callback, Opened, Purpose, FLOW_SECS, NIA_COOKIE};
use crate::state::AppState;

/// The `Set-Cookie` value of the NIA flow cookie: the portal's attributes, but `SameSite=Lax`
/// so the provider's redirect back carries it; `max_age` 0 deletes.
fn nia_cookie(value: &str, max_age: i64) -> String {
    format!("{NIA_COOKIE}={value}; Secure; HttpOnly; SameSite=Lax; Path=/; Max-Age={max_age}")
}

/// The NIA cookie of a request (base64url, as issued).
fn nia_cookie_of(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, v)| {
            *k == NIA_COOKIE
                && (1..=64).contains(&v.len())
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .map(|(_, v)| v.to_string())
}

/// `GET /login/nia`: a new pending citizen request, then off to the provider.
pub(super) async fn start(State(app): State<AppState>, web: Web) -> Response {
    start_for(&app, web, Purpose::Citizen).await
}

/// `GET /registry/nia`: the same for a registry user (seed 000's "eidentita.cz" sign-in).
pub(super) async fn start_registry(State(app): State<AppState>, web: Web) -> Response {
    start_for(&app, web, Purpose::Registry).await
}

async fn start_for(app: &AppState, mut web: Web, purpose: Purpose) -> Response {
    let app = app.clone();
    if !app.config.oidc.enabled() {
        return error_page(&app, &web, AppError::NotFound);
    }
    let home = match purpose {
        Purpose::Citizen => "/",
        Purpose::Registry => "/registry",
    };
    // The language switch of these pages returns to the login page, not to a new attempt.
    web.path = home.into();
    let now = app.clock.now().unix_timestamp();
    if let Err(e) = citizen::count_auth_request(&app, web.ip, now).await {
        return error_page(&app, &web, e);
    }
    match nia::start(&app, purpose, now).await {
        Ok(Some(started)) => with_cookie(
            see_other(&started.redirect),
            nia_cookie(&started.cookie, FLOW_SECS),
        ),
        Ok(None) => {
            let t = |k| web.lang.t(k);
            message(
                &app,
                &web,
                StatusCode::SERVICE_UNAVAILABLE,
                t("nia_unavailable_title"),
                t("nia_unavailable"),
                (home, t("to_login")),
            )
        }
        Err(e) => error_page(&app, &web, e),
    }
}

/// `GET /login/nia/callback`: the provider's answer. Success opens a session; every refusal is
/// the same page. The NIA cookie is cleared either way (its request is used up).
pub(super) async fn callback(
    State(app): State<AppState>,
    mut web: Web,
    headers: HeaderMap,
    query: Result<Query<Callback>, QueryRejection>,
) -> Response {
    if !app.config.oidc.enabled() {
        return error_page(&app, &web, AppError::NotFound);
    }
    // The language switch of these pages leads home (the login page, or "My records" once
    // logged in), never back to this used-up callback.
    web.path = "/".into();
    let clear = nia_cookie("", 0);
    let now = app.clock.now().unix_timestamp();
    if let Err(e) = citizen::count_auth_request(&app, web.ip, now).await {
        return with_cookie(error_page(&app, &web, e), clear);
    }
    // A malformed query (a repeated parameter, bad encoding) is a callback without state.
    let callback = query.map(|Query(q)| q).unwrap_or_default();
    let cookie = nia_cookie_of(&headers);
    let t = |k| web.lang.t(k);
    match nia::finish(&app, cookie.as_deref(), &callback, now).await {
        Ok(Ok(opened)) => {
            let (cookie_name, token, next) = match &opened {
                Opened::Citizen(s) => (SESSION_COOKIE, &s.token, "/me"),
                Opened::Registry(s) => (REGISTRY_COOKIE, &s.token, "/registry/account"),
            };
            let resp = message(
                &app,
                &web,
                StatusCode::OK,
                t("nia_done_title"),
                t("nia_done"),
                (next, t("nia_continue")),
            );
            let resp = with_cookie(resp, cookie_header(cookie_name, token, None));
            let resp = with_cookie(resp, cookie_header(FLOW_COOKIE, "", Some(0)));
            with_cookie(resp, clear)
        }
        Ok(Err(_)) => with_cookie(
            message(
                &app,
                &web,
                StatusCode::FORBIDDEN,
                t("nia_failed_title"),
                t("nia_failed"),
                ("/", t("to_login")),
            ),
            clear,
        ),
        Err(e) => with_cookie(error_page(&app, &web, e), clear),
    }
}
