//! Login through NIA (seed 002's alternative to birth number + ID card + SMS): `GET /login/nia`
//! sends the browser to the identity provider, `GET /login/nia/callback` takes it back. The
//! checks live in `service::nia`; this module handles cookies and pages.
//!
//! The callback arrives as a top-level navigation from the provider's site, on which browsers
//! withhold `SameSite=Strict` cookies, so the pending request is bound to its own `Lax` cookie
//! ([`NIA_COOKIE`]) rather than the Strict flow cookie. For the same reason the session cookie
//! set by the callback may be withheld on a redirect that continues that navigation, so success
//! answers a page whose link (a same-site navigation) leads to "My records".
//!
//! A signed-in registry user links a NIA identity to the account (issue #21) with a POST from
//! the account page (`/registry/nia/link`, CSRF-checked like the other registry forms), which
//! starts a request of purpose `link` bound to the user; the same callback then links, if the
//! request brings that user's registry session. Browsers withhold that Strict cookie on the
//! provider's redirect, so a callback without it keeps the NIA cookie and answers a page whose
//! same-site form (`/registry/nia/link/confirm`, CSRF token bound to the NIA cookie) brings the
//! session and links. `/registry/nia/unlink` removes the link.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;

use super::web::REGISTRY_COOKIE;
use minijinja::context;

use super::{
    cookie_header, error_page, message, page, see_other, with_cookie, CsrfForm, Web, FLOW_COOKIE,
    SESSION_COOKIE,
};
use crate::error::AppError;
use crate::service::citizen;
use crate::service::nia::{self, Callback, Opened, Purpose, Refused, FLOW_SECS, NIA_COOKIE};
use crate::service::nia_link;
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
        Purpose::Registry | Purpose::Link => "/registry",
    };
    // The language switch of these pages returns to the login page, not to a new attempt.
    web.path = home.into();
    let now = app.clock.now().unix_timestamp();
    if let Err(e) = citizen::count_auth_request(&app, web.ip, now).await {
        return error_page(&app, &web, e);
    }
    redirect_to_provider(&app, &web, nia::start(&app, purpose, now).await, home)
}

/// The answer to a started request: off to the provider with the NIA cookie, or the page
/// saying NIA is unavailable (its link leads to `home`).
fn redirect_to_provider(
    app: &AppState,
    web: &Web,
    started: Result<Option<nia::Started>, ::service::Error>,
    home: &str,
) -> Response {
    match started {
        Ok(Some(started)) => with_cookie(
            see_other(&started.redirect),
            nia_cookie(&started.cookie, FLOW_SECS),
        ),
        Ok(None) => {
            let t = |k| web.lang.t(k);
            message(
                app,
                web,
                StatusCode::SERVICE_UNAVAILABLE,
                t("nia_unavailable_title"),
                t("nia_unavailable"),
                (home, t("to_login")),
            )
        }
        Err(e) => error_page(app, web, e),
    }
}

/// The CSP of a page with the link form (`None` without NIA): its `form-action` allows the
/// origin of the configured issuer, to which the form's answer redirects (the authorization
/// endpoint is taken to live there, as NIA's does).
pub(super) fn link_csp(app: &AppState) -> Option<axum::http::HeaderValue> {
    let issuer: axum::http::Uri = app.config.oidc.issuer_url.as_deref()?.parse().ok()?;
    let origin = format!("{}://{}", issuer.scheme_str()?, issuer.authority()?);
    axum::http::HeaderValue::from_str(&super::csp_with_form_target(&origin)).ok()
}

/// `POST /registry/nia/link`: a signed-in registry user starts linking a NIA identity (issue
/// #21); the request is bound to the user, and the callback links.
pub(super) async fn start_link(
    State(app): State<AppState>,
    mut web: Web,
    Form(f): Form<CsrfForm>,
) -> Response {
    if !app.config.oidc.enabled() {
        return error_page(&app, &web, AppError::NotFound);
    }
    if web
        .csrf_checked(&app, web.registry.as_deref(), &f.csrf)
        .is_none()
    {
        return error_page(&app, &web, AppError::Forbidden("csrf".into()));
    }
    let (_, user_id, _) = match super::registry::require_session(&app, &web).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    web.path = "/registry/account".into();
    let now = app.clock.now().unix_timestamp();
    if let Err(e) = citizen::count_auth_request(&app, web.ip, now).await {
        return error_page(&app, &web, e);
    }
    let started = nia::start_link(&app, &user_id, now).await;
    redirect_to_provider(&app, &web, started, "/registry/account")
}

/// `POST /registry/nia/unlink`: removes the account's linked NIA identity (notified, audited).
pub(super) async fn unlink(
    State(app): State<AppState>,
    web: Web,
    Form(f): Form<CsrfForm>,
) -> Response {
    if web
        .csrf_checked(&app, web.registry.as_deref(), &f.csrf)
        .is_none()
    {
        return error_page(&app, &web, AppError::Forbidden("csrf".into()));
    }
    let (_, user_id, _) = match super::registry::require_session(&app, &web).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let t = |k| web.lang.t(k);
    match nia_link::unlink(&app, &user_id, app.clock.now().unix_timestamp()).await {
        Ok(_) => message(
            &app,
            &web,
            StatusCode::OK,
            t("nia_unlinked_title"),
            t("nia_unlinked_done"),
            ("/registry/account", t("perm_back_account")),
        ),
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
    let registry = web.registry.clone();
    let finished = nia::finish(&app, cookie.as_deref(), registry.as_deref(), &callback, now).await;
    if let Ok(outcome) = &finished {
        if let Some(resp) = link_page(&app, &mut web, outcome, cookie.as_deref()) {
            return resp;
        }
    }
    let t = |k| web.lang.t(k);
    match finished {
        Ok(Ok(opened)) => {
            let (cookie_name, token, next) = match &opened {
                Opened::Citizen(s) => (SESSION_COOKIE, &s.token, "/me"),
                Opened::Registry(s) => (REGISTRY_COOKIE, &s.token, "/registry/account"),
                // Answered by `link_page`.
                Opened::Linked | Opened::ConfirmLink => {
                    return with_cookie(error_page(&app, &web, AppError::NotFound), clear)
                }
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

/// The pages of a link's outcomes: linked, waiting for the confirmation (the NIA cookie stays,
/// and the form's CSRF token is bound to it), or refused for another account's sake; `None`
/// for the other outcomes. Every page but the confirmation clears the NIA cookie. They are the
/// registry's pages: its header, and a language switch that leads to the account.
fn link_page(
    app: &AppState,
    web: &mut Web,
    outcome: &Result<Opened, Refused>,
    nia: Option<&str>,
) -> Option<Response> {
    if !matches!(
        outcome,
        Ok(Opened::ConfirmLink | Opened::Linked)
            | Err(Refused::RegisteredElsewhere | Refused::LinkedElsewhere)
    ) {
        return None;
    }
    web.path = "/registry/account".into();
    let t = |k| web.lang.t(k);
    let back = ("/registry/account", t("perm_back_account"));
    let (status, title, text) = match outcome {
        Ok(Opened::ConfirmLink) => {
            let csrf = app.secrets.csrf_token(nia.unwrap_or_default());
            let ctx = context! { csrf };
            return Some(page(app, web, StatusCode::OK, "nia_link_confirm.html", ctx));
        }
        // A page whose link leads to the account: a redirect could lose the Strict session
        // cookie, as after a login.
        Ok(Opened::Linked) => (StatusCode::OK, "nia_linked_title", "nia_linked_done"),
        Err(Refused::RegisteredElsewhere) => (
            StatusCode::CONFLICT,
            "nia_link_refused_title",
            "nia_link_registered",
        ),
        Err(Refused::LinkedElsewhere) => (
            StatusCode::CONFLICT,
            "nia_link_refused_title",
            "nia_link_taken",
        ),
        _ => return None,
    };
    let resp = message(app, web, status, t(title), t(text), back);
    Some(with_cookie(resp, nia_cookie("", 0)))
}

/// `POST /registry/nia/link/confirm`: the confirmation of a link whose callback came without
/// the registry session cookie; this same-site form brings it. CSRF: the token is bound to the
/// NIA cookie. Refusals are the common NIA page.
pub(super) async fn confirm_link(
    State(app): State<AppState>,
    mut web: Web,
    headers: HeaderMap,
    Form(f): Form<CsrfForm>,
) -> Response {
    if !app.config.oidc.enabled() {
        return error_page(&app, &web, AppError::NotFound);
    }
    web.path = "/registry/account".into();
    let cookie = nia_cookie_of(&headers);
    if web.csrf_checked(&app, cookie.as_deref(), &f.csrf).is_none() {
        return error_page(&app, &web, AppError::Forbidden("csrf".into()));
    }
    let clear = nia_cookie("", 0);
    let now = app.clock.now().unix_timestamp();
    let registry = web.registry.clone();
    match nia::confirm_link(&app, cookie.as_deref(), registry.as_deref(), now).await {
        Ok(outcome) => match link_page(&app, &mut web, &outcome, cookie.as_deref()) {
            Some(resp) => resp,
            None => {
                let t = |k| web.lang.t(k);
                let resp = message(
                    &app,
                    &web,
                    StatusCode::FORBIDDEN,
                    t("nia_failed_title"),
                    t("nia_failed"),
                    ("/registry/account", t("perm_back_account")),
                );
                with_cookie(resp, clear)
            }
        },
        Err(e) => with_cookie(error_page(&app, &web, e), clear),
    }
}
